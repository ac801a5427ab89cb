package io.densecl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/**
 * Pins the production initialisation to the official rule by per-tensor statistics: backbone convs
 * and neck Linear layers std sqrt(2/fan_in) (Kaiming normal, fan_in, ReLU gain), neck 1x1 convs
 * std 1/sqrt(3 fan_in) (PyTorch's default uniform bound 1/sqrt(fan_in)), Linear biases 0, BatchNorm 1/0.
 */
class InitializerTest {
    private static final int MIN_SAMPLES = 4096; // below this the sample std is too noisy to pin to 5%

    @Test
    void officialInitHasTheOfficialPerTensorStandardDeviations() {
        Encoder enc = new Encoder("resnet50", 2048, 128);
        ParameterLayout layout = enc.layout();
        float[] flat = Initializer.official(3).parameters(layout);
        int pinned = 0;
        for (ParameterSpec p : layout.parameters()) {
            int off = (int) layout.offset(p.name());
            int n = (int) p.size();
            double[] ms = meanStd(flat, off, n);
            String name = p.name();
            long fanIn = p.size() / p.shape().get(0);
            switch (p.kind()) {
                case BN_WEIGHT -> assertThat(ms[0]).as(name).isEqualTo(1.0);
                case BN_BIAS -> assertThat(ms[1]).as(name).isZero();
                case BIAS -> {
                    if (name.startsWith("neck.mlp.")) {
                        assertThat(ms[1]).as(name + ": Linear bias").isZero();
                        assertThat(ms[0]).as(name + ": Linear bias").isZero();
                    } else { // neck conv bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) of its weight's fan_in
                        double bound = 1
                                / Math.sqrt(layout.shape(name.replace(".bias", ".weight"))
                                                .size()
                                        / p.shape().get(0));
                        for (int i = 0; i < n; i++)
                            assertThat(Math.abs(flat[off + i])).as(name).isLessThanOrEqualTo((float) bound);
                    }
                }
                default -> {
                    double want = name.startsWith("neck.mlp2.") ? 1 / Math.sqrt(3.0 * fanIn) : Math.sqrt(2.0 / fanIn);
                    if (n >= MIN_SAMPLES) {
                        assertThat(ms[1])
                                .as(name + " std (fan_in " + fanIn + ")")
                                .isCloseTo(want, Percentage.withPercentage(5));
                        assertThat(Math.abs(ms[0])).as(name + " mean").isLessThan(0.1 * want);
                        pinned++;
                    }
                    if (name.startsWith("neck.mlp2.")) {
                        double bound = 1 / Math.sqrt(fanIn);
                        for (int i = 0; i < n; i++)
                            assertThat(Math.abs(flat[off + i])).as(name).isLessThanOrEqualTo((float) bound);
                    }
                }
            }
        }
        assertThat(pinned).as("weight tensors pinned").isGreaterThan(50);
        // the two rules that used to be here by mistake: fan_out (stem: 2/(64*49) vs 2/(3*49)) and N(0, 0.01)
        double[] stem = meanStd(flat, (int) layout.offset("backbone.conv1.weight"), (int)
                layout.shape("backbone.conv1.weight").size());
        assertThat(stem[1]).isCloseTo(Math.sqrt(2.0 / 147), Percentage.withPercentage(5));
        double[] mlp = meanStd(flat, (int) layout.offset("neck.mlp.0.weight"), (int)
                layout.shape("neck.mlp.0.weight").size());
        assertThat(mlp[1])
                .isCloseTo(Math.sqrt(2.0 / 2048), Percentage.withPercentage(2))
                .isGreaterThan(0.02);
    }

    private static double[] meanStd(float[] x, int off, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[off + i];
        double mean = sum / n;
        double sq = 0;
        for (int i = 0; i < n; i++) sq += (x[off + i] - mean) * (x[off + i] - mean);
        return new double[] {mean, Math.sqrt(sq / n)};
    }
}
