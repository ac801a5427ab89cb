package io.densecl.trainer.model;

import io.densecl.trainer.util.SplitMix64;
import java.util.List;

/** Fills the flat parameter and buffer arrays of an encoder; two rules, both deterministic. */
public abstract class Initializer {

    /** Values for one trainable tensor, given its index in {@code named_parameters()} order. */
    protected abstract void fill(ParameterLayout layout, ParameterSpec spec, int index, float[] out, int offset);

    /** The flat parameter vector of {@code layout}. */
    public final float[] parameters(ParameterLayout layout) {
        float[] flat = new float[Math.toIntExact(layout.parameterCount())];
        List<ParameterSpec> specs = layout.parameters();
        for (int i = 0; i < specs.size(); i++) {
            ParameterSpec spec = specs.get(i);
            fill(layout, spec, i, flat, Math.toIntExact(layout.offset(spec.name())));
        }
        return flat;
    }

    /** BatchNorm running statistics: mean 0, variance 1. */
    public static float[] buffers(ParameterLayout layout) {
        float[] flat = new float[Math.toIntExact(layout.bufferCount())];
        for (ParameterSpec spec : layout.buffers()) {
            if (spec.kind() == ParameterSpec.Kind.BN_RUNNING_VAR) {
                int off = Math.toIntExact(layout.offset(spec.name()));
                java.util.Arrays.fill(flat, off, off + (int) spec.size(), 1f);
            }
        }
        return flat;
    }

    static long fanIn(ParameterSpec spec) {
        return spec.size() / spec.shape().get(0);
    }

    /**
     * The golden-vector rule: SplitMix64 seeded with {@code 20261128 + index}, uniform in
     * [-b, b] with {@code b = sqrt(6/fan_in)/2} (rank >= 2) or 0.05 (rank 1); BN weight 1, bias 0.
     */
    public static Initializer golden() {
        return new Initializer() {
            @Override
            protected void fill(ParameterLayout layout, ParameterSpec spec, int index, float[] out, int offset) {
                if (fillBatchNorm(spec, out, offset)) {
                    return;
                }
                SplitMix64 rng = new SplitMix64(20261128L + index);
                float b = spec.shape().dimension() >= 2 ? (float) (Math.sqrt(6.0 / fanIn(spec)) * 0.5) : 0.05f;
                for (int i = 0; i < spec.size(); i++) {
                    float u = rng.nextFloat24();
                    out[offset + i] = (2f * u - 1f) * b;
                }
            }
        };
    }

    /**
     * The official DenseCL initialisation (openselfsup {@code ResNet.init_weights} and
     * {@code DenseCLNeck.init_weights(init_linear='kaiming')}): backbone convs Kaiming normal with
     * fan_in and the ReLU gain (std sqrt(2/fan_in)), BatchNorm weight 1 and bias 0; neck Linear layers
     * Kaiming normal fan_in (std sqrt(2/in)) with zero bias; neck 1x1 convs PyTorch's default
     * ({@code kaiming_uniform_(a=sqrt(5))}: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias).
     * Random streams are keyed by (seed, tensor index).
     */
    public static Initializer official(long seed) {
        return new Initializer() {
            @Override
            protected void fill(ParameterLayout layout, ParameterSpec spec, int index, float[] out, int offset) {
                if (fillBatchNorm(spec, out, offset)) {
                    return;
                }
                SplitMix64 rng = SplitMix64.of(seed, 0xC0FFEEL, index);
                int n = (int) spec.size();
                String name = spec.name();
                boolean neck = name.startsWith(Encoder.NECK);
                boolean linear = spec.shape().dimension() == 2
                        || (spec.kind() == ParameterSpec.Kind.BIAS
                                && layout.shape(weightOf(name)).dimension() == 2);
                if (spec.kind() == ParameterSpec.Kind.BIAS) {
                    // Linear bias 0; conv bias torch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in))
                    if (!linear) {
                        double bound = 1.0 / Math.sqrt(fanInOf(layout.shape(weightOf(name))));
                        for (int i = 0; i < n; i++) out[offset + i] = (float) rng.uniform(-bound, bound);
                    }
                } else if (linear || !neck) {
                    gaussian(
                            rng,
                            out,
                            offset,
                            n,
                            Math.sqrt(2.0 / fanIn(spec))); // kaiming_normal_(mode='fan_in', 'relu')
                } else {
                    double bound = 1.0 / Math.sqrt(fanIn(spec)); // kaiming_uniform_(a=sqrt(5))
                    for (int i = 0; i < n; i++) out[offset + i] = (float) rng.uniform(-bound, bound);
                }
            }
        };
    }

    private static String weightOf(String bias) {
        return bias.substring(0, bias.length() - "bias".length()) + "weight";
    }

    private static long fanInOf(ai.djl.ndarray.types.Shape weight) {
        return weight.size() / weight.get(0);
    }

    static boolean fillBatchNorm(ParameterSpec spec, float[] out, int offset) {
        if (spec.kind() == ParameterSpec.Kind.BN_WEIGHT) {
            java.util.Arrays.fill(out, offset, offset + (int) spec.size(), 1f);
            return true;
        }
        return spec.kind() == ParameterSpec.Kind.BN_BIAS; // zeros already
    }

    /** Fills {@code n} values N(0, std^2) by Box-Muller from {@code rng}. */
    public static void gaussian(SplitMix64 rng, float[] out, int offset, int n, double std) {
        for (int i = 0; i < n; i += 2) {
            double u1 = Math.max(rng.nextDouble(), 1e-300);
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1)) * std;
            out[offset + i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < n) {
                out[offset + i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
    }
}
