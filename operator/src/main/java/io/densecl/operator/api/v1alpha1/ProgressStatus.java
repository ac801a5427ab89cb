package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Training progress as last reported by the trainer's /progress endpoint or termination message. */
@JsonClassDescription("Training progress as last reported by the trainer's /progress endpoint or termination message.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProgressStatus {

    /** Epoch in progress (1-based). */
    @JsonPropertyDescription("Epoch in progress (1-based).")
    public Integer epoch;

    /** Epochs to train in total. */
    @JsonPropertyDescription("Epochs to train in total.")
    public Integer totalEpochs;

    /** Global optimiser step. */
    @JsonPropertyDescription("Global optimiser step.")
    public Long step;

    /** Percentage of all steps done. */
    @JsonPropertyDescription("Percentage of all steps done.")
    public Integer percent;

    /** Training throughput. */
    @JsonPropertyDescription("Training throughput.")
    public Double imagesPerSecond;

    /** Estimated seconds until training completes. */
    @JsonPropertyDescription("Estimated seconds until training completes.")
    public Long etaSeconds;

    /** When the step last changed (RFC 3339); the progress deadline is measured from it. */
    @JsonPropertyDescription("When the step last changed (RFC 3339); the progress deadline is measured from it.")
    public String lastAdvanceTime;
}
