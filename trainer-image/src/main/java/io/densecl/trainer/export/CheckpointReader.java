package io.densecl.trainer.export;

import io.densecl.contract.ConfigException;
import io.densecl.contract.RunConfig;
import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.checkpoint.StateCodec;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.ParameterLayout;
import io.densecl.trainer.model.ParameterSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Opens a checkpoint (a run's checkpoint directory, whose newest valid checkpoint is taken, or one
 * {@code ckpt-*} directory) and exposes its tensors by torchvision name, without loading an engine.
 */
public final class CheckpointReader {
    private final CheckpointStore.Checkpoint checkpoint;
    private final SafeTensors.File state;
    private final Encoder encoder;

    private CheckpointReader(CheckpointStore.Checkpoint checkpoint) throws IOException {
        this.checkpoint = checkpoint;
        this.state = checkpoint.state();
        RunConfig.Model model = checkpoint.trainer().config() == null
                ? new RunConfig.Model()
                : checkpoint.trainer().config().model;
        this.encoder = new Encoder(model.backbone.name(), model.hid, model.dim);
    }

    public static CheckpointReader open(Path path) throws IOException {
        CheckpointStore asRun = new CheckpointStore(path);
        var cp = asRun.latestValid()
                .or(() -> new CheckpointStore(path.getParent() == null ? path : path.getParent()).validate(path));
        if (cp.isEmpty()) {
            throw new ConfigException("--checkpoint", "no valid checkpoint (with a matching MANIFEST.json) at " + path);
        }
        return new CheckpointReader(cp.get());
    }

    /**
     * The first valid checkpoint of {@code epoch} completed epochs in the run's checkpoint directory {@code runDir},
     * never a newer one: what a (re-)launched periodic evaluation of that epoch reads.
     */
    public static CheckpointReader open(Path runDir, int epoch) throws IOException {
        var cp = new CheckpointStore(runDir).firstOfEpoch(epoch);
        if (cp.isEmpty()) {
            throw new ConfigException("--checkpoint-epoch", "no valid checkpoint of epoch " + epoch + " in " + runDir);
        }
        return new CheckpointReader(cp.get());
    }

    public CheckpointStore.Checkpoint checkpoint() {
        return checkpoint;
    }

    public Encoder encoder() {
        return encoder;
    }

    public long globalStep() {
        return checkpoint.manifest().globalStep();
    }

    /** Every tensor of the query ({@code key=false}) or key encoder, in state-dict order, by its layout name. */
    public Map<String, float[]> encoder(boolean key) {
        ParameterLayout layout = encoder.layout();
        float[] params =
                state.get(key ? StateCodec.KEY_PARAMS : StateCodec.QUERY_PARAMS).floats();
        float[] buffers = state.get(key ? StateCodec.KEY_BUFFERS : StateCodec.QUERY_BUFFERS)
                .floats();
        if (params.length != layout.parameterCount() || buffers.length != layout.bufferCount()) {
            throw new IllegalStateException(
                    "checkpoint tensors do not match a " + encoder.backbone().arch() + " DenseCL encoder");
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (ParameterSpec s : layout.stateDictOrder()) {
            float[] src = layout.isBuffer(s.name()) ? buffers : params;
            int off = (int) layout.offset(s.name());
            float[] v = new float[(int) s.size()];
            System.arraycopy(src, off, v, 0, v.length);
            out.put(s.name(), v);
        }
        return out;
    }

    public SafeTensors.Entry raw(String name) {
        return state.get(name);
    }
}
