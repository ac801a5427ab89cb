package io.densecl.trainer.eval;

import io.densecl.contract.ConfigException;
import io.densecl.trainer.export.CheckpointReader;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.ParameterLayout;
import io.densecl.trainer.model.ParameterSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where an evaluation's backbone weights come from: a pre-training checkpoint, an exported
 * torchvision-key safetensors file, or random initialisation (the baseline). Tensors are keyed by
 * torchvision names (no {@code backbone.} prefix).
 */
public final class BackboneSource {
    private final String arch;
    private final String kind;
    private final Map<String, float[]> tensors;
    private final Integer checkpointEpoch;

    private BackboneSource(String arch, String kind, Map<String, float[]> tensors, Integer checkpointEpoch) {
        this.arch = arch;
        this.kind = kind;
        this.tensors = tensors;
        this.checkpointEpoch = checkpointEpoch;
    }

    public static BackboneSource fromCheckpoint(Path dir) throws IOException {
        return fromCheckpoint(dir, null);
    }

    /** As {@link #fromCheckpoint(Path)}; with {@code epoch}, the first checkpoint of that epoch in the run directory. */
    public static BackboneSource fromCheckpoint(Path dir, Integer epoch) throws IOException {
        CheckpointReader cp = epoch == null ? CheckpointReader.open(dir) : CheckpointReader.open(dir, epoch);
        Map<String, float[]> t = new HashMap<>();
        cp.encoder(false).forEach((name, v) -> {
            if (name.startsWith(Encoder.BACKBONE)) t.put(name.substring(Encoder.BACKBONE.length()), v);
        });
        return new BackboneSource(
                cp.encoder().backbone().arch(),
                "checkpoint",
                t,
                cp.checkpoint().manifest().epoch());
    }

    public static BackboneSource fromFile(Path file, String archHint) throws IOException {
        SafeTensors.File f = SafeTensors.read(file);
        String arch = f.metadata().getOrDefault("densecl.backbone", archHint);
        if (arch == null) {
            throw new ConfigException("--backbone", "the file does not name its backbone; pass --backbone");
        }
        Map<String, float[]> t = new HashMap<>();
        for (SafeTensors.Entry e : f.tensors().values()) {
            if ("F32".equals(e.dtype())) t.put(e.name(), e.floats());
        }
        return new BackboneSource(arch, "file", t, null);
    }

    public static BackboneSource random(String arch) {
        return new BackboneSource(arch, "random", Map.of(), null);
    }

    public String arch() {
        return arch;
    }

    /** checkpoint, file or random. */
    public String kind() {
        return kind;
    }

    public Integer checkpointEpoch() {
        return checkpointEpoch;
    }

    /**
     * Overwrites every {@code backbone.*} tensor of {@code layout} in the flat arrays (random init leaves
     * them as initialised). A missing or mis-shaped tensor is an error naming it.
     */
    public void fill(ParameterLayout layout, float[] params, float[] buffers) {
        if (tensors.isEmpty()) {
            return;
        }
        for (ParameterSpec s : layout.stateDictOrder()) {
            if (!s.name().startsWith(Encoder.BACKBONE)) continue;
            String tv = s.name().substring(Encoder.BACKBONE.length());
            float[] v = tensors.get(tv);
            if (v == null || v.length != s.size()) {
                throw new ConfigException(
                        "--backbone-file",
                        "tensor " + tv
                                + (v == null ? " is missing" : " has " + v.length + " values, expected " + s.size()));
            }
            System.arraycopy(
                    v, 0, layout.isBuffer(s.name()) ? buffers : params, (int) layout.offset(s.name()), v.length);
        }
    }
}
