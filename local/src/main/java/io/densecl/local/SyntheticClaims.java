package io.densecl.local;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fills data paths that a run names on a claim local mode provisions itself (no PersistentVolumeClaim
 * object existed) and that do not exist yet with a {@code synth} dataset, so the quick start needs no data: a pre-training
 * path gets only the JPEGs ({@code synth --layout images}), an evaluation path a full VOC-style set (different seed), the
 * same as crds/examples/quickstart-data-job.yaml writes on a real cluster.
 */
final class SyntheticClaims {
    private SyntheticClaims() {}

    /** Claim names the run reads data from (pre-training and evaluations). */
    @SuppressWarnings("unchecked")
    static java.util.Set<String> dataClaims(GenericKubernetesResource run) {
        java.util.Set<String> claims = new java.util.LinkedHashSet<>();
        Map<String, Object> spec =
                (Map<String, Object>) run.getAdditionalProperties().get("spec");
        if (spec == null) return claims;
        Map<String, Object> data = (Map<String, Object>) spec.get("data");
        if (data != null && data.get("claimName") != null) claims.add((String) data.get("claimName"));
        for (Map<String, Object> e : (List<Map<String, Object>>) spec.getOrDefault("evaluations", List.of())) {
            Map<String, Object> d = (Map<String, Object>) e.get("data");
            if (d != null && d.get("claimName") != null) claims.add((String) d.get("claimName"));
        }
        return claims;
    }

    /** Synthesises the missing data paths of the run that live on one of {@code claims} (those local mode provisions). */
    @SuppressWarnings("unchecked")
    static void prepare(GenericKubernetesResource run, LocalLayout layout, java.util.Set<String> claims)
            throws IOException, InterruptedException {
        String ns = run.getMetadata().getNamespace() == null
                ? "default"
                : run.getMetadata().getNamespace();
        Map<String, Object> spec =
                (Map<String, Object>) run.getAdditionalProperties().get("spec");
        if (spec == null) return;
        Map<String, Object> data = (Map<String, Object>) spec.get("data");
        if (data != null && claims.contains(data.get("claimName")) && data.get("path") != null) {
            Path target = layout.claim(ns, (String) data.get("claimName")).resolve((String) data.get("path"));
            if (!Files.exists(target)) {
                synth(
                        layout, target, 1,
                        "images"); // only the JPEGs: what crds/examples/quickstart-data-job.yaml writes
            }
        }
        List<Map<String, Object>> evals = (List<Map<String, Object>>) spec.getOrDefault("evaluations", List.of());
        for (Map<String, Object> e : evals) {
            Map<String, Object> d = (Map<String, Object>) e.get("data");
            if (d == null || !claims.contains(d.get("claimName")) || d.get("path") == null) continue;
            Path target = layout.claim(ns, (String) d.get("claimName")).resolve((String) d.get("path"));
            if (!Files.exists(target)) synth(layout, target, 2, "voc");
        }
    }

    private static void synth(LocalLayout layout, Path out, int seed, String synthLayout)
            throws IOException, InterruptedException {
        System.out.println("local: generating a synthetic dataset in " + out);
        List<String> cmd = new ArrayList<>(List.of(
                layout.trainerLauncher().toString(),
                "synth",
                "--out",
                out.toString(),
                "--images",
                "96",
                "--size",
                "64",
                "--classes",
                "4",
                "--seed",
                Integer.toString(seed),
                "--layout",
                synthLayout));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) throw new IOException("synth failed for " + out);
    }
}
