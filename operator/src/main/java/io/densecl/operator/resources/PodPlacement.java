package io.densecl.operator.resources;

import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the operator's placement defaults (the chart's trainer.nodeSelector and trainer.tolerations) under a run's
 * own, as the chart promises: a run adds to the defaults and wins on a shared key; it never drops them silently.
 */
public final class PodPlacement {

    private PodPlacement() {}

    /** The defaults with the run's entries put over them; null when both are empty (no nodeSelector in the pod). */
    public static Map<String, String> nodeSelector(Map<String, String> defaults, Map<String, String> own) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (defaults != null) {
            merged.putAll(defaults);
        }
        if (own != null) {
            merged.putAll(own);
        }
        return merged.isEmpty() ? null : merged;
    }

    /** The defaults followed by the run's tolerations, each distinct toleration once. */
    public static List<Toleration> tolerations(List<Toleration> defaults, List<Toleration> own) {
        List<Toleration> merged = new ArrayList<>();
        for (List<Toleration> source : java.util.Arrays.asList(defaults, own)) {
            if (source == null) {
                continue;
            }
            for (Toleration t : source) {
                if (!merged.contains(t)) { // Fabric8 model classes compare by value
                    merged.add(new TolerationBuilder(t).build());
                }
            }
        }
        return merged;
    }
}
