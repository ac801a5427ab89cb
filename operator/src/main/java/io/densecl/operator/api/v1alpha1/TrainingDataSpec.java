package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.densecl.contract.Limits;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** The training images on a PersistentVolumeClaim, and how many oversized or unreadable ones a run tolerates. */
@JsonClassDescription(
        "The training images on a PersistentVolumeClaim (mounted read-only at /data), and how many oversized or "
                + "unreadable ones a run tolerates.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingDataSpec extends DataSpec {

    /** Images with more pixels (width x height, read from the header before decoding) are skipped as unreadable. */
    @JsonPropertyDescription(
            "Images with more pixels (width x height, read from the header before decoding) are skipped as "
                    + "unreadable: decompression bombs. Default: PIL's Image.MAX_IMAGE_PIXELS; at most 715827882.")
    @Default("89478485")
    @Min(1)
    @Max(Limits.MAX_IMAGE_PIXELS)
    public Long maxImagePixels = 89_478_485L;

    /** The run fails (DataError, not retried) once more than this fraction of the files is unreadable; in [0, 1]. */
    @JsonPropertyDescription(
            "The run fails (DataError, not retried) once more than this fraction of the files is unreadable; "
                    + "in [0, 1].")
    @Default("0.1")
    @ValidationRule(value = "self >= 0.0 && self <= 1.0", message = "spec.data.maxUnreadableFraction must be in [0, 1]")
    public Double maxUnreadableFraction = 0.1;
}
