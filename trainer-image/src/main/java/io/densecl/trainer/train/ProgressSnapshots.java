package io.densecl.trainer.train;

import io.densecl.contract.Progress;
import io.densecl.trainer.checkpoint.TrainingPosition;
import io.densecl.trainer.report.ThroughputMeter;

/** Builds the loop's {@code /progress} snapshots: the run's constants once, each step's values per call. */
final class ProgressSnapshots {
    private final int attempt;
    private final int totalEpochs;
    private final long totalSteps;
    private final int stepsPerEpoch;
    private final Progress.ResumedFrom resumedFrom;

    ProgressSnapshots(int attempt, int totalEpochs, int stepsPerEpoch, Progress.ResumedFrom resumedFrom) {
        this.attempt = attempt;
        this.totalEpochs = totalEpochs;
        this.stepsPerEpoch = stepsPerEpoch;
        this.totalSteps = (long) stepsPerEpoch * totalEpochs;
        this.resumedFrom = resumedFrom;
    }

    long totalSteps() {
        return totalSteps;
    }

    /** After a step of (1-based) epoch {@code epochInProgress}; {@code pos} is where training now stands. */
    Progress training(
            int epochInProgress,
            TrainingPosition pos,
            TrainStep.Result losses,
            double lr,
            ThroughputMeter meter,
            Progress.LastCheckpoint last,
            int skippedFiles) {
        return snapshot(
                Progress.Phase.Training,
                epochInProgress,
                pos,
                losses,
                lr,
                meter,
                meter.etaSeconds(totalSteps - pos.globalStep()),
                last,
                skippedFiles);
    }

    /** At the end of the run ({@code Complete}) or of this attempt ({@code Checkpointed}). */
    Progress ended(
            boolean complete,
            TrainingPosition pos,
            TrainStep.Result losses,
            double lr,
            ThroughputMeter meter,
            Progress.LastCheckpoint last,
            int skippedFiles) {
        return snapshot(
                complete ? Progress.Phase.Complete : Progress.Phase.Checkpointed,
                pos.epoch(),
                pos,
                losses,
                lr,
                meter,
                0,
                last,
                skippedFiles);
    }

    private Progress snapshot(
            Progress.Phase phase,
            int epoch,
            TrainingPosition pos,
            TrainStep.Result losses,
            double lr,
            ThroughputMeter meter,
            long etaSeconds,
            Progress.LastCheckpoint last,
            int skippedFiles) {
        return new Progress(
                phase,
                null,
                attempt,
                epoch,
                totalEpochs,
                pos.globalStep(),
                totalSteps,
                stepsPerEpoch,
                losses == null ? null : (double) losses.loss(),
                losses == null ? null : (double) losses.lossGlobal(),
                losses == null ? null : (double) losses.lossDense(),
                losses == null ? null : losses.lossContraSingle(),
                losses == null ? null : losses.lossContraDense(),
                lr,
                meter.imagesPerSecond(),
                etaSeconds,
                last,
                resumedFrom,
                skippedFiles);
    }
}
