package io.densecl.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.densecl.contract.Progress;
import io.densecl.contract.RunConfig;
import io.densecl.trainer.checkpoint.TrainingPosition;
import io.densecl.trainer.data.HostBatch;
import io.densecl.trainer.data.ImageSource;
import io.densecl.trainer.data.MocoV2Augment;
import io.densecl.trainer.data.TurboJpeg;
import io.densecl.trainer.data.TwoViewLoader;
import io.densecl.trainer.optim.LrSchedule;
import io.densecl.trainer.report.ProgressLog;
import io.densecl.trainer.report.ThroughputMeter;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/**
 * The DenseCL pre-training loop: from where {@link Checkpointing#resume} says, epochs of batch, step, guard,
 * advance, report and maybe checkpoint, then a final checkpoint when the run ends or a stop (SIGTERM) is requested.
 */
public final class PretrainLoop {
    private final RunConfig config;
    private final int attempt;
    private final StopSignal stop;
    private volatile Progress progress;
    private final Liveness liveness = new Liveness();

    /** How the run ended, for the exit code and the termination message. */
    public record Result(
            boolean complete,
            TrainingPosition position,
            Path lastCheckpoint,
            TrainStep.Result lastLosses,
            double imagesPerSecond,
            int skippedFiles,
            Progress.ResumedFrom resumedFrom) {}

    public PretrainLoop(RunConfig config, int attempt, StopSignal stop) {
        this.config = config;
        this.attempt = attempt;
        this.stop = stop;
        this.progress = Progress.starting(attempt);
    }

    /** The latest progress snapshot (read by the HTTP endpoint thread). */
    public Progress progress() {
        return progress;
    }

    /** Whether steps are still completing (read by {@code /healthz}). */
    public Liveness liveness() {
        return liveness;
    }

    public Result run() throws IOException {
        RunConfig c = config;
        ImageSource source = ImageSource.open(Path.of(c.data.path), c.data.format.name());
        try (TrainingSession s = new TrainingSession(c);
                TwoViewLoader loader = new TwoViewLoader(
                        source,
                        new MocoV2Augment(c.training.imageSize),
                        c.training.batchSize,
                        c.training.seed,
                        c.training.workers,
                        new TwoViewLoader.Limits(c.data.maxImagePixels, c.data.maxUnreadableFraction));
                Checkpointing checkpoints = new Checkpointing(c, attempt, s, liveness);
                DataParallelStep parallel = s.replicas().size() > 1
                        ? new DataParallelStep(s, c.training.batchSize, c.training.imageSize)
                        : null) {
            ResumePlanner.Plan plan = checkpoints.resume();
            TrainingPosition pos = plan.position();
            int stepsPerEpoch = c.training.maxStepsPerEpoch > 0
                    ? Math.min(c.training.maxStepsPerEpoch, loader.stepsPerEpoch())
                    : loader.stepsPerEpoch();
            System.err.printf(
                    "INFO %d images, %d steps/epoch, %d epochs, backbone %s, batch %d, device(s) %s, JPEG decoder %s%n",
                    source.size(),
                    stepsPerEpoch,
                    c.training.epochs,
                    c.model.backbone,
                    c.training.batchSize,
                    String.join(",", c.deviceList()),
                    TurboJpeg.describe());
            LrSchedule schedule =
                    new LrSchedule(c.training.lr, c.training.batchSize, c.training.epochs, c.training.schedule);
            TrainStep step = new TrainStep(s.model(), s.sgd());
            CheckpointTriggers triggers = new CheckpointTriggers(
                    c.checkpoint.intervalEpochs,
                    c.checkpoint.intervalMinutes,
                    c.checkpoint.intervalSteps,
                    System.nanoTime(),
                    pos.globalStep());
            ThroughputMeter meter = new ThroughputMeter(c.training.batchSize);
            ProgressSnapshots snapshots = new ProgressSnapshots(attempt, c.training.epochs, stepsPerEpoch, plan.from());
            Shape shape = new Shape(c.training.batchSize, 3, c.training.imageSize, c.training.imageSize);
            TrainStep.Result losses = null;
            for (int epoch = pos.epoch(); epoch < c.training.epochs && !stop.requested(); epoch++) {
                double lr = schedule.at(epoch);
                loader.seek(epoch, pos.stepInEpoch());
                for (int i = pos.stepInEpoch(); i < stepsPerEpoch && !stop.requested(); i++) {
                    HostBatch batch = loader.next();
                    losses = step(
                            s, parallel == null ? step : null, parallel, meter, batch, shape, lr, pos.globalStep());
                    liveness.stepped();
                    guard(losses, pos);
                    boolean endOfEpoch = i + 1 == stepsPerEpoch;
                    pos = endOfEpoch
                            ? new TrainingPosition(epoch + 1, 0, pos.globalStep() + 1)
                            : new TrainingPosition(epoch, i + 1, pos.globalStep() + 1);
                    progress = snapshots.training(
                            epoch + 1,
                            pos,
                            losses,
                            lr,
                            meter,
                            checkpoints.lastCommitted(),
                            loader.skipped().size());
                    if (shouldLog(pos.globalStep(), endOfEpoch)) {
                        ProgressLog.print(progress);
                        checkpoints.log(progress, losses.lambda());
                    }
                    if (triggers.due(pos.globalStep(), epoch, endOfEpoch, System.nanoTime())) {
                        checkpoints.saveAsync(pos, losses, meter);
                        triggers.saved(pos.globalStep(), System.nanoTime());
                    }
                }
            }
            boolean complete = pos.epoch() >= c.training.epochs;
            Path last = checkpoints.finish(pos, triggers.savedAt(pos.globalStep()), plan.from(), losses, meter);
            progress = snapshots.ended(
                    complete,
                    pos,
                    losses,
                    schedule.at(Math.min(pos.epoch(), c.training.epochs - 1)),
                    meter,
                    checkpoints.lastCommitted(),
                    loader.skipped().size());
            reportSkipped(loader);
            return new Result(
                    complete,
                    pos,
                    last,
                    losses,
                    meter.imagesPerSecond(),
                    loader.skipped().size(),
                    plan.from());
        }
    }

