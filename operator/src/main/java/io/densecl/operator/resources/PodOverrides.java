package io.densecl.operator.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.PodOverridesSpec;
import io.densecl.operator.api.v1alpha1.PodVolume;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a run's {@code spec.pod} additions to a pod the factory built, and passes Kueue's queue labels on. The
 * operator's own labels, environment, volumes and security invariants (non-root, no privilege escalation, every
 * capability dropped) stay whatever the run sets; {@code PodOverridesRules} refuses what would break them first.
 */
public final class PodOverrides {

    /** Kueue's plain-pod integration reads these labels from the pod; a run carries them in its own metadata. */
    public static final List<String> KUEUE_LABELS =
            List.of("kueue.x-k8s.io/queue-name", "kueue.x-k8s.io/priority-class");

    private static final ObjectMapper JSON = new ObjectMapper();

    private PodOverrides() {}

    /** The pod with the run's additions; the input is not modified. */
    public static Pod apply(Pod pod, DenseCLRun run) {
        PodOverridesSpec o = run.getSpec().pod == null ? new PodOverridesSpec() : run.getSpec().pod;
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> runLabels = run.getMetadata().getLabels();
        if (runLabels != null) {
            KUEUE_LABELS.stream().filter(runLabels::containsKey).forEach(k -> labels.put(k, runLabels.get(k)));
        }
        if (o.labels != null) {
            labels.putAll(o.labels);
        }
        labels.putAll(pod.getMetadata().getLabels()); // the operator's labels win (the CRD refuses them anyway)
        Map<String, String> annotations = new LinkedHashMap<>();
        if (pod.getMetadata().getAnnotations() != null) {
            annotations.putAll(pod.getMetadata().getAnnotations());
        }
        if (o.annotations != null) {
            o.annotations.forEach(annotations::putIfAbsent);
        }
        PodBuilder b = new PodBuilder(pod)
                .editMetadata()
                .withLabels(labels)
                .withAnnotations(annotations.isEmpty() ? null : annotations)
                .endMetadata();
        var spec = b.editSpec();
        if (o.serviceAccountName != null && !o.serviceAccountName.isBlank()) {
            spec.withServiceAccountName(o.serviceAccountName);
        }
        if (o.automountServiceAccountToken != null) {
            spec.withAutomountServiceAccountToken(o.automountServiceAccountToken);
        }
        if (o.runtimeClassName != null && !o.runtimeClassName.isBlank()) {
            spec.withRuntimeClassName(o.runtimeClassName);
        }
        if (o.imagePullSecrets != null && !o.imagePullSecrets.isEmpty()) {
            spec.addAllToImagePullSecrets(o.imagePullSecrets);
        }
        if (o.volumes != null) {
            o.volumes.forEach(v -> spec.addToVolumes(volume(v)));
        }
        spec.withSecurityContext(
                merge(pod.getSpec().getSecurityContext(), o.securityContext, PodSecurityContext.class, false));
        List<Container> containers = pod.getSpec().getContainers().stream()
                .map(c -> "trainer".equals(c.getName()) ? container(c, o) : c)
                .toList();
        spec.withContainers(containers);
        return spec.endSpec().build();
    }

    private static Container container(Container base, PodOverridesSpec o) {
        ContainerBuilder c = new ContainerBuilder(base);
        if (o.env != null) {
            c.addAllToEnv(o.env);
        }
        if (o.envFrom != null && !o.envFrom.isEmpty()) {
            c.addAllToEnvFrom(o.envFrom);
        }
        if (o.volumeMounts != null) {
            c.addAllToVolumeMounts(o.volumeMounts);
        }
        return c.withSecurityContext(
                        merge(base.getSecurityContext(), o.containerSecurityContext, SecurityContext.class, true))
                .build();
    }

    /** A run's volume as a pod volume (exactly one source is set; the CRD and PodOverridesRules make sure). */
    static Volume volume(PodVolume v) {
        return new VolumeBuilder()
                .withName(v.name)
                .withConfigMap(v.configMap)
                .withSecret(v.secret)
                .withEmptyDir(v.emptyDir)
                .withPersistentVolumeClaim(v.persistentVolumeClaim)
                .withProjected(v.projected)
                .withDownwardAPI(v.downwardAPI)
                .withCsi(v.csi)
                .withEphemeral(v.ephemeral)
                .build();
    }

    /**
     * The run's security settings merged field by field over the operator's, then the restricted invariants put back:
     * non-root, and for the container no privilege escalation, never privileged, every capability dropped.
     */
    static <T> T merge(T base, T overlay, Class<T> type, boolean container) {
        ObjectNode merged = base == null ? JSON.createObjectNode() : JSON.valueToTree(base);
        if (overlay != null) {
            deepMerge(merged, JSON.valueToTree(overlay));
        }
        merged.put("runAsNonRoot", true);
        if (container) {
            merged.put("allowPrivilegeEscalation", false);
            merged.remove("privileged");
            ObjectNode caps = merged.get("capabilities") instanceof ObjectNode o ? o : merged.putObject("capabilities");
            caps.putArray("drop").add("ALL");
        }
        return JSON.convertValue(merged, type);
    }

    private static void deepMerge(ObjectNode target, JsonNode overlay) {
        overlay.fields().forEachRemaining(e -> {
            JsonNode existing = target.get(e.getKey());
            if (e.getValue().isNull()) {
                return;
            }
            if (existing instanceof ObjectNode obj && e.getValue().isObject()) {
                deepMerge(obj, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue());
            }
        });
    }
}
