package io.densecl.trainer.bench;

import ai.djl.ndarray.NDManager;
import io.densecl.contract.ExitCodes;
import io.densecl.contract.TrainerState;
import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.checkpoint.StateCodec;
import io.densecl.trainer.checkpoint.TrainingPosition;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.optim.FlatSgd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench checkpoint}: save and load time of a full DenseCL training state: the part of an asynchronous
 * checkpoint that blocks training, its background commit, a synchronous save, and load with verification.
 */
@Command(
        name = "checkpoint",
        mixinStandardHelpOptions = true,
        description = "Checkpoint save/commit/load times (best of N).")
final class CheckpointBench implements Callable<Integer> {
    @Option(names = "--backbone", defaultValue = "resnet50")
    String backbone;

    @Option(names = "--queue", defaultValue = "65536")
    int queue;

    @Option(names = "--out", required = true, description = "Directory the checkpoints are written to.")
    Path out;

    @Option(names = "--steps", defaultValue = "5", description = "Repeats of each measurement (best is reported).")
    int repeats;

    @Override
    public Integer call() throws Exception {
        Encoder enc = new Encoder(backbone, 2048, 128);
        try (NDManager m = NDManager.newBaseManager();
                DenseCLModel model = DenseCLModel.create(
                        enc, new DenseCLModel.Hyper(queue, 0.999, 0.2, 0.5, 0), Initializer.official(0), 0, m);
                FlatSgd sgd = new FlatSgd(model.query().params(), 0.9, 1e-4)) {
            CheckpointStore store = new CheckpointStore(out);
            double blocked = Double.MAX_VALUE; // training's wait with asynchronous commit: write + fsync
            double commit = Double.MAX_VALUE; // the commit thread's part: read-back SHA-256, manifest, rename
            double save = Double.MAX_VALUE; // a synchronous save (end of run, SIGTERM): hashed while written
            double load = Double.MAX_VALUE;
            long bytes = 0;
            long step = 0;
            // saves back to back, as a training run makes them; loads afterwards (each load allocates a fresh
            // state, and first-touching fresh memory is slow on these VMs, which would leak into the saves)
            for (int r = 0; r < Math.max(1, repeats); r++) {
                long t0 = System.nanoTime();
                CheckpointStore.Staged staged;
                try (StateCodec.HostState state = StateCodec.encode(model, sgd)) {
                    staged = store.stage(
                            new TrainingPosition(0, 0, ++step),
                            0,
                            "bench",
                            state.entries(),
                            benchState(step),
                            Map.of(),
                            false);
                }
                long t1 = System.nanoTime();
                store.commit(staged);
                blocked = Math.min(blocked, (t1 - t0) / 1e9);
                commit = Math.min(commit, (System.nanoTime() - t1) / 1e9);
                store.prune(1);
            }
            Path dir = null;
            for (int r = 0; r < Math.max(1, repeats); r++) {
                long t0 = System.nanoTime();
                try (StateCodec.HostState state = StateCodec.encode(model, sgd)) {
                    dir = store.save(
                            new TrainingPosition(0, 0, ++step),
                            0,
                            "bench",
                            state.entries(),
                            benchState(step),
                            Map.of());
                }
                save = Math.min(save, (System.nanoTime() - t0) / 1e9);
                store.prune(1);
            }
            bytes = Files.size(dir.resolve(CheckpointStore.STATE));
            for (int r = 0; r < Math.max(1, repeats); r++) {
                long t0 = System.nanoTime();
                CheckpointStore.Checkpoint cp = store.validate(dir).orElseThrow();
                try (io.densecl.trainer.io.SafeTensors.File state = cp.state()) {
                    StateCodec.decode(state, model, sgd, false);
                }
                load = Math.min(load, (System.nanoTime() - t0) / 1e9);
            }
            double mb = bytes / 1e6;
            System.out.printf(
                    Locale.ROOT,
                    "{\"backbone\": \"%s\", \"queue\": %d, \"best_of\": %d, \"state_mb\": %.1f, "
                            + "\"async_blocked_s\": %.2f, \"async_blocked_mb_per_s\": %.0f, \"async_commit_s\": %.2f, "
                            + "\"sync_save_s\": %.2f, \"sync_save_mb_per_s\": %.0f, \"load_verify_s\": %.2f, \"load_mb_per_s\": %.0f}%n",
                    backbone,
                    queue,
                    Math.max(1, repeats),
                    mb,
                    blocked,
                    mb / blocked,
                    commit,
                    save,
                    mb / save,
                    load,
                    mb / load);
        }
        return ExitCodes.COMPLETE;
    }

    /** A trainer.json for a bench checkpoint (no training happened). */
    private static TrainerState benchState(long step) {
        return new TrainerState(0, 0, step, 0, 0, 0, 0, "bench", null, null, null, null, null, null, null, null);
    }
}
