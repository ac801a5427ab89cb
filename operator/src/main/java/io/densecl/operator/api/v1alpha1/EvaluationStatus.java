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

    /** Running, Succeeded or Failed. */
    @JsonPropertyDescription("Running, Succeeded or Failed.")
    public EvaluationState state;

    /** Epoch of the evaluated checkpoint. */
    @JsonPropertyDescription("Epoch of the evaluated checkpoint.")
    public Integer checkpointEpoch;

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