    /**
     * One optimiser step on a host batch (copied to the device here, or sliced over the replicas by the
     * data-parallel step); the meter times it including the wait for data.
     */
    private static TrainStep.Result step(
            TrainingSession s,
            TrainStep step,
            DataParallelStep parallel,
            ThroughputMeter meter,
            HostBatch batch,
            Shape shape,
            double lr,
            long globalStep) {
        meter.stepStarted();
        TrainStep.Result losses;
        if (parallel != null) {
            losses = parallel.run(batch.viewQ(), batch.viewK(), lr, globalStep);
        } else {
            try (NDArray imQ = s.manager().create(FloatBuffer.wrap(batch.viewQ()), shape);
                    NDArray imK = s.manager().create(FloatBuffer.wrap(batch.viewK()), shape)) {
                losses = step.run(imQ, imK, lr, globalStep);
            }
        }
        meter.stepEnded();
        return losses;
    }

    /** A non-finite loss ends the attempt before anything of it can be checkpointed. */
    private static void guard(TrainStep.Result losses, TrainingPosition before) {
        if (!Float.isFinite(losses.loss())) {
            throw new TrainingDivergedException("loss is " + losses.loss() + " at step " + (before.globalStep() + 1)
                    + " (learning rate too high?); not checkpointing a diverged state");
        }
    }

    private static boolean shouldLog(long globalStep, boolean endOfEpoch) {
        return globalStep <= 3 || globalStep % 10 == 0 || endOfEpoch;
    }

    private static void reportSkipped(TwoViewLoader loader) {
        if (!loader.skipped().isEmpty()) {
            System.err.printf(
                    "WARN %d unreadable file(s) were skipped:%n",
                    loader.skipped().size());
            loader.unreadableFiles().values().forEach(v -> System.err.println("  " + v));
        }
    }
}
