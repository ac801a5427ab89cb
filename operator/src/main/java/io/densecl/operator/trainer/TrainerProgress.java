package io.densecl.operator.trainer;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The trainer's {@code GET /progress} document (docs/contract.md). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TrainerProgress(String phase, Integer attempt, Integer epoch, Integer totalEpochs, Long step,
        Long totalSteps, Long stepsPerEpoch, Double loss, Double lossGlobal, Double lossDense, Double lr,
        Double imagesPerSecond, Long etaSeconds, LastCheckpoint lastCheckpoint,
        TerminationMessage.Position resumedFrom) {

    /** The newest checkpoint the trainer wrote. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LastCheckpoint(String path, Integer epoch, Long step, String time) {
    }
}
