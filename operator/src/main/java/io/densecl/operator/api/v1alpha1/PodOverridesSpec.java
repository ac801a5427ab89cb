package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run may add to its trainer and evaluation pods so they fit the cluster (service account, pull secrets,
 * runtime class, environment, extra volumes, labels). Restricted Pod Security holds whatever is set here: the
 * rules below refuse privileged containers, added capabilities, host namespaces and non-restricted volume types.
 */
@JsonClassDescription(
        "What a run may add to its trainer and evaluation pods so that they fit the cluster. Restricted Pod "
                + "Security holds whatever is set: privileged containers, added capabilities (except NET_BIND_SERVICE), host "
                + "namespaces, running as root and volume types other than the restricted ones are refused.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value =
                "!has(self.volumeMounts) || self.volumeMounts.all(m, has(self.volumes) && self.volumes.exists(v, v.name == m.name))",
        message = "spec.pod.volumeMounts[].name must name a volume of spec.pod.volumes")
@ValidationRule(
        value = "!has(self.volumes) || self.volumes.all(v, self.volumes.exists_one(w, w.name == v.name))",
        message = "spec.pod.volumes[].name must be unique")
public class PodOverridesSpec {

    /** Label keys the operator sets on its pods; a run's pod labels may not use them. */
    public static final String RESERVED_LABEL_RULE = "self.all(k, !k.startsWith('densecl.io/') && !(k in "
            + "['app.kubernetes.io/name', 'app.kubernetes.io/managed-by']))";

    /** Environment variables the operator sets itself (the contract's), which a run may not replace. */
    public static final List<String> RESERVED_ENV =
            List.of("DENSECL_ATTEMPT", "DJL_OFFLINE", "OPT_OUT_TRACKING", "HOME", "DJL_CACHE_DIR");

    /** Extra labels of the pods (for example kueue.x-k8s.io/queue-name, cost-allocation labels). */
    @JsonPropertyDescription("Extra labels of the pods (for example cost-allocation labels); the operator's own keys "
            + "(densecl.io/*, app.kubernetes.io/name, app.kubernetes.io/managed-by) are refused.")
    @Size(max = 64)
    @ValidationRule(
            value = RESERVED_LABEL_RULE,
            message =
                    "spec.pod.labels must not set the operator's labels (densecl.io/*, app.kubernetes.io/name, app.kubernetes.io/managed-by)")
    public Map<String, String> labels = new LinkedHashMap<>();

    /** Extra annotations of the pods (for example a service mesh's or a cluster autoscaler's). */
    @JsonPropertyDescription("Extra annotations of the pods (for example a service mesh's or a cluster autoscaler's).")
    @Size(max = 64)
    public Map<String, String> annotations = new LinkedHashMap<>();

    /** Service account the pods run as (for workload identity to object storage); default: the namespace's default. */
    @JsonPropertyDescription(
            "Service account the pods run as (for example for workload identity to object storage); unset: "
                    + "the namespace's default account.")
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @Size(max = 253)
    public String serviceAccountName;

    /** Whether the service account's API token is mounted; default false (the trainer never calls the API server). */
    @JsonPropertyDescription(
            "Whether the service account's API token is mounted into the pods; default false (the trainer never "
                    + "calls the API server).")
    public Boolean automountServiceAccountToken;

    /** Secrets for pulling the image from a private registry. */
    @JsonPropertyDescription("Secrets (in the run's namespace) for pulling the image from a private registry.")
    @Size(max = 16)
    public List<LocalObjectReference> imagePullSecrets = new ArrayList<>();

    /** RuntimeClass of the pods, for example the NVIDIA container runtime's ("nvidia"). */
    @JsonPropertyDescription(
            "RuntimeClass of the pods, for example the NVIDIA container runtime's (nvidia) on clusters where it is "
                    + "not the default.")
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @Size(max = 253)
    public String runtimeClassName;

