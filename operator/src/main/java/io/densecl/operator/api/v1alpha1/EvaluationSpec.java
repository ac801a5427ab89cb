package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.densecl.contract.EvaluationProtocol;
import io.densecl.contract.EvaluationTask;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A downstream evaluation of the pre-trained backbone, run as its own pod. */
@JsonClassDescription("A downstream evaluation of the pre-trained backbone, run as its own pod.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.trigger != 'EveryNEpochs' || (has(self.everyEpochs) && self.everyEpochs > 0)",
        message = "everyEpochs > 0 is required when trigger is EveryNEpochs")
public class EvaluationSpec {

    /** Name of the evaluation, unique within the run (a DNS label). */
    @JsonPropertyDescription("Name of the evaluation, unique within the run (a DNS label).")
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$")
    // The pattern bounds the length too, but the API server's CEL cost estimator reads only maxLength: without
    // it the uniqueness rule on spec.evaluations is estimated at 8x its budget and the CRD is refused.
    @Size(max = 32)
    public String name;

    /** The downstream task. */
    @JsonPropertyDescription("The downstream task.")
    @Default("segmentation")
    public EvaluationTask type = EvaluationTask.segmentation;

    /** The labelled data of the downstream task. */
    @JsonPropertyDescription("The labelled data of the downstream task.")
    @Required
    public DataSpec data = new DataSpec();

    /** Settings family of the evaluation: quick (small CPU-sized settings) or paper (the DenseCL paper's transfer settings). */
    @JsonPropertyDescription("Settings family of the evaluation: quick (small CPU-sized settings) or paper (the DenseCL paper's "
            + "transfer settings: FCN at output stride 8 on VOC12aug, MoCo's linear protocol, kNN on 224 px centre crops).")
    @Default("quick")
    public EvaluationProtocol protocol = EvaluationProtocol.quick;

    /** Fine-tuning or probe epochs of the downstream task; unset: the protocol's. */
    @JsonPropertyDescription("Fine-tuning or probe epochs of the downstream task; unset means the protocol's (quick: segmentation "
            + "20, linear 100; paper: linear 100, segmentation runs 20k iterations).")
    @Min(1)
    public Integer epochs;

    /** When the evaluation runs. */
    @JsonPropertyDescription("When the evaluation runs.")
    @Default("AfterTraining")
    public Trigger trigger = Trigger.AfterTraining;

    /** For EveryNEpochs: evaluate each checkpoint whose epoch is a multiple of this. */
    @JsonPropertyDescription("For EveryNEpochs: evaluate each checkpoint whose epoch is a multiple of this.")
    public Integer everyEpochs;

    /** When an evaluation runs. */
    public enum Trigger { AfterTraining, EveryNEpochs }
}
