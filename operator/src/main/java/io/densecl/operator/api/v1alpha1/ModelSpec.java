package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** The backbone and the projection heads of the DenseCL model. */
@JsonClassDescription("The backbone and the projection heads of the DenseCL model.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelSpec {

    /** ResNet backbone: resnet18, resnet34, resnet50 or resnet101 (checked by the operator). */
    @JsonPropertyDescription("ResNet backbone: resnet18, resnet34, resnet50 or resnet101 (checked by the operator).")
    @Default("resnet50")
    public String backbone = "resnet50";

    /** Hidden width of the global and dense projection heads. */
    @JsonPropertyDescription("Hidden width of the global and dense projection heads.")
    @Default("2048")
    @Min(1)
    public Integer hid = 2048;

    /** Output dimension of the projection heads. */
    @JsonPropertyDescription("Output dimension of the projection heads.")
    @Default("128")
    @Min(1)
    public Integer dim = 128;
}