    /** Extra environment variables of the trainer container; the operator's own names are refused. */
    @JsonPropertyDescription(
            "Extra environment variables of the trainer container (for example a tracking URI); the operator's own "
                    + "(DENSECL_ATTEMPT, DJL_OFFLINE, OPT_OUT_TRACKING, HOME, DJL_CACHE_DIR) are refused.")
    @Size(max = 64)
    @ValidationRule(
            value =
                    "self.all(e, !(e.name in ['DENSECL_ATTEMPT', 'DJL_OFFLINE', 'OPT_OUT_TRACKING', 'HOME', 'DJL_CACHE_DIR']))",
            message =
                    "spec.pod.env must not set DENSECL_ATTEMPT, DJL_OFFLINE, OPT_OUT_TRACKING, HOME or DJL_CACHE_DIR (set by the operator)")
    public List<EnvVar> env = new ArrayList<>();

    /** ConfigMaps and Secrets whose keys become environment variables of the trainer container. */
    @JsonPropertyDescription("ConfigMaps and Secrets whose keys become environment variables of the trainer container.")
    @Size(max = 16)
    public List<EnvFromSource> envFrom = new ArrayList<>();

    /** Extra volumes of the pods (restricted volume types only). */
    @JsonPropertyDescription(
            "Extra volumes of the pods: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, "
                    + "projected or secret.")
    @Size(max = 32)
    public List<PodVolume> volumes = new ArrayList<>();

    /** Where the extra volumes are mounted in the trainer container; the operator's mount paths are refused. */
    @JsonPropertyDescription(
            "Where the extra volumes are mounted in the trainer container; /data, /checkpoints, /tmp and "
                    + "/etc/densecl are the operator's.")
    @Size(max = 32)
    @ValidationRule(
            value = "self.all(m, !(m.mountPath in ['/data', '/checkpoints', '/tmp', '/etc/densecl']) && "
                    + "!m.mountPath.startsWith('/checkpoints/') && !m.mountPath.startsWith('/data/'))",
            message =
                    "spec.pod.volumeMounts[].mountPath must not be /data, /checkpoints, /tmp, /etc/densecl or below /data or /checkpoints (the operator's mounts)")
    public List<VolumeMount> volumeMounts = new ArrayList<>();

    /** Pod-level security settings merged over the operator's (runAsUser, runAsGroup, fsGroup, supplementalGroups). */
    @JsonPropertyDescription(
            "Pod-level security settings merged over the operator's, e.g. runAsUser, runAsGroup, fsGroup, "
                    + "supplementalGroups for an NFS volume. Running as root, seccomp Unconfined and sysctls are refused.")
    @ValidationRule(
            value = "!has(self.runAsNonRoot) || self.runAsNonRoot",
            message = "spec.pod.securityContext.runAsNonRoot must not be false (Restricted Pod Security)")
    @ValidationRule(
            value = "!has(self.runAsUser) || self.runAsUser != 0",
            message = "spec.pod.securityContext.runAsUser must not be 0 (Restricted Pod Security)")
    @ValidationRule(
            value = "!has(self.seccompProfile) || self.seccompProfile.type in ['RuntimeDefault', 'Localhost']",
            message =
                    "spec.pod.securityContext.seccompProfile.type must be RuntimeDefault or Localhost (Restricted Pod Security)")
    @ValidationRule(
            value =
                    "!has(self.windowsOptions) || !has(self.windowsOptions.hostProcess) || !self.windowsOptions.hostProcess",
            message = "spec.pod.securityContext.windowsOptions.hostProcess is not allowed (Restricted Pod Security)")
    // Not even the safe sysctls: a rule over the list (which has no maxItems in Kubernetes' own schema) exceeds the
    // API server's CEL cost budget, and training needs none.
    @ValidationRule(
            value = "!has(self.sysctls) || size(self.sysctls) == 0",
            message = "spec.pod.securityContext.sysctls are not supported")
    @ValidationRule(
            value = "!has(self.seLinuxOptions) || (!has(self.seLinuxOptions.user) && !has(self.seLinuxOptions.role) && "
                    + "(!has(self.seLinuxOptions.type) || self.seLinuxOptions.type in " + PodOverridesSpec.SELINUX_TYPES
                    + "))",
            message =
                    "spec.pod.securityContext.seLinuxOptions may only set level and a container type (Baseline Pod Security)")
    @ValidationRule(
            value = "!has(self.appArmorProfile) || self.appArmorProfile.type != 'Unconfined'",
            message = "spec.pod.securityContext.appArmorProfile.type must not be Unconfined (Baseline Pod Security)")
    public PodSecurityContext securityContext;

