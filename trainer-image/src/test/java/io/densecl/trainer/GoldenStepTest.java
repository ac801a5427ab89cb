package io.densecl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.FlatState;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.model.ParameterLayout;
import io.densecl.trainer.optim.FlatSgd;
import io.densecl.trainer.train.TrainStep;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reproduces two full DenseCL steps computed by PyTorch (src/test/resources/golden): init rule,
 * outputs, correspondences, losses, gradients, SGD, EMA, BN statistics and queues.
 */
class GoldenStepTest {
    private static final double LOSS_TOL = 1e-4;
    private static final double TENSOR_TOL = 1e-3;
    /**
     * Step-2 gradients of the stem are decided by the sign of a handful of ReLU inputs that lie within
     * fp32 rounding noise (~2e-5) of zero in layer1-layer4. Which side they fall on depends on the kernel's
     * summation order: PyTorch 1.13 itself, re-run on this machine (fp32, 1 or 2 threads, with and without
     * oneDNN), misses the golden stem gradients by 8.8e-3-1.8e-2, fp64 by 7e-4-1.1e-3; forcing the golden
     * machine's signs brings both to 1e-5. Everything downstream of those ReLUs (layer4, neck), every
     * step-1 gradient and every post-SGD parameter is held to 1e-3.
     */
    private static final java.util.Map<String, Double> FP32_SIGN_SENSITIVE = java.util.Map.of(
            "step2.grad.backbone.conv1.weight", 2e-2,
            "step2.grad.backbone.bn1.weight", 2e-2);

    @Test
    void reproducesTwoPyTorchSteps() throws Exception {
        Path file = Paths.get(getClass().getResource("/golden/densecl-r18-two-steps.safetensors").toURI());
        SafeTensors.File golden = SafeTensors.read(file);
        Encoder encoder = new Encoder("resnet18", 128, 32);
        DenseCLModel.Hyper hyper = new DenseCLModel.Hyper(64, 0.999, 0.2, 0.5, 0);
        List<String> failures = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager();
             DenseCLModel model = DenseCLModel.create(encoder, hyper, Initializer.golden(), 0, root)) {
            ParameterLayout layout = encoder.layout();
            assertThat(layout.parameters()).hasSize(68);
            // the init rule is reproduced bit for bit
            for (String name : golden.tensors().keySet()) {
                if (name.startsWith("init.") && !name.startsWith("init.queue")) {
                    float[] want = golden.get(name).floats();
                    float[] got = model.query().view(name.substring(5)).toFloatArray();
                    assertThat(java.util.Arrays.mismatch(got, want)).as(name + ": first differing element (bit for bit)").isEqualTo(-1);
                }
            }
            model.queue().set(golden.get("init.queue").floats());
            model.queue2().set(golden.get("init.queue2").floats());
            FlatSgd sgd = new FlatSgd(model.query().params(), 0.9, 1e-4);
            TrainStep step = new TrainStep(model, sgd);
            for (int s = 1; s <= 2; s++) {
                String p = "step" + s + ".";
                NDArray imQ = image(root, golden, p + "im_q");
                NDArray imK = image(root, golden, p + "im_k");
                final String prefix = p;
                TrainStep.Result r = step.run(imQ, imK, 0.03, s - 1, new TrainStep.Probe() {
                    @Override
                    public void afterForward(DenseCLModel.Outputs o) {
                        compare(failures, prefix + "q", o.q().toFloatArray(), golden.get(prefix + "q").floats());
                        compare(failures, prefix + "k", o.k().toFloatArray(), golden.get(prefix + "k").floats());
                        compare(failures, prefix + "k2", o.k2().toFloatArray(), golden.get(prefix + "k2").floats());
                        compare(failures, prefix + "q_grid", o.qGrid().toFloatArray(), golden.get(prefix + "q_grid").floats());
                        assertThat(o.correspondence().toLongArray()).as(prefix + "corr_index")
                                .containsExactly(golden.get(prefix + "corr_index").longs());
                    }

                    @Override
                    public void afterBackward(NDArray grad) {
                        for (String name : golden.tensors().keySet()) {
                            if (name.startsWith(prefix + "grad.")) {
                                String t = name.substring((prefix + "grad.").length());
                                long off = layout.offset(t);
                                long n = layout.shape(t).size();
                                float[] got = grad.get(off + ":" + (off + n)).toFloatArray();
                                compare(failures, name, got, golden.get(name).floats());
                            }
                        }
                    }
                });
                assertThat(r.lossGlobal()).as(p + "loss_single").isCloseTo(golden.get(p + "loss_single").floats()[0], rel(LOSS_TOL, golden, p + "loss_single"));
                assertThat(r.lossDense()).as(p + "loss_dense").isCloseTo(golden.get(p + "loss_dense").floats()[0], rel(LOSS_TOL, golden, p + "loss_dense"));
                assertThat(r.loss()).as(p + "loss").isCloseTo(golden.get(p + "loss").floats()[0], rel(LOSS_TOL, golden, p + "loss"));
                for (String name : golden.tensors().keySet()) {
                    if (name.startsWith(p + "after.")) {
                        compare(failures, name, model.query().view(name.substring((p + "after.").length())).toFloatArray(), golden.get(name).floats());
                    } else if (name.startsWith(p + "key.")) {
                        compare(failures, name, model.key().view(name.substring((p + "key.").length())).toFloatArray(), golden.get(name).floats());
                    }
                }
                compare(failures, p + "queue", model.queue().toFloatArray(), golden.get(p + "queue").floats());
                compare(failures, p + "queue2", model.queue2().toFloatArray(), golden.get(p + "queue2").floats());
                imQ.close();
                imK.close();
            }
            sgd.close();
        }
        assertThat(failures).isEmpty();
    }

    private static org.assertj.core.data.Offset<Float> rel(double tol, SafeTensors.File g, String name) {
        return org.assertj.core.data.Offset.offset((float) (Math.abs(g.get(name).floats()[0]) * tol));
    }

    private static NDArray image(NDManager m, SafeTensors.File g, String name) {
        SafeTensors.Entry e = g.get(name);
        return m.create(e.floats(), new Shape(e.shape()));
    }

    /** Relative error of the whole tensor: max |got - want| / max |want| (elementwise for tiny tensors is noise). */
    static void compare(List<String> failures, String name, float[] got, float[] want) {
        if (got.length != want.length) {
            failures.add(name + ": length " + got.length + " != " + want.length);
            return;
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < got.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
            maxRef = Math.max(maxRef, Math.abs(want[i]));
        }
        double rel = maxDiff / Math.max(maxRef, 1e-12);
        System.out.printf("golden %-50s rel.err %.2e%n", name, rel);
        double tol = FP32_SIGN_SENSITIVE.getOrDefault(name, TENSOR_TOL);
        if (rel > tol) {
            failures.add(String.format("%s: relative error %.3e > %.0e", name, rel, tol));
        }
    }
}
