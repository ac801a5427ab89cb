package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.densecl.contract.EvaluationTask;
import java.util.Map;

/** The latest run of one downstream evaluation. */
@JsonClassDescription("The latest run of one downstream evaluation.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvaluationStatus {

    /** Name of the evaluation in spec.evaluations. */
    @JsonPropertyDescription("Name of the evaluation in spec.evaluations.")
    public String name;

    /** Task of the evaluation. */
    @JsonPropertyDescription("Task of the evaluation.")
    public EvaluationTask type;

    /** Pending, Running, Succeeded or Failed. */
    @JsonPropertyDescription(
            "Pending (suspended, or waiting until training ends: the checkpoint claim lets no pod run beside "
                    + "the trainer), Running, Succeeded or Failed.")
    public EvaluationState state;

    /** Epoch of the evaluated checkpoint. */
    @JsonPropertyDescription("Epoch of the evaluated checkpoint.")
    public Integer checkpointEpoch;

    /** The evaluated checkpoint directory; unset for a periodic evaluation, which reads the first of its epoch. */
    @JsonPropertyDescription(
            "The evaluated checkpoint directory; a relaunched evaluation reads the same one. Unset for a "
                    + "periodic evaluation, which reads the first checkpoint of its epoch (pinned against keepLast until read).")
    public String checkpointPath;

    /** Failed pods of this evaluation so far, charged to its backoffLimit. */
    @JsonPropertyDescription("Failed pods of this evaluation so far, charged to evaluations[].backoffLimit.")
    public Integer retries;

    /** Disrupted pods of this evaluation so far, charged to spec.failurePolicy.maxDisruptions. */
    @JsonPropertyDescription("Disrupted pods of this evaluation so far (preemption, eviction, node loss), charged to "
            + "spec.failurePolicy.maxDisruptions.")
    public Integer disruptions;

    /** Name of the evaluation pod. */
    @JsonPropertyDescription("Name of the evaluation pod.")
    public String pod;

    /** When the evaluation pod was created (RFC 3339). */
    @JsonPropertyDescription("When the evaluation pod was created (RFC 3339).")
    public String startedAt;

    /** Task metrics from the evaluation's termination message, such as mIoU or top1. */
    @JsonPropertyDescription("Task metrics from the evaluation's termination message, such as mIoU or top1.")
    public Map<String, Double> metrics;

    /** Error message of a failed evaluation. */
    @JsonPropertyDescription("Error message of a failed evaluation.")
    public String message;
}
