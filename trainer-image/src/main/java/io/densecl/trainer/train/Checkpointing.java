package io.densecl.trainer.train;

import io.densecl.contract.Progress;
import io.densecl.contract.RunConfig;
import io.densecl.contract.TrainerState;
import io.densecl.trainer.checkpoint.CheckpointPins;
import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.checkpoint.StateCodec;
import io.densecl.trainer.checkpoint.TrainingPosition;
import io.densecl.trainer.config.ConfigFingerprint;
import io.densecl.trainer.report.MetricsLog;
import io.densecl.trainer.report.RunTracking;
import io.densecl.trainer.report.ThroughputMeter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A run's checkpoints as the loop sees them: the store, the background committer, the configuration hash, the
 * metrics log beside them, this attempt, and the newest committed checkpoint. {@link #saveAsync} blocks only
 * for writing the state; {@link #saveNow} (end of run, stop request) commits before it returns. A state that is
 * not finite or has exploded ({@link StateGuard}) is never staged, and a write is a legitimate pause for
 * {@link Liveness}.
 */
final class Checkpointing implements AutoCloseable {
    private final RunConfig config;
    private final int attempt;
    private final TrainingSession session;
    private final Liveness liveness;
    private final CheckpointStore store;
    private final CheckpointCommitter committer;
    private final MetricsLog metrics;
    private final String configHash;
    /** TensorBoard beside metrics.csv; opened once the resumed step is known. */
    private RunTracking tracking;
    /** The newest committed checkpoint: written by the commit thread, read by the training thread. */
    private volatile Progress.LastCheckpoint lastCommitted;

    Checkpointing(RunConfig config, int attempt, TrainingSession session, Liveness liveness) {
        this.config = config;
        this.attempt = attempt;
        this.session = session;
        this.liveness = liveness;
        this.store = new CheckpointStore(Path.of(config.checkpoint.dir));
        this.committer = new CheckpointCommitter(store, config.checkpoint.keepLast, this::pinned);
        this.metrics = new MetricsLog(store.root());
        this.configHash = ConfigFingerprint.hash(ConfigFingerprint.of(config));
    }

    /** Loads where training starts (ResumePlanner) and forgets metrics rows of steps that were not checkpointed. */
    ResumePlanner.Plan resume() throws IOException {
        ResumePlanner.Plan plan = ResumePlanner.apply(config, store, session, configHash);
        metrics.truncateAfter(plan.position().globalStep());
        tracking = RunTracking.open(store.root(), attempt, plan.position().globalStep());
        return plan;
    }

    /** Appends a logged step to {@code metrics.csv}; {@code lambda} is the dense-loss weight of that step. */
    void log(Progress p, double lambda) throws IOException {
        metrics.append(p, lambda);
        if (tracking != null) tracking.logged(p, lambda);
    }

    /** The newest committed checkpoint of this attempt, or null. */
    Progress.LastCheckpoint lastCommitted() {
        return lastCommitted;
    }

    /**
     * A checkpoint during training: only writing and fsyncing the state blocks the next step (the tensors change
     * then); hashing, manifest, rename, LATEST and pruning follow on the commit thread.
     */
    void saveAsync(TrainingPosition pos, TrainStep.Result losses, ThroughputMeter meter) throws IOException {
        liveness.writeStarted(); // waiting for the previous commit and writing this state are legitimate pauses
        long t0;
        CheckpointStore.Staged staged;
        try {
            committer.await(); // one in flight at a time, in order
            StateGuard.check(session.model(), session.sgd(), pos.globalStep()); // a diverged state is never committed
            t0 = System.nanoTime();
            try (StateCodec.HostState state = StateCodec.encode(session.model(), session.sgd())) {
                staged = store.stage(
                        pos,
                        attempt,
                        configHash,
                        state.entries(),
                        trainerState(pos, losses, meter),
                        session.engineInfo(),
                        false);
            }
        } finally {
            liveness.writeEnded();
        }
        double blocked = (System.nanoTime() - t0) / 1e9;
        metrics.plot();
        committer.submit(staged, (dir, seconds) -> {
            lastCommitted = reference(dir, pos);
            System.err.printf(
                    "INFO checkpoint %s written in %.2f s (training blocked), committed %.2f s later%n",
                    dir, blocked, seconds);
        });
    }

    /** Epochs an evaluation has yet to read (checkpoint.pinFile, re-read at every prune: the operator updates it). */
    private java.util.Set<Integer> pinned() {
        return CheckpointPins.read(config.checkpoint.pinFile == null ? null : Path.of(config.checkpoint.pinFile));
    }

    /** A synchronous checkpoint: hashed while written, committed and pruned before it returns. */
    Path saveNow(TrainingPosition pos, TrainStep.Result losses, ThroughputMeter meter) throws IOException {
        long t0;
        Path dir;
        liveness.writeStarted();
        try {
            committer.await();
            StateGuard.check(session.model(), session.sgd(), pos.globalStep()); // a diverged state is never committed
            t0 = System.nanoTime();
            try (StateCodec.HostState state = StateCodec.encode(session.model(), session.sgd())) {
                dir = store.save(
                        pos,
                        attempt,
                        configHash,
                        state.entries(),
                        trainerState(pos, losses, meter),
                        session.engineInfo());
            }
        } finally {
            liveness.writeEnded();
        }
        store.prune(config.checkpoint.keepLast, pinned());
        metrics.plot();
        lastCommitted = reference(dir, pos);
        System.err.printf("INFO checkpoint %s written in %.2f s%n", dir, (System.nanoTime() - t0) / 1e9);
        return dir;
    }

    /**
     * The checkpoint the run ends on: waits for a commit in flight, then saves {@code pos} unless it is already
     * saved ({@code savedAtEnd}) or nothing was ever committed or resumed from.
     */
    Path finish(
            TrainingPosition pos,
            boolean savedAtEnd,
            Progress.ResumedFrom from,
            TrainStep.Result losses,
            ThroughputMeter meter)
            throws IOException {
        committer.await();
        Progress.LastCheckpoint last = lastCommitted;
        Path dir = last != null ? Path.of(last.path()) : from == null ? null : Path.of(from.path());
        return savedAtEnd && dir != null ? dir : saveNow(pos, losses, meter);
    }

    /** {@code trainer.json}: position, queue pointers, config and its fingerprint, last losses. */
    private TrainerState trainerState(TrainingPosition pos, TrainStep.Result losses, ThroughputMeter meter) {
        long[] queues = session.model().queuePointers();
        return new TrainerState(
                pos.epoch(),
                pos.stepInEpoch(),
                pos.globalStep(),
                queues[0],
                queues[1],
                config.training.seed,
                attempt,
                configHash,
                ConfigFingerprint.of(config),
                config,
                losses == null ? null : (double) losses.loss(),
                losses == null ? null : (double) losses.lossGlobal(),
                losses == null ? null : (double) losses.lossDense(),
                losses == null ? null : losses.lossContraSingle(),
                losses == null ? null : losses.lossContraDense(),
                meter.imagesPerSecond());
    }

    private static Progress.LastCheckpoint reference(Path dir, TrainingPosition pos) {
        return new Progress.LastCheckpoint(
                dir.toString(), pos.epoch(), pos.globalStep(), Instant.now().toString());
    }

    /** Lets a commit in flight finish (its checkpoint is valid), then stops the commit thread. */
    @Override
    public void close() {
        committer.close();
        if (tracking != null) tracking.close();
    }
}
