package io.densecl.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.optim.SGD} (momentum, weight decay on every parameter, no dampening, no Nesterov) on
 * one flat parameter buffer. Owns the momentum buffer so a checkpoint can save it.
 *
 * <pre>
 *   d_p = grad + wd * p ;  buf = mu * buf + d_p  (buf = d_p on the first step) ;  p -= lr * buf
 * </pre>
 */
public final class FlatSgd implements AutoCloseable {
    private final double momentum;
    private final double weightDecay;
    private final NDArray buffer;

    public FlatSgd(NDArray params, double momentum, double weightDecay) {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        // zeros make "buf = mu*buf + d_p" equal torch's "buf = d_p" on the first step
        this.buffer = params.getManager().zeros(new Shape(params.size()), DataType.FLOAT32);
    }

    /** The momentum buffer [P], for checkpoints. */
    public NDArray momentumBuffer() {
        return buffer;
    }

    /** Makes the momentum buffer a copy of {@code other}'s (a replica on another device). */
    public void copyFrom(FlatSgd other) {
        try (io.densecl.trainer.model.GradMode ignored = io.densecl.trainer.model.GradMode.off()) {
            io.densecl.trainer.model.DeviceCopy.into(other.buffer, buffer);
        }
    }

    /** Applies one update in place; must run with autograd recording off. */
    public void step(NDArray params, NDArray grad, double lr) {
        NDArray dp = weightDecay != 0 ? grad.add(params.mul((float) weightDecay)) : grad.duplicate();
        buffer.muli((float) momentum).addi(dp);
        NDArray delta = buffer.mul((float) lr);
        params.subi(delta);
        dp.close();
        delta.close();
    }

    @Override
    public void close() {
        buffer.close();
    }
}
