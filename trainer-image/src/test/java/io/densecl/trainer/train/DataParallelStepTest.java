package io.densecl.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.densecl.contract.Backbone;
import io.densecl.contract.RunConfig;
import io.densecl.contract.RunConfigValidator;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.util.SplitMix64;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Data-parallel DenseCL on {@code cpu,cpu} against one device with the same BatchNorm groups and key permutation
 * (ResNet-18, 8 images in 4 groups of 2, so each replica holds 2 groups and the key shuffle crosses replicas):
 * the losses of every step agree to 1e-5 relative, the whole state after several steps to 1e-4, and the two
 * replicas stay bitwise equal.
 */
class DataParallelStepTest {
    static final int N = 8;
    static final int SIZE = 64;
    static final int STEPS = 4;
    static final double LR = 0.03;

    static RunConfig config(String... devices) {
        RunConfig c = new RunConfig();
        c.data.path = "/unused";
        c.checkpoint.dir = "/unused";
        c.model.backbone = Backbone.resnet18;
        c.model.hid = 32;
        c.model.dim = 16;
        c.denseCL.queueSize = 32;
        c.denseCL.bnGroupSize = 2;
        c.training.batchSize = N;
        c.training.imageSize = SIZE;
        c.training.seed = 7;
        c.devices = List.of(devices);
        return RunConfigValidator.validate(c);
    }

    /** Random views of step {@code step}: [N, 3, SIZE, SIZE] each. */
    static float[] view(long step, int which) {
        float[] v = new float[N * 3 * SIZE * SIZE];
        Initializer.gaussian(SplitMix64.of(99, step, which), v, 0, v.length, 1.0);
        return v;
    }

    @Test
    void twoReplicasEqualOneDeviceWithTheSameGroupsAndPermutation() {
        List<TrainStep.Result> one = new ArrayList<>();
        List<TrainStep.Result> two = new ArrayList<>();
        try (TrainingSession single = new TrainingSession(config("cpu"));
                TrainingSession pair = new TrainingSession(config("cpu", "cpu"));
                DataParallelStep parallel = new DataParallelStep(pair, N, SIZE)) {
            assertThat(single.model().hyper().bnGroups()).isEqualTo(4);
            assertThat(pair.model().hyper().bnGroups()).as("groups per replica").isEqualTo(2);
            assertSame(pair.model(), single.model(), 0); // replica 0 starts from the same seed
            float[] start = single.model().query().params().toFloatArray();
            TrainStep step = new TrainStep(single.model(), single.sgd());
            Shape shape = new Shape(N, 3, SIZE, SIZE);
            float firstGradient = Float.NaN;
            for (long i = 0; i < STEPS; i++) {
                try (NDArray q = single.manager().create(FloatBuffer.wrap(view(i, 0)), shape);
                        NDArray k = single.manager().create(FloatBuffer.wrap(view(i, 1)), shape)) {
                    one.add(step.run(q, k, LR, i));
                }
                two.add(parallel.run(view(i, 0), view(i, 1), LR, i));
                if (i == 0) {
                    firstGradient =
                            maxDiff(pair.sgd().momentumBuffer(), single.sgd().momentumBuffer())
                                    / single.sgd().momentumBuffer().abs().max().getFloat();
                }
            }
            for (int i = 0; i < STEPS; i++) {
                TrainStep.Result a = one.get(i);
                TrainStep.Result b = two.get(i);
                System.out.printf(
                        "step %d: loss %.7f vs %.7f, relative %.2e%n",
                        i, b.loss(), a.loss(), relative(b.loss(), a.loss()));
                assertThat(relative(b.loss(), a.loss()))
                        .as("loss of step %d: %s vs %s", i, b, a)
                        .isLessThan(1e-5);
                assertThat(relative(b.lossGlobal(), a.lossGlobal()))
                        .as("global loss of step %d", i)
                        .isLessThan(1e-5);
                assertThat(relative(b.lossDense(), a.lossDense()))
                        .as("dense loss of step %d", i)
                        .isLessThan(1e-5);
            }
            float moved =
                    maxDiff(single.model().query().params(), single.manager().create(start));
            assertThat(moved)
                    .as("the steps moved the parameters far beyond the tolerance")
                    .isGreaterThan(1e-2f);
            System.out.printf(
                    "after %d steps: query parameters within %.2e (moved %.2e), key %.2e, statistics %.2e, queue %.2e%n",
                    STEPS,
                    maxDiff(
                            pair.model().query().params(),
                            single.model().query().params()),
                    moved,
                    maxDiff(pair.model().key().params(), single.model().key().params()),
                    maxDiff(
                            pair.model().query().buffers(),
                            single.model().query().buffers()),
                    maxDiff(pair.model().queue(), single.model().queue()));
            assertSame(pair.model(), single.model(), 1e-4f);
            // the momentum is a sum of raw gradients (the parameters see it times lr): compare it to its own scale.
            // After
            // the first step it is the averaged gradient of identical parameters and agrees to 1e-5; later steps
            // amplify the
            // 1e-7 differences of the parameters through BatchNorm groups of two images (4e-3 after four steps)
            float momentumScale = single.sgd().momentumBuffer().abs().max().getFloat();
            float momentumDiff =
                    maxDiff(pair.sgd().momentumBuffer(), single.sgd().momentumBuffer());
            System.out.printf(
                    "SGD momentum within %.2e of its largest value %.2e (after the first step: %.2e)%n",
                    momentumDiff, momentumScale, firstGradient);
            assertThat(firstGradient)
                    .as("averaged gradient of the first step, relative to its largest value")
                    .isLessThan(1e-5f);
            assertThat(momentumDiff / momentumScale)
                    .as("SGD momentum, relative to its largest value")
                    .isLessThan(1e-2f);
            assertThat(pair.model().queuePointers()).isEqualTo(single.model().queuePointers());
            TrainingSession.Replica second = pair.replicas().get(1);
            for (Map.Entry<String, Function<TrainingSession.Replica, NDArray>> t :
                    tensors().entrySet()) {
                assertThat(t.getValue().apply(second).toFloatArray())
                        .as("replica 1 %s bitwise", t.getKey())
                        .isEqualTo(t.getValue().apply(pair.replicas().get(0)).toFloatArray());
            }
            assertThat(second.model().queuePointers()).isEqualTo(pair.model().queuePointers());
        }
    }

