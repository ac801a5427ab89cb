package io.densecl.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.checkpoint.StateCodec;
import io.densecl.trainer.checkpoint.TrainingPosition;
import io.densecl.trainer.config.ConfigFingerprint;
import io.densecl.trainer.config.RunConfig;
import io.densecl.trainer.data.HostBatch;
import io.densecl.trainer.data.ImageSource;
import io.densecl.trainer.data.MocoV2Augment;
import io.densecl.trainer.data.TwoViewLoader;
import io.densecl.trainer.optim.LrSchedule;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The DenseCL pre-training loop. It owns resume: it asks {@link ResumePlanner} where to start, then
 * runs epochs from that exact step, checkpoints on the configured triggers, on a stop request
 * (SIGTERM) and at the end, and publishes progress.
 */
public final class PretrainLoop {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RunConfig config;
    private final int attempt;
    private final StopSignal stop;
    private volatile Progress progress;
    private final Liveness liveness = new Liveness();
    /** The newest committed checkpoint: written by the commit thread, read by the training thread. */
    private volatile Progress.CheckpointRef lastRef;

    /** How the run ended, for the exit code and the termination message. */
    public record Result(boolean complete, TrainingPosition position, Path lastCheckpoint, TrainStep.Result lastLosses,
                         double imagesPerSecond, int skippedFiles, Progress.Resumed resumedFrom) {}

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
        ImageSource source = ImageSource.open(Path.of(c.data.path), c.data.format);
        String hash = ConfigFingerprint.hash(ConfigFingerprint.of(c));
        CheckpointStore store = new CheckpointStore(Path.of(c.checkpoint.dir));
        MetricsLog metrics = new MetricsLog(store.root());
        try (TrainingSession s = new TrainingSession(c);
             TwoViewLoader loader = new TwoViewLoader(source, new MocoV2Augment(c.training.imageSize), c.training.batchSize,
                     c.training.seed, c.training.workers, new TwoViewLoader.Limits(c.data.maxImagePixels, c.data.maxUnreadableFraction));
             CheckpointCommitter committer = new CheckpointCommitter(store, c.checkpoint.keepLast)) {
            ResumePlanner.Plan plan = ResumePlanner.apply(c, store, s, hash);
            TrainingPosition pos = plan.position();
            metrics.truncateAfter(pos.globalStep());
            int stepsPerEpoch = c.training.maxStepsPerEpoch > 0 ? Math.min(c.training.maxStepsPerEpoch, loader.stepsPerEpoch()) : loader.stepsPerEpoch();
            long totalSteps = (long) stepsPerEpoch * c.training.epochs;
            System.err.printf("INFO %d images, %d steps/epoch, %d epochs, backbone %s, batch %d, device %s, JPEG decoder %s%n",
                    source.size(), stepsPerEpoch, c.training.epochs, c.model.backbone, c.training.batchSize, s.device(),
                    io.densecl.trainer.data.TurboJpeg.describe());
            LrSchedule schedule = new LrSchedule(c.training.lr, c.training.batchSize, c.training.epochs, c.training.schedule);
            TrainStep step = new TrainStep(s.model(), s.sgd());
            CheckpointTriggers triggers = new CheckpointTriggers(c.checkpoint.intervalEpochs, c.checkpoint.intervalMinutes,
                    c.checkpoint.intervalSteps, System.nanoTime(), pos.globalStep());
            ThroughputMeter meter = new ThroughputMeter(c.training.batchSize);
            Path last = plan.from() == null ? null : Path.of(plan.from().path());
            TrainStep.Result losses = null;
            Shape shape = new Shape(c.training.batchSize, 3, c.training.imageSize, c.training.imageSize);
            for (int epoch = pos.epoch(); epoch < c.training.epochs && !stop.requested(); epoch++) {
                double lr = schedule.at(epoch);
                loader.seek(epoch, pos.stepInEpoch());
                for (int i = pos.stepInEpoch(); i < stepsPerEpoch && !stop.requested(); i++) {
                    HostBatch batch = loader.next();
                    meter.stepStarted();
                    try (NDArray imQ = s.manager().create(FloatBuffer.wrap(batch.viewQ()), shape);
                         NDArray imK = s.manager().create(FloatBuffer.wrap(batch.viewK()), shape)) {
                        losses = step.run(imQ, imK, lr, pos.globalStep());
                    }
                    meter.stepEnded();
                    liveness.stepped();
                    if (!Float.isFinite(losses.loss())) {
                        throw new TrainingDivergedException("loss is " + losses.loss() + " at step " + (pos.globalStep() + 1)
                                + " (learning rate too high?); not checkpointing a diverged state");
                    }
                    pos = i + 1 == stepsPerEpoch ? new TrainingPosition(epoch + 1, 0, pos.globalStep() + 1)
                            : new TrainingPosition(epoch, i + 1, pos.globalStep() + 1);
                    long eta = meter.etaSeconds(totalSteps - pos.globalStep());
                    progress = new Progress("Training", attempt, epoch + 1, c.training.epochs, pos.globalStep(), totalSteps,
                            stepsPerEpoch, (double) losses.loss(), (double) losses.lossGlobal(), (double) losses.lossDense(), lr,
                            meter.imagesPerSecond(), eta, lastRef, plan.from(), loader.skipped().size());
                    if (shouldLog(pos.globalStep(), i, stepsPerEpoch)) {
                        ProgressLog.print(progress);
                        metrics.append(pos.globalStep(), epoch + 1, losses, lr, meter.imagesPerSecond(), attempt);
                    }
                    boolean endOfEpoch = i + 1 == stepsPerEpoch;
                    if ((!endOfEpoch && triggers.afterStep(pos.globalStep(), System.nanoTime()))
                            || (endOfEpoch && triggers.afterEpoch(epoch, pos.globalStep()))) {
                        checkpointAsync(committer, store, pos, hash, s, losses, meter, metrics);
                        triggers.saved(pos.globalStep(), System.nanoTime());
                    }
                }
            }
            boolean complete = pos.epoch() >= c.training.epochs;
            committer.await();
            if (lastRef != null) { // only commits have set it so far
                last = Path.of(lastRef.path());
            }
            if (!triggers.savedAt(pos.globalStep()) || last == null) {
                last = save(store, pos, hash, s, losses, meter, metrics);
                lastRef = ref(last, pos);
            }
            progress = new Progress(complete ? "Complete" : "Checkpointed", attempt, pos.epoch(), c.training.epochs,
                    pos.globalStep(), totalSteps, stepsPerEpoch, losses == null ? null : (double) losses.loss(),
                    losses == null ? null : (double) losses.lossGlobal(), losses == null ? null : (double) losses.lossDense(),
                    schedule.at(Math.min(pos.epoch(), c.training.epochs - 1)), meter.imagesPerSecond(), 0L, lastRef, plan.from(),
                    loader.skipped().size());
            if (!loader.skipped().isEmpty()) {
                System.err.printf("WARN %d unreadable file(s) were skipped:%n", loader.skipped().size());
                loader.unreadableFiles().values().forEach(v -> System.err.println("  " + v));
            }
            return new Result(complete, pos, last, losses, meter.imagesPerSecond(), loader.skipped().size(), plan.from());
        }
    }

    private boolean shouldLog(long globalStep, int stepInEpoch, int stepsPerEpoch) {
        return globalStep <= 3 || globalStep % 10 == 0 || stepInEpoch + 1 == stepsPerEpoch;
    }

    /** A synchronous checkpoint (end of run, stop request): hashed while written, committed, pruned. */
    private Path save(CheckpointStore store, TrainingPosition pos, String hash, TrainingSession s, TrainStep.Result losses,
                      ThroughputMeter meter, MetricsLog metrics) throws IOException {
        StateGuard.check(s.model(), s.sgd(), pos.globalStep()); // a diverged state is never committed
        long t0 = System.nanoTime();
        Path dir;
        liveness.writeStarted();
        try (StateCodec.HostState state = StateCodec.encode(s.model(), s.sgd())) {
            dir = store.save(pos, attempt, hash, state.entries(), trainerState(pos, hash, s, losses, meter),
                    TrainingSession.engineInfo(s.device()));
        } finally {
            liveness.writeEnded();
        }
        store.prune(config.checkpoint.keepLast);
        metrics.plot();
        System.err.printf("INFO checkpoint %s written in %.2f s%n", dir, (System.nanoTime() - t0) / 1e9);
        return dir;
    }

    /**
     * A checkpoint during training: only writing and fsyncing the state blocks the next step (the
     * tensors change then); hashing, manifest, rename, LATEST and pruning follow on the commit thread.
     */
    private void checkpointAsync(CheckpointCommitter committer, CheckpointStore store, TrainingPosition pos, String hash,
                                 TrainingSession s, TrainStep.Result losses, ThroughputMeter meter, MetricsLog metrics)
            throws IOException {
        liveness.writeStarted(); // waiting for the previous commit and writing this state are legitimate pauses
        long t0;
        CheckpointStore.Staged staged;
        try {
            committer.await(); // one in flight at a time, in order
            StateGuard.check(s.model(), s.sgd(), pos.globalStep()); // a diverged state is never committed
            t0 = System.nanoTime();
            try (StateCodec.HostState state = StateCodec.encode(s.model(), s.sgd())) {
                staged = store.stage(pos, attempt, hash, state.entries(), trainerState(pos, hash, s, losses, meter),
                        TrainingSession.engineInfo(s.device()), false);
            }
        } finally {
            liveness.writeEnded();
        }
        double blocked = (System.nanoTime() - t0) / 1e9;
        metrics.plot();
        committer.submit(staged, (dir, seconds) -> {
            lastRef = ref(dir, pos);
            System.err.printf("INFO checkpoint %s written in %.2f s (training blocked), committed %.2f s later%n",
                    dir, blocked, seconds);
        });
    }

    /** {@code trainer.json}: position, queue pointers, config and its fingerprint, last losses. */
    private ObjectNode trainerState(TrainingPosition pos, String hash, TrainingSession s, TrainStep.Result losses,
                                    ThroughputMeter meter) {
        ObjectNode trainer = JSON.createObjectNode();
        trainer.put("epoch", pos.epoch());
        trainer.put("stepInEpoch", pos.stepInEpoch());
        trainer.put("globalStep", pos.globalStep());
        trainer.put("queuePtr", s.model().queuePointers()[0]);
        trainer.put("queue2Ptr", s.model().queuePointers()[1]);
        trainer.put("seed", config.training.seed);
        trainer.put("attempt", attempt);
        trainer.put("configHash", hash);
        trainer.set("fingerprint", ConfigFingerprint.of(config));
        trainer.set("config", JSON.valueToTree(config));
        if (losses != null) {
            trainer.put("loss", losses.loss());
            trainer.put("lossGlobal", losses.lossGlobal());
            trainer.put("lossDense", losses.lossDense());
        }
        trainer.put("imagesPerSecond", meter.imagesPerSecond());
        return trainer;
    }

    private static Progress.CheckpointRef ref(Path dir, TrainingPosition pos) {
        return new Progress.CheckpointRef(dir.toString(), pos.epoch(), pos.globalStep(), Instant.now().toString());
    }
}
