package io.densecl.trainer.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.GradMode;
import io.densecl.trainer.model.ParameterLayout;
import io.densecl.trainer.optim.FlatSgd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * The training state as safetensors entries that view host memory. On CPU the entries are the
     * tensors' own memory (no copy: a 460 MB state is written straight from libtorch's buffers), so the
     * view must be written before the next training step; GPU tensors are copied to host arrays that
     * {@link HostState#close()} frees.
     */
    public static HostState encode(DenseCLModel model, FlatSgd sgd) {
        NDManager scratch = model.queue().getManager().newSubManager(Device.cpu());
        List<SafeTensors.Entry> out = new ArrayList<>();
        out.add(entry(QUERY_PARAMS, model.query().params(), scratch));
        out.add(entry(QUERY_BUFFERS, model.query().buffers(), scratch));
        out.add(entry(KEY_PARAMS, model.key().params(), scratch));
        out.add(entry(KEY_BUFFERS, model.key().buffers(), scratch));
        out.add(entry(MOMENTUM, sgd.momentumBuffer(), scratch));
        out.add(entry(QUEUE, model.queue(), scratch));
        out.add(entry(QUEUE2, model.queue2(), scratch));
        return new HostState(List.copyOf(out), scratch);
    }

    /** Entries viewing host memory, valid until closed and until the next training step. */
    public record HostState(List<SafeTensors.Entry> entries, NDManager scratch) implements AutoCloseable {
        @Override
        public void close() {
            scratch.close();
        }
    }

    /**
     * Bytes of a checkpoint of this model (state file plus small JSON files), for the storage preflight:
     * parameters of both encoders and the momentum (3 x P), BatchNorm statistics of both (2 x B), two queues.
     */
    public static long estimatedBytes(ParameterLayout layout, int dim, int queueSize) {
        long floats = 3 * layout.parameterCount() + 2 * layout.bufferCount() + 2L * dim * queueSize;
        return 4 * floats + (256 << 10);
    }

    /**
     * Why {@code file} cannot be loaded into this model, or null when it can: a tensor missing, or with
     * another dtype or shape. Checked for every tensor before any is loaded, so a refused checkpoint
     * leaves the model as it was.
     */
    public static String mismatch(SafeTensors.File file, DenseCLModel model, FlatSgd sgd, boolean weightsOnly) {
        for (Map.Entry<String, NDArray> t : targets(model, sgd, weightsOnly).entrySet()) {
            SafeTensors.Entry e = file.tensors().get(t.getKey());
            long[] want = t.getValue().getShape().getShape();
            if (e == null) {
                return "tensor " + t.getKey() + " is missing";
            }
            if (!"F32".equals(e.dtype()) || !Arrays.equals(e.shape(), want)) {
                return "tensor " + t.getKey() + " is " + e.dtype() + Arrays.toString(e.shape())
                        + ", the model needs F32" + Arrays.toString(want);
            }
        }
        return null;
    }

    private static Map<String, NDArray> targets(DenseCLModel model, FlatSgd sgd, boolean weightsOnly) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put(QUERY_PARAMS, model.query().params());
        m.put(QUERY_BUFFERS, model.query().buffers());
        m.put(KEY_PARAMS, model.key().params());
        m.put(KEY_BUFFERS, model.key().buffers());
        if (!weightsOnly) {
            m.put(MOMENTUM, sgd.momentumBuffer());
            m.put(QUEUE, model.queue());
            m.put(QUEUE2, model.queue2());
        }
        return m;
    }

    /** Restores every tensor in place; {@code sgd} may be null for a weights-only warm start. */
    public static void decode(SafeTensors.File file, DenseCLModel model, FlatSgd sgd, boolean weightsOnly) {
        String why = mismatch(file, model, sgd, weightsOnly);
        if (why != null) {
            throw new IllegalStateException(
                    "checkpoint does not fit the model: " + why + " (different backbone or sizes?)");
        }
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

    private static SafeTensors.Entry entry(String name, NDArray array, NDManager scratch) {
        NDArray host = array;
        if (!array.getDevice().equals(Device.cpu())) {
            host = array.toDevice(Device.cpu(), true);
            host.attach(scratch); // freed with the state, not with the model
        }
        // tryDirect: a direct buffer over the tensor's own memory instead of a copy into the Java heap
        ByteBuffer bytes = host.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
        return new SafeTensors.Entry(name, "F32", array.getShape().getShape(), bytes);
    }

    /**
     * Copies the checkpoint's bytes straight into the tensor's existing memory (one copy from the page
     * cache, no fresh 460 MB allocation) when {@code toByteBuffer(true)} is a view of that memory, as it
     * is for contiguous CPU tensors. A probe proves the aliasing first: a value written through one view
     * must show through a second one (a copy could never show both the probe and the final value).
     */
    private static boolean copyIntoPlace(ByteBuffer data, NDArray target) {
        ByteBuffer view = target.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
        int last = data.remaining() - 4;
        if (!view.isDirect() || view.remaining() != data.remaining() || last < 0) {
            return false;
        }
        int want = data.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(last);
        view.putInt(last, want ^ 0x5A5A5A5A);
        if (target.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN).getInt(last) != (want ^ 0x5A5A5A5A)) {
            return false;
        }
        view.duplicate().put(data.duplicate());
        return target.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN).getInt(last) == want;
    }

    private static void load(SafeTensors.File file, String name, NDArray target) {
        SafeTensors.Entry e = file.get(name);
        if (!"F32".equals(e.dtype()) || e.numel() != target.size()) {
            throw new IllegalStateException("checkpoint tensor " + name + " has " + e.numel() + " " + e.dtype()
                    + " values, the model needs " + target.size() + " F32 (different backbone or sizes?)");
        }
        if (target.getDevice().equals(Device.cpu()) && copyIntoPlace(e.data(), target)) {
            return;
        }
        // DJL's set() lets the tensor adopt the buffer's memory instead of copying it, so the buffer must be
        // a private, writable one: handing it the read-only file mapping crashes the first in-place update
        ByteBuffer owned = ByteBuffer.allocateDirect(e.data().remaining()).order(ByteOrder.LITTLE_ENDIAN);
        owned.put(e.data().duplicate()).flip();
        target.set(owned);
    }
}
