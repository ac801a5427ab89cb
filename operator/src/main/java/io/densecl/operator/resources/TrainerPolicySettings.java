package io.densecl.operator.resources;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * Who may reach a run's trainer pods on the progress port: the operator's own pods, in its namespace, selected by
 * their labels ({@code densecl.network-policy.*}).
 *
 * @param enabled whether each run gets its trainer NetworkPolicy
 * @param operatorNamespace the operator's namespace (the policy's namespaceSelector)
 * @param operatorPodLabels labels of the operator's pods (the policy's podSelector); never empty when enabled
 */
public record TrainerPolicySettings(boolean enabled, String operatorNamespace, Map<String, String> operatorPodLabels) {

    /** No policies (the operator runs without the chart's network settings). */
    public static final TrainerPolicySettings DISABLED = new TrainerPolicySettings(false, null, Map.of());

    private static final ObjectMapper JSON = new ObjectMapper();

    public TrainerPolicySettings {
        operatorPodLabels = operatorPodLabels == null ? Map.of() : Map.copyOf(operatorPodLabels);
        if (enabled && (operatorNamespace == null || operatorNamespace.isBlank())) {
            throw new IllegalArgumentException("densecl.network-policy.operator-namespace must name the operator's "
                    + "namespace when densecl.network-policy.enabled=true");
        }
        if (enabled && operatorPodLabels.isEmpty()) {
            // An empty podSelector would admit every pod of the operator's namespace.
            throw new IllegalArgumentException(
                    "densecl.network-policy.operator-pod-labels must hold the operator pods' "
                            + "labels (a JSON object, e.g. {\"app.kubernetes.io/name\":\"densecl-operator\"}) when "
                            + "densecl.network-policy.enabled=true");
        }
    }

    /** {@code {"key": "value"}}; blank means none. A malformed value stops the operator at start-up. */
    public static Map<String, String> parseLabels(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        try {
            Map<String, String> m = JSON.readValue(json, new TypeReference<Map<String, String>>() {});
            return m == null ? Map.of() : m;
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "densecl.network-policy.operator-pod-labels must be a JSON object of "
                            + "strings, e.g. {\"app.kubernetes.io/name\":\"densecl-operator\"}; got '" + json + "': "
                            + e.getMessage(),
                    e);
        }
    }
}
