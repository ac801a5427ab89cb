package io.densecl.local;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** One line per DenseCLRun whenever its phase, epoch, loss or ETA changes. */
final class StatusPrinter {
    private final Map<String, String> last = new HashMap<>();

    void print(GenericKubernetesResource run) {
        String line = line(run);
        String key = run.getMetadata().getNamespace() + "/" + run.getMetadata().getName();
        if (!line.equals(last.put(key, line))) {
            System.out.println(line);
        }
    }

    static String line(GenericKubernetesResource run) {
        Object phase = at(run, "status", "phase");
        return String.format(
                Locale.ROOT,
                "%-20s phase=%-11s epoch=%s/%s step=%s loss=%s eta=%ss ckpt-epoch=%s restarts=%s best=%s",
                run.getMetadata().getName(),
                phase == null ? "-" : phase,
                at(run, "status", "progress", "epoch"),
                at(run, "status", "progress", "totalEpochs"),
                at(run, "status", "progress", "step"),
                at(run, "status", "trainingMetrics", "loss"),
                at(run, "status", "progress", "etaSeconds"),
                at(run, "status", "checkpoint", "latest", "epoch"),
                at(run, "status", "restarts", "total"),
                at(run, "status", "bestEvaluation"));
    }

    @SuppressWarnings("unchecked")
    static Object at(GenericKubernetesResource r, String... path) {
        Object cur = r.getAdditionalProperties();
        for (String p : path) {
            if (!(cur instanceof Map)) return null;
            cur = ((Map<String, Object>) cur).get(p);
        }
        return cur;
    }
}
