package io.densecl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;

/**
 * The tensors of one encoder as two flat device buffers: trainable parameters and BatchNorm running
 * statistics. Individual tensors are views into them, so the EMA and SGD are whole-buffer ops.
 */
public final class FlatState {
    private final ParameterLayout layout;
    private final NDArray params;
    private final NDArray buffers;
    private final Map<String, NDArray> cachedViews = new HashMap<>();

    public FlatState(ParameterLayout layout, NDArray params, NDArray buffers) {
        if (params.size() != layout.parameterCount() || buffers.size() != layout.bufferCount()) {
            throw new IllegalArgumentException(
                    "flat buffers do not match the layout: " + params.size() + "/" + layout.parameterCount());
        }
        this.layout = layout;
        this.params = params;
        this.buffers = buffers;
    }

    /** Allocates zeroed buffers on the manager's device. */
    public static FlatState zeros(ParameterLayout layout, NDManager manager) {
        return new FlatState(
                layout,
                manager.zeros(new Shape(layout.parameterCount()), DataType.FLOAT32),
                manager.zeros(new Shape(layout.bufferCount()), DataType.FLOAT32));
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** The flat parameter buffer [P]. */
    public NDArray params() {
        return params;
    }

    /** The flat BatchNorm running-statistics buffer [B]. */
    public NDArray buffers() {
        return buffers;
    }

    /** A fresh view of one tensor; created under grad mode it carries gradients back to {@link #params()}. */
    public NDArray view(String name) {
        NDArray base = layout.isBuffer(name) ? buffers : params;
        long off = layout.offset(name);
        Shape shape = layout.shape(name);
        return base.get(new NDIndex().addSliceDim(off, off + shape.size())).reshape(shape);
    }

    /**
     * Views for the training forward pass, made fresh inside the step's scope so autograd links them to
     * the flat buffer. One {@code split_with_sizes} yields every parameter: its backward is a single
     * concatenation into the flat gradient. (A slice per parameter would make each backward allocate and
     * add a zero tensor the size of the whole buffer: 3x slower steps for ResNet-18.) Running
     * statistics come from a long-lived cache.
     */
    public Weights trainingWeights() {
        NDList parts = params.split(layout.splitPoints(), 0);
        Map<String, NDArray> perStep = new HashMap<>();
        return name -> layout.isBuffer(name)
                ? cached(name)
                : perStep.computeIfAbsent(
                        name, n -> parts.get(layout.parameterIndex(n)).reshape(layout.shape(n)));
    }

    /** Long-lived views for gradient-free passes (key encoder, evaluation). */
    public Weights cachedWeights() {
        return this::cached;
    }

    private synchronized NDArray cached(String name) {
        NDArray v = cachedViews.get(name);
        if (v == null) {
            v = view(name);
            // outlives any per-step NDScope that happens to be open
            ai.djl.ndarray.NDScope.unregister(v);
            cachedViews.put(name, v);
        }
        return v;
    }

    /** Copies both flat buffers of {@code other} into this one (key encoder := query encoder). */
    public void copyFrom(FlatState other) {
        other.params.copyTo(params);
        other.buffers.copyTo(buffers);
    }
}
