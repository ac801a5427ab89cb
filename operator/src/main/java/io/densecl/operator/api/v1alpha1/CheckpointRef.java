package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A checkpoint written by the trainer. */
@JsonClassDescription("A checkpoint written by the trainer.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointRef {

    /** Path of the checkpoint directory as seen in the pod. */
    @JsonPropertyDescription("Path of the checkpoint directory as seen in the pod.")
    public String path;

    /** Epochs completed at the checkpoint. */
    @JsonPropertyDescription("Epochs completed at the checkpoint.")
    public Integer epoch;

    /** Global optimiser step at the checkpoint. */
    @JsonPropertyDescription("Global optimiser step at the checkpoint.")
    public Long step;

    /** When it was written (RFC 3339). */
    @JsonPropertyDescription("When it was written (RFC 3339).")
    public String time;

    public CheckpointRef() {}

    public CheckpointRef(String path, Integer epoch, Long step, String time) {
        this.path = path;
        this.epoch = epoch;
        this.step = step;
        this.time = time;
    }
}
