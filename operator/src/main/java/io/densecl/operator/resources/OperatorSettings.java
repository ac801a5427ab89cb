package io.densecl.operator.resources;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Toleration;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Operator-wide settings (OperatorConfig, prefix {@code densecl.}) as a plain record with the JSON values parsed,
 * so that factories and the state machine can be unit-tested without CDI.
 *
 * @param defaultNodeSelector nodeSelector of trainer and evaluation pods, under the run's own (a run's key wins)
 *        ({@code densecl.default-node-selector}, a JSON object)
 * @param defaultTolerations tolerations of trainer and evaluation pods, before the run's own
 *        ({@code densecl.default-tolerations}, a JSON array)
 * @param maxGpusPerPod the most GPUs one pod may ask for: what one node holds ({@code densecl.max-gpus-per-pod})
 */
public record OperatorSettings(
        String defaultImage,
        String gpuResourceName,
        int progressPort,
        Duration progressInterval,
        Duration progressTimeout,
        int progressMaxConcurrent,
        Map<String, String> defaultNodeSelector,
        List<Toleration> defaultTolerations,
        int maxGpusPerPod) {

    /** The chart's default of {@code trainer.maxGpusPerPod}: one 8-GPU node. */
    public static final int DEFAULT_MAX_GPUS_PER_POD = 8;

    private static final ObjectMapper JSON = new ObjectMapper();

    public OperatorSettings {
        defaultNodeSelector = defaultNodeSelector == null ? Map.of() : Map.copyOf(defaultNodeSelector);
        defaultTolerations = defaultTolerations == null ? List.of() : List.copyOf(defaultTolerations);
    }

    public OperatorSettings(
            String defaultImage,
            String gpuResourceName,
            int progressPort,
            Duration progressInterval,
            Duration progressTimeout,
            int progressMaxConcurrent) {
        this(
                defaultImage,
                gpuResourceName,
                progressPort,
                progressInterval,
                progressTimeout,
                progressMaxConcurrent,
                Map.of(),
                List.of(),
                DEFAULT_MAX_GPUS_PER_POD);
    }

    public OperatorSettings withPodDefaults(Map<String, String> nodeSelector, List<Toleration> tolerations) {
        return new OperatorSettings(
                defaultImage,
                gpuResourceName,
                progressPort,
                progressInterval,
                progressTimeout,
                progressMaxConcurrent,
                nodeSelector,
                tolerations,
                maxGpusPerPod);
    }

    public OperatorSettings withMaxGpusPerPod(int max) {
        return new OperatorSettings(
                defaultImage,
                gpuResourceName,
                progressPort,
                progressInterval,
                progressTimeout,
                progressMaxConcurrent,
                defaultNodeSelector,
                defaultTolerations,
                max);
    }

    /** {@code {"key": "value"}}; blank means none. A malformed value stops the operator at start-up. */
    public static Map<String, String> parseNodeSelector(String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        try {
            Map<String, String> m = JSON.readValue(json, new TypeReference<Map<String, String>>() {});
            return m == null ? Map.of() : m;
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "densecl.default-node-selector must be a JSON object of strings, e.g. "
                            + "{\"gpu\":\"a100\"}; got '" + json + "': " + e.getMessage(),
                    e);
        }
    }

    /** {@code [{"key": ..., "operator": ..., "effect": ...}]}; blank means none. A malformed value stops the operator at start-up. */
    public static List<Toleration> parseTolerations(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            List<Toleration> l = JSON.readValue(json, new TypeReference<List<Toleration>>() {});
            return l == null ? List.of() : l;
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "densecl.default-tolerations must be a JSON array of tolerations, e.g. "
                            + "[{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]; got '"
                            + json
                            + "': " + e.getMessage(),
                    e);
        }
    }
}
