package io.densecl.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import io.densecl.trainer.checkpoint.StateCodec;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.GradMode;
import io.densecl.trainer.optim.FlatSgd;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Refuses to let a non-finite or exploded training state become a checkpoint: a committed one would
 * be resumed by every retry and fail again, forever. Checked before a checkpoint is staged (never
 * inside a step): one L2-norm reduction per flat buffer, all read back in a single host sync. The
 * same rule applies to a checkpoint being resumed, on its host bytes.
 */
public final class StateGuard {
    /**
     * Encoder weights whose root-mean-square exceeds this have exploded: Kaiming-initialised ResNets
     * start near 0.03 and weight decay keeps trained ones well below 1; an lr of 1e6 reached 170 in 12 steps.
     */
    static final double MAX_PARAM_RMS = 100;
    /**
     * BatchNorm running means and variances of pre-normalisation activations: near 1 at the start, and
     * growing with the square of the weights' scale; the lr 1e6 run reached an RMS of 1.5e14.
     */
    static final double MAX_BN_RMS = 1e10;

    private StateGuard() {}

    /** Throws {@link TrainingDivergedException} naming the buffer when the live state is not fit to be saved. */
    public static void check(DenseCLModel model, FlatSgd sgd, long step) {
        Map<String, NDArray> flat = buffers(model, sgd);
        float[] norms;
        try (NDScope ignored = new NDScope();
                GradMode g = GradMode.off()) {
            NDList each = new NDList();
            for (NDArray b : flat.values()) {
                each.add(b.norm());
            }
            norms = NDArrays.stack(each).toFloatArray(); // the one host sync
        }
        int i = 0;
        for (Map.Entry<String, NDArray> b : flat.entrySet()) {
            verdict(b.getKey(), norms[i++], b.getValue().size(), "at step " + step + "; the state is not checkpointed");
        }
    }

    /** The same rule on a checkpoint's host bytes (resume; a warm start reads only the weights): throws when it is not fit to train from. */
    public static void checkStored(SafeTensors.File file, String what, boolean weightsOnly) {
        String[] names = weightsOnly
                ? new String[] {
                    StateCodec.QUERY_PARAMS, StateCodec.QUERY_BUFFERS, StateCodec.KEY_PARAMS, StateCodec.KEY_BUFFERS
                }
                : new String[] {
                    StateCodec.QUERY_PARAMS,
                    StateCodec.QUERY_BUFFERS,
                    StateCodec.KEY_PARAMS,
                    StateCodec.KEY_BUFFERS,
                    StateCodec.MOMENTUM,
                    StateCodec.QUEUE,
                    StateCodec.QUEUE2
                };
        for (String name : names) {
            SafeTensors.Entry e = file.tensors().get(name);
            if (e == null || !"F32".equals(e.dtype())) {
                continue; // StateCodec.mismatch names what is missing
            }
            FloatBuffer v = e.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            double sumSquares = 0;
            for (int j = 0, n = v.remaining(); j < n; j++) {
                double x = v.get(j);
                sumSquares += x * x; // NaN and Inf propagate
            }
            verdict(name, Math.sqrt(sumSquares), v.remaining(), "in " + what);
        }
    }

    private static Map<String, NDArray> buffers(DenseCLModel model, FlatSgd sgd) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put(StateCodec.QUERY_PARAMS, model.query().params());
        m.put(StateCodec.QUERY_BUFFERS, model.query().buffers());
        m.put(StateCodec.KEY_PARAMS, model.key().params());
        m.put(StateCodec.KEY_BUFFERS, model.key().buffers());
        m.put(StateCodec.MOMENTUM, sgd.momentumBuffer());
        m.put(StateCodec.QUEUE, model.queue());
        m.put(StateCodec.QUEUE2, model.queue2());
        return m;
    }

    /** The rule: every buffer finite (an overflowing norm counts as not finite), weights and statistics bounded. */
    static void verdict(String name, double norm, long count, String where) {
        if (!Double.isFinite(norm)) {
            throw new TrainingDivergedException(name + " holds non-finite (or overflowing) values " + where
                    + " (learning rate too high, or a poisoned checkpoint)");
        }
        double rms = count == 0 ? 0 : norm / Math.sqrt(count);
        double limit = name.endsWith(".params")
                ? MAX_PARAM_RMS
                : name.endsWith(".buffers") ? MAX_BN_RMS : Double.POSITIVE_INFINITY;
        if (rms > limit) {
            throw new TrainingDivergedException(String.format(
                    Locale.ROOT,
                    "%s has exploded: root-mean-square %.3g > %.3g %s (learning rate too high?)",
                    name,
                    rms,
                    limit,
                    where));
        }
    }
}
