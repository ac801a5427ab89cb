package io.densecl.trainer.train;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An immutable snapshot of training progress, served on {@code GET /progress} (docs/contract.md).
 * {@code lossGlobal} and {@code lossDense} are the two InfoNCE terms unweighted;
 * {@code lossContraSingle} = (1-lambda)·lossGlobal and {@code lossContraDense} = lambda·lossDense are the
 * numbers the official DenseCL logs print as {@code loss_contra_single} / {@code loss_contra_dense};
 * {@code loss} is their sum in both conventions.
 */
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
        int skippedFiles,
        Double lossContraSingle,
        Double lossContraDense) {

    /** Without the weighted losses (set them with {@link #withWeightedLosses}). */
    public Progress(String phase, int attempt, int epoch, int totalEpochs, long step, long totalSteps, int stepsPerEpoch,
                    Double loss, Double lossGlobal, Double lossDense, Double lr, Double imagesPerSecond, Long etaSeconds,
                    CheckpointRef lastCheckpoint, Resumed resumedFrom, int skippedFiles) {
        this(phase, attempt, epoch, totalEpochs, step, totalSteps, stepsPerEpoch, loss, lossGlobal, lossDense, lr, imagesPerSecond,
                etaSeconds, lastCheckpoint, resumedFrom, skippedFiles, null, null);
    }

    /** This snapshot with the official-log (lambda-weighted) losses of {@code r}; unchanged when r is null. */
    public Progress withWeightedLosses(TrainStep.Result r) {
        return r == null ? this : new Progress(phase, attempt, epoch, totalEpochs, step, totalSteps, stepsPerEpoch, loss, lossGlobal,
                lossDense, lr, imagesPerSecond, etaSeconds, lastCheckpoint, resumedFrom, skippedFiles, r.lossContraSingle(), r.lossContraDense());
    }

    /** The newest checkpoint written. */
    public record CheckpointRef(String path, int epoch, long step, String time) {}

    /** Where this attempt started from. */
    public record Resumed(int epoch, long step, String path) {}

    public static Progress starting(int attempt) {
        return new Progress("Starting", attempt, 0, 0, 0, 0, 0, null, null, null, null, null, null, null, null, 0);
    }
}