    /** Every tensor of a replica's state. */
    static Map<String, Function<TrainingSession.Replica, NDArray>> tensors() {
        return Map.of(
                "query params",
                r -> r.model().query().params(),
                "query statistics",
                r -> r.model().query().buffers(),
                "key params",
                r -> r.model().key().params(),
                "key statistics",
                r -> r.model().key().buffers(),
                "momentum",
                r -> r.sgd().momentumBuffer(),
                "queue",
                r -> r.model().queue(),
                "queue2",
                r -> r.model().queue2());
    }

    static void assertSame(DenseCLModel a, DenseCLModel b, float tolerance) {
        assertThat(maxDiff(a.query().params(), b.query().params()))
                .as("query parameters")
                .isLessThanOrEqualTo(tolerance);
        assertThat(maxDiff(a.key().params(), b.key().params()))
                .as("key parameters")
                .isLessThanOrEqualTo(tolerance);
        assertThat(maxDiff(a.query().buffers(), b.query().buffers()))
                .as("query BatchNorm statistics")
                .isLessThanOrEqualTo(tolerance);
        assertThat(maxDiff(a.key().buffers(), b.key().buffers()))
                .as("key BatchNorm statistics")
                .isLessThanOrEqualTo(tolerance);
        assertThat(maxDiff(a.queue(), b.queue())).as("queue").isLessThanOrEqualTo(tolerance);
        assertThat(maxDiff(a.queue2(), b.queue2())).as("queue2").isLessThanOrEqualTo(tolerance);
    }

    static float maxDiff(NDArray a, NDArray b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        assertThat(x).hasSameSizeAs(y);
        float max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }

    static double relative(float a, float b) {
        return Math.abs(a - b) / Math.max(1e-12, Math.abs(b));
    }
}