    /** Security settings of the trainer container merged over the operator's (which drop every capability). */
    @JsonPropertyDescription(
            "Security settings of the trainer container merged over the operator's (non-root, no privilege "
                    + "escalation, every capability dropped, read-only root file system, seccomp RuntimeDefault), e.g. runAsUser. "
                    + "privileged, allowPrivilegeEscalation, added capabilities other than NET_BIND_SERVICE, running as root, "
                    + "seccomp Unconfined and an unmasked /proc are refused.")
    @ValidationRule(
            value = "!has(self.privileged) || !self.privileged",
            message = "spec.pod.containerSecurityContext.privileged is not allowed (Restricted Pod Security)")
    @ValidationRule(
            value = "!has(self.allowPrivilegeEscalation) || !self.allowPrivilegeEscalation",
            message =
                    "spec.pod.containerSecurityContext.allowPrivilegeEscalation must be false (Restricted Pod Security)")
    @ValidationRule(
            value =
                    "!has(self.capabilities) || !has(self.capabilities.add) || self.capabilities.add.all(c, c == 'NET_BIND_SERVICE')",
            message =
                    "spec.pod.containerSecurityContext.capabilities.add may only add NET_BIND_SERVICE (Restricted Pod Security)")
    @ValidationRule(
            value = "!has(self.runAsNonRoot) || self.runAsNonRoot",
            message = "spec.pod.containerSecurityContext.runAsNonRoot must not be false (Restricted Pod Security)")
    @ValidationRule(
            value = "!has(self.runAsUser) || self.runAsUser != 0",
            message = "spec.pod.containerSecurityContext.runAsUser must not be 0 (Restricted Pod Security)")
    @ValidationRule(
            value = "!has(self.seccompProfile) || self.seccompProfile.type in ['RuntimeDefault', 'Localhost']",
            message =
                    "spec.pod.containerSecurityContext.seccompProfile.type must be RuntimeDefault or Localhost (Restricted Pod Security)")
    @ValidationRule(
            value = "!has(self.procMount) || self.procMount == 'Default'",
            message = "spec.pod.containerSecurityContext.procMount must be Default (Baseline Pod Security)")
    @ValidationRule(
            value =
                    "!has(self.windowsOptions) || !has(self.windowsOptions.hostProcess) || !self.windowsOptions.hostProcess",
            message =
                    "spec.pod.containerSecurityContext.windowsOptions.hostProcess is not allowed (Restricted Pod Security)")
    @ValidationRule(
            value = "!has(self.seLinuxOptions) || (!has(self.seLinuxOptions.user) && !has(self.seLinuxOptions.role) && "
                    + "(!has(self.seLinuxOptions.type) || self.seLinuxOptions.type in " + PodOverridesSpec.SELINUX_TYPES
                    + "))",
            message =
                    "spec.pod.containerSecurityContext.seLinuxOptions may only set level and a container type (Baseline Pod Security)")
    @ValidationRule(
            value = "!has(self.appArmorProfile) || self.appArmorProfile.type != 'Unconfined'",
            message =
                    "spec.pod.containerSecurityContext.appArmorProfile.type must not be Unconfined (Baseline Pod Security)")
    public SecurityContext containerSecurityContext;

    /** Refused when true: the pods never share the node's network namespace (Restricted Pod Security). */
    @JsonPropertyDescription(
            "Refused when true: the pods never use the node's network namespace (Baseline Pod Security). In the "
                    + "schema so that setting it is an error rather than silently dropped.")
    @ValidationRule(value = "!self", message = "spec.pod.hostNetwork is not allowed (Baseline Pod Security)")
    public Boolean hostNetwork;

    /** Refused when true: the pods never share the node's process namespace. */
    @JsonPropertyDescription(
            "Refused when true: the pods never use the node's process namespace (Baseline Pod Security).")
    @ValidationRule(value = "!self", message = "spec.pod.hostPID is not allowed (Baseline Pod Security)")
    public Boolean hostPID;

    /** Refused when true: the pods never share the node's IPC namespace. */
    @JsonPropertyDescription("Refused when true: the pods never use the node's IPC namespace (Baseline Pod Security).")
    @ValidationRule(value = "!self", message = "spec.pod.hostIPC is not allowed (Baseline Pod Security)")
    public Boolean hostIPC;

    /** The SELinux types Baseline Pod Security allows. */
    static final String SELINUX_TYPES = "['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']";
}
