package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.densecl.contract.DataFormat;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A data set on a PersistentVolumeClaim, mounted read-only at /data. */
@JsonClassDescription("A data set on a PersistentVolumeClaim, mounted read-only at /data.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataSpec {

    /** Name of the existing PersistentVolumeClaim that holds the data. */
    @JsonPropertyDescription("Name of the existing PersistentVolumeClaim that holds the data.")
    @Required
    @Size(max = 253)
    public String claimName;

    /** Directory inside the claim, relative to its root. */
    @JsonPropertyDescription("Directory inside the claim, relative to its root; no '..' segments.")
    @ValidationRule(
            value = "!self.matches('(^|/)[.][.](/|$)')",
            message = "path must stay inside the claim: no '..' segments")
    @Size(max = 1024)
    public String path = "";

    /** Layout of the data set: imageFolder (images searched recursively) or list (a file of image paths). */
    @JsonPropertyDescription(
            "Layout of the data set: imageFolder (images searched recursively) or list (a file of image paths).")
    @Default("imageFolder")
    public DataFormat format = DataFormat.imageFolder;
}
