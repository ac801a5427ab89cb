package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A failure or disruption of an attempt, or a spec the operator rejected. */
@JsonClassDescription("A failure or disruption of an attempt, or a spec the operator rejected.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailureStatus {

    /** Machine-readable reason, such as OOMKilled, ConfigError or PreemptionByScheduler. */
    @JsonPropertyDescription("Machine-readable reason, such as OOMKilled, ConfigError or PreemptionByScheduler.")
    public String reason;

    /** Whether it was charged to backoffLimit (Counted), maxDisruptions (Disruption), to no budget (NotCounted: another trainer still held the checkpoints) or ended the run (Fatal). */
    @JsonPropertyDescription(
            "Whether it was charged to backoffLimit (Counted), maxDisruptions (Disruption), to no budget (NotCounted: another trainer still held the checkpoints) or ended the run (Fatal).")
    public String kind;

    /** Exit code of the trainer container, if it exited. */
    @JsonPropertyDescription("Exit code of the trainer container, if it exited.")
    public Integer exitCode;

    /** Human-readable message. */
    @JsonPropertyDescription("Human-readable message.")
    public String message;

    /** The spec field at fault, if known. */
    @JsonPropertyDescription("The spec field at fault, if known.")
    public String field;

    /** Attempt that failed. */
    @JsonPropertyDescription("Attempt that failed.")
    public Integer attempt;

    /** When it happened (RFC 3339). */
    @JsonPropertyDescription("When it happened (RFC 3339).")
    public String time;
}
