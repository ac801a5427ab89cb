package io.densecl.trainer.model;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ordered list of tensors of one encoder and their offsets inside two flat buffers: one for
 * trainable parameters (torch {@code named_parameters()} order) and one for BatchNorm running
 * statistics. Flat buffers turn the EMA and the SGD update into a handful of whole-buffer ops.
 */
public final class ParameterLayout {
    private final List<ParameterSpec> params = new ArrayList<>();
    private final List<ParameterSpec> buffers = new ArrayList<>();
    private final Map<String, long[]> offsets = new LinkedHashMap<>();
    private final Map<String, Shape> shapes = new LinkedHashMap<>();
    private long paramSize;
    private long bufferSize;

    /** Adds a convolution weight {@code prefix.weight} [out, in, k, k]. */
    public void conv(String prefix, int in, int out, int k, boolean bias) {
        add(new ParameterSpec(prefix + ".weight", new Shape(out, in, k, k), ParameterSpec.Kind.WEIGHT));
        if (bias) {
            add(new ParameterSpec(prefix + ".bias", new Shape(out), ParameterSpec.Kind.BIAS));
        }
    }

    /** Adds a fully connected layer {@code prefix.weight} [out, in] and {@code prefix.bias}. */
    public void linear(String prefix, int in, int out) {
        add(new ParameterSpec(prefix + ".weight", new Shape(out, in), ParameterSpec.Kind.WEIGHT));
        add(new ParameterSpec(prefix + ".bias", new Shape(out), ParameterSpec.Kind.BIAS));
    }

    /** Adds a BatchNorm2d: weight and bias (parameters), running_mean and running_var (buffers). */
    public void batchNorm(String prefix, int channels) {
        add(new ParameterSpec(prefix + ".weight", new Shape(channels), ParameterSpec.Kind.BN_WEIGHT));
        add(new ParameterSpec(prefix + ".bias", new Shape(channels), ParameterSpec.Kind.BN_BIAS));
        add(new ParameterSpec(prefix + ".running_mean", new Shape(channels), ParameterSpec.Kind.BN_RUNNING_MEAN));
        add(new ParameterSpec(prefix + ".running_var", new Shape(channels), ParameterSpec.Kind.BN_RUNNING_VAR));
    }

    private void add(ParameterSpec spec) {
        if (offsets.containsKey(spec.name())) {
            throw new IllegalStateException("duplicate tensor " + spec.name());
        }
        shapes.put(spec.name(), spec.shape());
        if (spec.kind().trainable()) {
            offsets.put(spec.name(), new long[] {0, paramSize, spec.size(), params.size()});
            params.add(spec);
            paramSize += spec.size();
        } else {
            offsets.put(spec.name(), new long[] {1, bufferSize, spec.size(), buffers.size()});
            buffers.add(spec);
            bufferSize += spec.size();
        }
    }

    public List<ParameterSpec> parameters() {
        return Collections.unmodifiableList(params);
    }

    /** Position of a trainable tensor in {@link #parameters()} (and in the flat buffer's split). */
    public int parameterIndex(String name) {
        long[] loc = location(name);
        if (loc[0] != 0) {
            throw new IllegalArgumentException(name + " is a buffer, not a parameter");
        }
        return (int) loc[3];
    }

    /** Offsets where the flat parameter buffer splits into its tensors (all but the first, which is 0). */
    public long[] splitPoints() {
        long[] points = new long[Math.max(0, params.size() - 1)];
        for (int i = 1; i < params.size(); i++) {
            points[i - 1] = offsets.get(params.get(i).name())[1];
        }
        return points;
    }

    public List<ParameterSpec> buffers() {
        return Collections.unmodifiableList(buffers);
    }

    public long parameterCount() {
        return paramSize;
    }

    public long bufferCount() {
        return bufferSize;
    }

    public boolean contains(String name) {
        return offsets.containsKey(name);
    }

    /** Whether the tensor lives in the buffer (running statistics) rather than the parameter buffer. */
    public boolean isBuffer(String name) {
        return location(name)[0] == 1;
    }

    public Shape shape(String name) {
        location(name);
        return shapes.get(name);
    }

    public long offset(String name) {
        return location(name)[1];
    }

    private long[] location(String name) {
        long[] loc = offsets.get(name);
        if (loc == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        return loc;
    }

    /** Every tensor in state-dict order (parameters and buffers interleaved as torch lists them). */
    public List<ParameterSpec> stateDictOrder() {
        List<ParameterSpec> all = new ArrayList<>();
        for (ParameterSpec p : params) {
            all.add(p);
            if (p.kind() == ParameterSpec.Kind.BN_BIAS) {
                String prefix = p.name().substring(0, p.name().length() - ".bias".length());
                for (ParameterSpec b : buffers) {
                    if (b.name().startsWith(prefix + ".running_")) {
                        all.add(b);
                    }
                }
            }
        }
        return all;
    }
}
