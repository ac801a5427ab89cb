package io.densecl.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.GradMode;
import io.densecl.trainer.optim.FlatSgd;

/**
 * One optimiser step in the official order: zero grad, DenseCL forward (with EMA and enqueue),
 * backward, SGD. Every intermediate array lives in one {@link NDScope}, so memory stays flat.
 */
public final class TrainStep {
    private final DenseCLModel model;
    private final FlatSgd sgd;

    /**
     * Losses of one step, copied to the JVM before the step's arrays are freed. {@code lossGlobal} and
     * {@code lossDense} are the two InfoNCE terms as computed (unweighted); {@code loss} is
     * {@code (1-lambda)*lossGlobal + lambda*lossDense}, {@code lambda} the weight of this step.
     */
    public record Result(float loss, float lossGlobal, float lossDense, double lambda) {
        /** The official log's {@code loss_contra_single}: the global term weighted by (1 - lambda). */
        public double lossContraSingle() {
            return (1 - lambda) * lossGlobal;
        }

        /** The official log's {@code loss_contra_dense}: the dense term weighted by lambda. */
        public double lossContraDense() {
            return lambda * lossDense;
        }
    }

    /** Optional hooks for tests that compare intermediates with reference values. */
    public interface Probe {
        default void afterForward(DenseCLModel.Outputs outputs) {}

        default void afterBackward(NDArray flatGrad) {}
    }

    public TrainStep(DenseCLModel model, FlatSgd sgd) {
        this.model = model;
        this.sgd = sgd;
    }

    public Result run(NDArray imQ, NDArray imK, double lr, long iteration) {
        return run(imQ, imK, lr, iteration, null);
    }

    public Result run(NDArray imQ, NDArray imK, double lr, long iteration, Probe probe) {
        PtNDArray params = (PtNDArray) model.query().params();
        try (NDScope ignored = new NDScope()) {
            DenseCLModel.Outputs out;
            try (GradMode g = GradMode.on()) {
                out = model.forwardTrain(imQ, imK, iteration);
                if (probe != null) {
                    probe.afterForward(out);
                }
                JniUtils.backward((PtNDArray) out.loss(), (PtNDArray) out.loss().onesLike(), false, false);
            }
            NDArray grad = params.getGradient();
            if (probe != null) {
                probe.afterBackward(grad);
            }
            sgd.step(params, grad, lr);
            JniUtils.zeroGrad(params);
            // the step's only device-to-host read: the three losses in one transfer
            float[] l = NDArrays.stack(new NDList(out.loss(), out.lossGlobal(), out.lossDense()))
                    .toFloatArray();
            return new Result(l[0], l[1], l[2], out.lambda());
        }
    }
}
