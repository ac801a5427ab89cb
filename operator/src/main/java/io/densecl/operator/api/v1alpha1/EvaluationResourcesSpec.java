package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Compute resources of one evaluation's pods; unset fields are sized to the task, never above the trainer's. */
@JsonClassDescription(
        "Compute resources of the evaluation's pods; an unset field is sized to the task and never exceeds the "
                + "trainer's (spec.resources). Placement (nodeSelector, tolerations, affinity, priority class) is the trainer's.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvaluationResourcesSpec {

    /** GPUs of the evaluation pod (it uses the first); unset: 1 when the run trains on GPUs, else 0 (CPU). */
    @JsonPropertyDescription(
            "GPUs of the evaluation pod (evaluate runs on the first, --device gpu0); unset: 1 when the run "
                    + "trains on GPUs, else 0 (the CPU).")
    @Min(0)
    @Max(ResourcesSpec.MAX_GPUS)
    public Integer gpus;

    /** CPU request of the evaluation container; unset: the trainer's, at most 8. */
    @JsonPropertyDescription("CPU request of the evaluation container; unset: the trainer's, at most 8.")
    public String cpu;

    /** Memory request and limit of the evaluation container; unset: sized to the task, at most the trainer's. */
    @JsonPropertyDescription(
            "Memory request and limit of the evaluation container; unset: the task's (segmentation 16Gi, "
                    + "paper 32Gi; linear and knn 24Gi, paper linear 32Gi: frozen features of the whole train split), at most the "
                    + "trainer's.")
    public String memory;
}
