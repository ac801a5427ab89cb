package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.densecl.contract.Backbone;
import io.densecl.contract.Limits;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The backbone and the projection heads of the DenseCL model. */
@JsonClassDescription("The backbone and the projection heads of the DenseCL model.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelSpec {

    /** ResNet backbone (torchvision layout). */
    @JsonPropertyDescription("ResNet backbone (torchvision layout).")
    @Default("resnet50")
    public Backbone backbone = Backbone.resnet50;

    /** Hidden width of the global and dense projection heads; 1 to 65536. */
    @JsonPropertyDescription("Hidden width of the global and dense projection heads; 1 to 65536.")
    @Default("2048")
    @Min(1)
    @Max(Limits.MAX_WIDTH)
    public Integer hid = 2048;

    /** Output dimension of the projection heads; 1 to 65536. */
    @JsonPropertyDescription("Output dimension of the projection heads; 1 to 65536.")
    @Default("128")
    @Min(1)
    @Max(Limits.MAX_WIDTH)
    public Integer dim = 128;
}
