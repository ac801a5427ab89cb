package io.densecl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

/**
 * The DenseCL neck on C5 (official {@code DenseCLNeck}): a global MLP head on the pooled feature
 * ({@code mlp}: Linear-ReLU-Linear) and a dense 1x1-conv head on every position ({@code mlp2}).
 */
public final class DenseNeck {
    private final int in;
    private final int hid;
    private final int dim;

    public DenseNeck(int in, int hid, int dim) {
        this.in = in;
        this.hid = hid;
        this.dim = dim;
    }

    public int dim() {
        return dim;
    }

    public void declare(ParameterLayout layout, String prefix) {
        layout.linear(prefix + "mlp.0", in, hid);
        layout.linear(prefix + "mlp.2", hid, dim);
        layout.conv(prefix + "mlp2.0", in, hid, 1, true);
        layout.conv(prefix + "mlp2.2", hid, dim, 1, true);
    }

    /** The three neck outputs, none normalised yet. */
    public record Output(NDArray global, NDArray grid, NDArray gridPooled) {}

    /** c5 [N,C,S,S] -> global [N,dim], grid [N,dim,S*S], gridPooled [N,dim]. */
    public Output forward(Weights w, String prefix, NDArray c5) {
        NDArray pooled = Pool.globalAvgPool2d(c5); // [N, C]
        NDArray g = Linear.linear(pooled, w.get(prefix + "mlp.0.weight"), w.get(prefix + "mlp.0.bias"))
                .singletonOrThrow();
        g = Linear.linear(Layers.relu(g), w.get(prefix + "mlp.2.weight"), w.get(prefix + "mlp.2.bias"))
                .singletonOrThrow();
        NDArray d = Layers.conv(w, prefix + "mlp2.0", c5, 1, 0, true);
        d = Layers.conv(w, prefix + "mlp2.2", Layers.relu(d), 1, 0, true); // [N, dim, S, S]
        NDArray dPooled = Pool.globalAvgPool2d(d); // [N, dim]
        return new Output(g, d.reshape(d.getShape().get(0), dim, -1), dPooled);
    }
}
