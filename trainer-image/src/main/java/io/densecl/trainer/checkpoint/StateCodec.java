package io.densecl.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.GradMode;
import io.densecl.trainer.optim.FlatSgd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps the complete tensor state of training (both encoders with BN statistics, SGD momentum,
 * both queues) to and from safetensors entries. Flat buffers are stored as they are: one tensor each.
 */
public final class StateCodec {
    public static final String QUERY_PARAMS = "encoder_q.params";
    public static final String QUERY_BUFFERS = "encoder_q.buffers";
    public static final String KEY_PARAMS = "encoder_k.params";
    public static final String KEY_BUFFERS = "encoder_k.buffers";
    public static final String MOMENTUM = "sgd.momentum_buffer";
    public static final String QUEUE = "queue";
    public static final String QUEUE2 = "queue2";

    private StateCodec() {}

    public static List<SafeTensors.Entry> encode(DenseCLModel model, FlatSgd sgd) {
        List<SafeTensors.Entry> out = new ArrayList<>();
        out.add(entry(QUERY_PARAMS, model.query().params()));
        out.add(entry(QUERY_BUFFERS, model.query().buffers()));
        out.add(entry(KEY_PARAMS, model.key().params()));
        out.add(entry(KEY_BUFFERS, model.key().buffers()));
        out.add(entry(MOMENTUM, sgd.momentumBuffer()));
        out.add(entry(QUEUE, model.queue()));
        out.add(entry(QUEUE2, model.queue2()));
        return out;
    }

    /** Restores every tensor in place; {@code sgd} may be null for a weights-only warm start. */
    public static void decode(SafeTensors.File file, DenseCLModel model, FlatSgd sgd, boolean weightsOnly) {
        try (GradMode ignored = GradMode.off()) {
            load(file, QUERY_PARAMS, model.query().params());
            load(file, QUERY_BUFFERS, model.query().buffers());
            load(file, KEY_PARAMS, model.key().params());
            load(file, KEY_BUFFERS, model.key().buffers());
            if (!weightsOnly) {
                load(file, MOMENTUM, sgd.momentumBuffer());
                load(file, QUEUE, model.queue());
                load(file, QUEUE2, model.queue2());
            }
        }
    }

    private static SafeTensors.Entry entry(String name, NDArray array) {
        ByteBuffer bytes = array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return new SafeTensors.Entry(name, "F32", array.getShape().getShape(), bytes);
    }

    private static void load(SafeTensors.File file, String name, NDArray target) {
        SafeTensors.Entry e = file.get(name);
        if (!"F32".equals(e.dtype()) || e.numel() != target.size()) {
            throw new IllegalStateException("checkpoint tensor " + name + " has " + e.numel() + " " + e.dtype()
                    + " values, the model needs " + target.size() + " F32 (different backbone or sizes?)");
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(e.data().remaining()).order(ByteOrder.LITTLE_ENDIAN);
        direct.put(e.data().duplicate()).flip();
        target.set(direct);
    }
}
