package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** The observed state of a run, written only by the operator's status aggregator. */
@JsonClassDescription("The observed state of a run, written only by the operator's status aggregator.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DenseCLRunStatus {
    // No field initialisers here: JOSDK patches status with a JSON diff against the cached object,
    // and defaults that the server never stored would produce patch operations on missing fields.

    /** The spec generation this status describes. */
    @JsonPropertyDescription("The spec generation this status describes.")
    public Long observedGeneration;

    /** Pending, Starting, Running, Restarting, Suspended, Evaluating, Succeeded or Failed. */
    @JsonPropertyDescription("Pending, Starting, Running, Restarting, Suspended, Evaluating, Succeeded or Failed.")
    public Phase phase;

    /** A human-readable note on the current phase. */
    @JsonPropertyDescription("A human-readable note on the current phase.")
    public String message;

    /** Accepted, Running, Suspended, Checkpointed, Evaluated, Complete, Failed, Reconciling and Stalled. */
    @JsonPropertyDescription(
            "Accepted, Running, Suspended, Checkpointed, Evaluated, Complete, Failed, Reconciling and Stalled.")
    public List<Condition> conditions;

    /** The current (or last) trainer attempt. */
    @JsonPropertyDescription("The current (or last) trainer attempt.")
    public AttemptStatus attempt;

    /** Restart counters. */
    @JsonPropertyDescription("Restart counters.")
    public RestartsStatus restarts;

    /** The most recent failure or disruption. */
    @JsonPropertyDescription("The most recent failure or disruption.")
    public FailureStatus lastFailure;

    /** Training progress as last reported by the trainer. */
    @JsonPropertyDescription("Training progress as last reported by the trainer.")
    public ProgressStatus progress;

    /** Latest training losses and learning rate. */
    @JsonPropertyDescription("Latest training losses and learning rate.")
    public TrainingMetricsStatus trainingMetrics;

    /** Checkpoint bookkeeping. */
    @JsonPropertyDescription("Checkpoint bookkeeping.")
    public CheckpointStatus checkpoint;

    /** Results of the downstream evaluations. */
    @JsonPropertyDescription("Results of the downstream evaluations.")
    public List<EvaluationStatus> evaluations;

    /** The headline evaluation result, such as 'seg mIoU=0.41'. */
    @JsonPropertyDescription("The headline evaluation result, such as 'seg mIoU=0.41'.")
    public String bestEvaluation;

    /** Training seconds lost to failures since their last checkpoint, summed over attempts. */
    @JsonPropertyDescription("Training seconds lost to failures since their last checkpoint, summed over attempts.")
    public Long lostWorkSeconds;

    /** Nodes where a device fault (exit 74) happened; later attempts avoid them. */
    @JsonPropertyDescription("Nodes where a device fault (exit 74) happened; later attempts avoid them.")
    public List<String> avoidNodes;

    /** resume.fromRun / fromPath resolved once, when the first attempt started; later attempts use this, not a new look-up. */
    @JsonPropertyDescription(
            "resume.fromRun / fromPath resolved when the first attempt started (source claim, directory, "
                    + "checkpoint epoch and step); every later attempt starts from it, even if the source run is gone.")
    public ResumeSourceStatus resumeSource;

    /** When each avoided node may be used again (node -> RFC 3339 time): a repaired node returns to the pool. */
    @JsonPropertyDescription("When each avoided node may be used again (node name -> RFC 3339 time): a repaired or "
            + "replaced node returns to the pool.")
    public java.util.Map<String, String> avoidNodesUntil;

    /** When the first attempt was started (RFC 3339). */
    @JsonPropertyDescription("When the first attempt was started (RFC 3339).")
    public String startTime;

    /** When the run reached Succeeded or Failed (RFC 3339). */
    @JsonPropertyDescription("When the run reached Succeeded or Failed (RFC 3339).")
    public String completionTime;
}
