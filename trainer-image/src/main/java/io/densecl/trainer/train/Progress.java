package io.densecl.trainer.train;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An immutable snapshot of training progress, served on {@code GET /progress} (docs/contract.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Progress(
        String phase,
        int attempt,
        int epoch,
        int totalEpochs,
        long step,
        long totalSteps,
        int stepsPerEpoch,
        Double loss,
        Double lossGlobal,
        Double lossDense,
        Double lr,
        Double imagesPerSecond,
        Long etaSeconds,
        CheckpointRef lastCheckpoint,
        Resumed resumedFrom,
        int skippedFiles) {

    /** The newest checkpoint written. */
    public record CheckpointRef(String path, int epoch, long step, String time) {}

    /** Where this attempt started from. */
    public record Resumed(int epoch, long step, String path) {}

    public static Progress starting(int attempt) {
        return new Progress("Starting", attempt, 0, 0, 0, 0, 0, null, null, null, null, null, null, null, null, 0);
    }
}
