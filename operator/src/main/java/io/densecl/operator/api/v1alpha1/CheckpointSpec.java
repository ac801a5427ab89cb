package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.densecl.contract.Limits;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Checkpoint storage (an existing claim, or one the operator creates) and how often checkpoints are written. */
@JsonClassDescription(
        "Checkpoint storage (an existing claim, or one the operator creates) and how often checkpoints are written.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.claimName) || (!has(self.size) && !has(self.storageClassName))",
        message =
                "spec.checkpoint: set either claimName (an existing claim) or size/storageClassName (a created claim), not both")
public class CheckpointSpec {

    /** Existing PersistentVolumeClaim for checkpoints; when empty the operator creates <run>-checkpoints. */
    @JsonPropertyDescription(
            "Existing PersistentVolumeClaim for checkpoints; when empty the operator creates <run>-checkpoints.")
    @Size(max = 253)
    public String claimName;

    /** Size of the claim the operator creates (default 50Gi). */
    @JsonPropertyDescription("Size of the claim the operator creates (default 50Gi).")
    @Pattern(Quantities.PATTERN)
    @Size(max = 64)
    public String size;

    /** Storage class of the claim the operator creates; empty means the cluster default. */
    @JsonPropertyDescription("Storage class of the claim the operator creates; empty means the cluster default.")
    @Size(max = 253)
    public String storageClassName;

    /** Write a checkpoint every this many epochs; 0 disables. */
    @JsonPropertyDescription("Write a checkpoint every this many epochs; 0 disables.")
    @Default("1")
    @Min(0)
    public Integer intervalEpochs = 1;

    /** Write a checkpoint at least every this many minutes (at most a year, 525600); 0 disables. */
    @JsonPropertyDescription(
            "Write a checkpoint at least every this many minutes (at most a year, 525600); 0 disables.")
    @Default("30")
    @Min(0)
    @Max(Limits.MAX_INTERVAL_MINUTES)
    public Integer intervalMinutes = 30;

    /** Write a checkpoint every this many optimiser steps; 0 disables. */
    @JsonPropertyDescription("Write a checkpoint every this many optimiser steps; 0 disables.")
    @Default("0")
    @Min(0)
    public Integer intervalSteps = 0;

    /** Number of checkpoints to keep; the latest valid one is never deleted. */
    @JsonPropertyDescription("Number of checkpoints to keep; the latest valid one is never deleted.")
    @Default("3")
    @Min(Limits.MIN_KEEP_LAST)
    public Integer keepLast = 3;

    /** What happens to a created checkpoint claim when the run is deleted. */
    @JsonPropertyDescription("What happens to a created checkpoint claim when the run is deleted.")
    @Default("Retain")
    public OnDelete onDelete = OnDelete.Retain;

    /** Fate of a created checkpoint claim on run deletion. */
    public enum OnDelete {
        Retain,
        Delete
    }
}
