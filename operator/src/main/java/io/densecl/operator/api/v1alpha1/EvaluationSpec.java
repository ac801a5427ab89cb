package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.densecl.contract.EvaluationProtocol;
import io.densecl.contract.EvaluationTask;
import io.densecl.contract.Limits;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A downstream evaluation of the pre-trained backbone, run as its own pod. */
@JsonClassDescription("A downstream evaluation of the pre-trained backbone, run as its own pod.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.trigger != 'EveryNEpochs' || (has(self.everyEpochs) && self.everyEpochs > 0)",
        message = "everyEpochs > 0 is required when trigger is EveryNEpochs")
@ValidationRule(
        value = "!has(self.classes) || self.type == 'segmentation'",
        message = "classes is the segmentation class count; linear and knn take their classes from the train/ folders")
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
    @JsonPropertyDescription(
            "Settings family of the evaluation: quick (small CPU-sized settings) or paper (the DenseCL paper's "
                    + "transfer settings: FCN at output stride 8 on VOC12aug, MoCo's linear protocol, kNN on 224 px centre crops).")
    @Default("quick")
    public EvaluationProtocol protocol = EvaluationProtocol.quick;

    /** Fine-tuning or probe epochs of the downstream task; unset: the protocol's. */
    @JsonPropertyDescription(
            "Fine-tuning or probe epochs of the downstream task; unset means the protocol's (quick: segmentation "
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

    /** Compute resources of the evaluation's pods. */
    @JsonPropertyDescription("Compute resources of the evaluation's pods; unset fields are sized to the task.")
    public EvaluationResourcesSpec resources;

    /** Input size in pixels; unset: the protocol's. */
    @JsonPropertyDescription(
            "Training crop (segmentation) or input size (linear, knn) in pixels; unset: the protocol's "
                    + "(quick 96; paper 512 for segmentation, 224 for linear and knn).")
    @Min(32)
    @Max(Limits.MAX_IMAGE_SIZE)
    public Integer imageSize;

    /** Images per step; unset: the protocol's. */
    @JsonPropertyDescription(
            "Images per fine-tuning or probe step; unset: the protocol's (quick 8; paper: segmentation 16, "
                    + "linear 256).")
    @Min(1)
    @Max(4096)
    public Integer batchSize;

    /** Segmentation classes including background; unset: the count in the data's classes.txt. */
    @JsonPropertyDescription(
            "Segmentation classes including background (21 for PASCAL VOC); unset: the lines of the data's "
                    + "classes.txt, which VOC itself does not ship.")
    @Min(2)
    @Max(1000)
    public Integer classes;

    /** Failed evaluation pods retried before the evaluation counts as failed; disruptions do not count. */
    @JsonPropertyDescription(
            "Failed evaluation pods (crash, OOM kill, device fault) retried before the evaluation is Failed; "
                    + "disruptions (preemption, eviction, node loss) are retried without counting, up to "
                    + "spec.failurePolicy.maxDisruptions; usage, data and config errors are not retried.")
    @Default("2")
    @Min(0)
    @Max(100)
    public Integer backoffLimit = 2;

    /** When an evaluation runs. */
    public enum Trigger {
        AfterTraining,
        EveryNEpochs
    }
}
