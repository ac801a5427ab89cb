package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Checkpoint bookkeeping of a run. */
@JsonClassDescription("Checkpoint bookkeeping of a run.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointStatus {

    /** Directory of the run's checkpoints inside the checkpoint claim. */
    @JsonPropertyDescription("Directory of the run's checkpoints inside the checkpoint claim.")
    public String dir;

    /** Name of the checkpoint claim. */
    @JsonPropertyDescription("Name of the checkpoint claim.")
    public String claimName;

    /** The newest checkpoint known to the operator. */
    @JsonPropertyDescription("The newest checkpoint known to the operator.")
    public CheckpointRef latest;
}
