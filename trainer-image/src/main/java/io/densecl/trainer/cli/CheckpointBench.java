package io.densecl.trainer.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/** Save (fsynced, hashed) and load (verified) time of a full DenseCL training state. */
final class CheckpointBench {
    private CheckpointBench() {}

    static int run(String backbone, int queue, Path out, int repeats) throws Exception {
        Encoder enc = new Encoder(backbone, 2048, 128);
        try (NDManager m = NDManager.newBaseManager();
             DenseCLModel model = DenseCLModel.create(enc, new DenseCLModel.Hyper(queue, 0.999, 0.2, 0.5, 0), Initializer.official(0), 0, m);
             FlatSgd sgd = new FlatSgd(model.query().params(), 0.9, 1e-4)) {
            CheckpointStore store = new CheckpointStore(out);
            double save = Double.MAX_VALUE;
            double load = Double.MAX_VALUE;
            long bytes = 0;
            for (int r = 0; r < Math.max(1, repeats); r++) {
                long t0 = System.nanoTime();
                Path dir;
                try (StateCodec.HostState state = StateCodec.encode(model, sgd)) {
                    dir = store.save(new TrainingPosition(0, 0, r + 1), 0, "bench", state.entries(),
                            new ObjectMapper().createObjectNode(), Map.of());
                }
                save = Math.min(save, (System.nanoTime() - t0) / 1e9);
                bytes = Files.size(dir.resolve(CheckpointStore.STATE));
                long t1 = System.nanoTime();
                CheckpointStore.Checkpoint cp = store.validate(dir).orElseThrow();
                StateCodec.decode(cp.state(), model, sgd, false);
                load = Math.min(load, (System.nanoTime() - t1) / 1e9);
                store.prune(1);
            }
            System.out.printf(Locale.ROOT, "{\"backbone\": \"%s\", \"queue\": %d, \"best_of\": %d, \"state_mb\": %.1f, \"save_s\": %.2f, \"save_mb_per_s\": %.0f, "
                    + "\"load_verify_s\": %.2f, \"load_mb_per_s\": %.0f}%n", backbone, queue, Math.max(1, repeats), bytes / 1e6, save, bytes / 1e6 / save, load, bytes / 1e6 / load);
        }
        return ExitCodes.COMPLETE;
    }
}
