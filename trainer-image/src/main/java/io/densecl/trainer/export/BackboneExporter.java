package io.densecl.trainer.export;

import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.ParameterLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Writes a checkpoint as safetensors in one of three key conventions: torchvision ResNet keys (the
 * query backbone; loads into {@code torchvision.models.resnetXX()} with only {@code fc.*} missing),
 * detectron2 keys (the names of detectron2's torchvision-to-d2 converter; to a {@code .pkl} file, the
 * model-zoo pickle {@code DetectionCheckpointer} loads, see {@link Detectron2Pickle}), or the full DenseCL state
 * with the official names ({@code encoder_q.0.*}, {@code encoder_q.1.*}, {@code encoder_k.*},
 * {@code queue}, {@code queue2} and pointers).
 */
public final class BackboneExporter {
    private BackboneExporter() {}

    /** Number of entries written. */
    public static int export(CheckpointReader cp, String format, Path out) throws IOException {
        if (format.equals("detectron2") && out.getFileName().toString().endsWith(".pkl")) {
            // what DetectionCheckpointer reads; detectron2's FrozenBN has no num_batches_tracked
            List<SafeTensors.Entry> entries = backbone(cp, BackboneExporter::detectron2Name).stream()
                    .filter(e -> !e.name().endsWith("num_batches_tracked"))
                    .toList();
            Detectron2Pickle.write(
                    out, "DenseCL " + cp.encoder().backbone().arch() + " step " + cp.globalStep(), entries);
            return entries.size();
        }
        List<SafeTensors.Entry> entries = switch (format) {
            case "torchvision" -> backbone(cp, UnaryOperator.identity());
            case "detectron2" -> backbone(cp, BackboneExporter::detectron2Name);
            case "densecl" -> fullState(cp);
            default ->
                throw new io.densecl.contract.ConfigException(
                        "--format", "'" + format + "' is not torchvision, detectron2 or densecl");
        };
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("densecl.backbone", cp.encoder().backbone().arch());
        meta.put("densecl.step", Long.toString(cp.globalStep()));
        meta.put("densecl.keys", format);
        SafeTensors.write(out, meta, entries);
        return entries.size();
    }

    private static List<SafeTensors.Entry> backbone(CheckpointReader cp, UnaryOperator<String> rename) {
        List<SafeTensors.Entry> out = new ArrayList<>();
        ParameterLayout layout = cp.encoder().layout();
        for (Map.Entry<String, float[]> e : cp.encoder(false).entrySet()) {
            if (!e.getKey().startsWith(Encoder.BACKBONE)) continue;
            String tv = e.getKey().substring(Encoder.BACKBONE.length());
            out.add(SafeTensors.f32(rename.apply(tv), layout.shape(e.getKey()).getShape(), e.getValue()));
            if (tv.endsWith(".running_var")) {
                // torch counts one BN update per training forward of the query encoder
                String nbt = tv.substring(0, tv.length() - "running_var".length()) + "num_batches_tracked";
                out.add(SafeTensors.i64(rename.apply(nbt), new long[0], new long[] {cp.globalStep()}));
            }
        }
        return out;
    }

    private static List<SafeTensors.Entry> fullState(CheckpointReader cp) {
        List<SafeTensors.Entry> out = new ArrayList<>();
        for (boolean key : new boolean[] {false, true}) {
            String prefix = key ? "encoder_k." : "encoder_q.";
            for (Map.Entry<String, float[]> e : cp.encoder(key).entrySet()) {
                String name = e.getKey().startsWith(Encoder.BACKBONE)
                        ? prefix + "0." + e.getKey().substring(Encoder.BACKBONE.length())
                        : prefix + "1." + e.getKey().substring(Encoder.NECK.length());
                out.add(SafeTensors.f32(
                        name, cp.encoder().layout().shape(e.getKey()).getShape(), e.getValue()));
            }
        }
        for (String q : new String[] {"queue", "queue2"}) {
            SafeTensors.Entry e = cp.raw(q);
            out.add(new SafeTensors.Entry(q, e.dtype(), e.shape(), e.data()));
            out.add(SafeTensors.i64(q + "_ptr", new long[] {1}, new long[] {
                q.equals("queue")
                        ? cp.checkpoint().trainer().queuePtr()
                        : cp.checkpoint().trainer().queue2Ptr()
            }));
        }
        return out;
    }

    /** torchvision -> detectron2 ResNet names (stem/res2..res5, convN.norm, shortcut). */
    static String detectron2Name(String k) {
        boolean stem = !k.startsWith("layer");
        for (int i = 1; i <= 4; i++) {
            k = k.replace("layer" + i + ".", "res" + (i + 1) + ".");
        }
        for (int t = 1; t <= 3; t++) {
            k = k.replace("bn" + t + ".", "conv" + t + ".norm.");
        }
        k = k.replace("downsample.0.", "shortcut.").replace("downsample.1.", "shortcut.norm.");
        return stem ? "stem." + k : k;
    }
}
