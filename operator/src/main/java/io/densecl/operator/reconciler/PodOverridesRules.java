package io.densecl.operator.reconciler;

import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.PodOverridesSpec;
import io.densecl.operator.api.v1alpha1.PodVolume;
import io.densecl.operator.state.Observed.SpecProblem;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The operator's own check of {@code spec.pod}, the same rules as the CRD's CEL (which an old CRD, or an API server
 * that does not run CEL, would not apply): Restricted Pod Security and the operator's reserved names, paths and
 * labels. The first violation is returned, naming the field.
 */
final class PodOverridesRules {

    private static final Set<String> RESERVED_VOLUMES = Set.of("data", "checkpoints", "tmp", "config");
    private static final Set<String> RESERVED_PATHS = Set.of("/data", "/checkpoints", "/tmp", "/etc/densecl");
    private static final Set<String> SECCOMP_TYPES = Set.of("RuntimeDefault", "Localhost");

    private PodOverridesRules() {}

    static Optional<SpecProblem> check(DenseCLRunSpec spec) {
        PodOverridesSpec o = spec.pod;
        if (o == null) {
            return Optional.empty();
        }
        for (String k : o.labels == null ? Set.<String>of() : o.labels.keySet()) {
            if (k.startsWith("densecl.io/")
                    || k.equals("app.kubernetes.io/name")
                    || k.equals("app.kubernetes.io/managed-by")) {
                return problem("spec.pod.labels", "must not set the operator's label " + k);
            }
        }
        if (truthy(o.hostNetwork) || truthy(o.hostPID) || truthy(o.hostIPC)) {
            String which = truthy(o.hostNetwork) ? "hostNetwork" : truthy(o.hostPID) ? "hostPID" : "hostIPC";
            return problem("spec.pod." + which, "is not allowed (Baseline Pod Security)");
        }
        for (var e : o.env == null ? List.<io.fabric8.kubernetes.api.model.EnvVar>of() : o.env) {
            if (PodOverridesSpec.RESERVED_ENV.contains(e.getName())) {
                return problem("spec.pod.env", e.getName() + " is set by the operator");
            }
        }
        Set<String> volumes = new HashSet<>();
        List<PodVolume> vs = o.volumes == null ? List.of() : o.volumes;
        for (int i = 0; i < vs.size(); i++) {
            PodVolume v = vs.get(i);
            String at = "spec.pod.volumes[" + i + "]";
            long sources = Stream.of(
                            v.configMap,
                            v.csi,
                            v.downwardAPI,
                            v.emptyDir,
                            v.ephemeral,
                            v.persistentVolumeClaim,
                            v.projected,
                            v.secret)
                    .filter(x -> x != null)
                    .count();
            if (sources != 1) {
                return problem(at, PodVolume.SOURCE_MESSAGE);
            }
            if (v.name == null || RESERVED_VOLUMES.contains(v.name) || !volumes.add(v.name)) {
                return problem(
                        at + ".name",
                        "required, unique and not one of the operator's volumes (data, checkpoints, tmp, config)");
            }
        }
        var mounts = o.volumeMounts == null ? List.<io.fabric8.kubernetes.api.model.VolumeMount>of() : o.volumeMounts;
        for (int i = 0; i < mounts.size(); i++) {
            var m = mounts.get(i);
            String at = "spec.pod.volumeMounts[" + i + "]";
            if (!volumes.contains(m.getName())) {
                return problem(at + ".name", "names no volume of spec.pod.volumes");
            }
            String path = m.getMountPath() == null ? "" : m.getMountPath();
            if (RESERVED_PATHS.contains(path) || path.startsWith("/checkpoints/") || path.startsWith("/data/")) {
                return problem(at + ".mountPath", path + " is one of the operator's mounts");
            }
        }
        return checkPod(o.securityContext).or(() -> checkContainer(o.containerSecurityContext));
    }

    private static Optional<SpecProblem> checkPod(PodSecurityContext s) {
        String at = "spec.pod.securityContext";
        if (s == null) {
            return Optional.empty();
        }
        if (Boolean.FALSE.equals(s.getRunAsNonRoot()) || Long.valueOf(0).equals(s.getRunAsUser())) {
            return problem(at, "must not run as root (Restricted Pod Security)");
        }
        if (s.getSeccompProfile() != null
                && !SECCOMP_TYPES.contains(s.getSeccompProfile().getType())) {
            return problem(
                    at + ".seccompProfile.type", "must be RuntimeDefault or Localhost (Restricted Pod Security)");
        }
        if (s.getWindowsOptions() != null && truthy(s.getWindowsOptions().getHostProcess())) {
            return problem(at + ".windowsOptions.hostProcess", "is not allowed (Restricted Pod Security)");
        }
        if (s.getSysctls() != null && !s.getSysctls().isEmpty()) {
            return problem(at + ".sysctls", "are not supported");
        }
        return Optional.empty();
    }

    private static Optional<SpecProblem> checkContainer(SecurityContext s) {
        String at = "spec.pod.containerSecurityContext";
        if (s == null) {
            return Optional.empty();
        }
        if (truthy(s.getPrivileged())) {
            return problem(at + ".privileged", "is not allowed (Restricted Pod Security)");
        }
        if (truthy(s.getAllowPrivilegeEscalation())) {
            return problem(at + ".allowPrivilegeEscalation", "must be false (Restricted Pod Security)");
        }
        if (s.getCapabilities() != null
                && s.getCapabilities().getAdd() != null
                && s.getCapabilities().getAdd().stream().anyMatch(c -> !"NET_BIND_SERVICE".equals(c))) {
            return problem(at + ".capabilities.add", "may only add NET_BIND_SERVICE (Restricted Pod Security)");
        }
        if (Boolean.FALSE.equals(s.getRunAsNonRoot()) || Long.valueOf(0).equals(s.getRunAsUser())) {
            return problem(at, "must not run as root (Restricted Pod Security)");
        }
        if (s.getSeccompProfile() != null
                && !SECCOMP_TYPES.contains(s.getSeccompProfile().getType())) {
            return problem(
                    at + ".seccompProfile.type", "must be RuntimeDefault or Localhost (Restricted Pod Security)");
        }
        if (s.getProcMount() != null && !"Default".equals(s.getProcMount())) {
            return problem(at + ".procMount", "must be Default (Baseline Pod Security)");
        }
        if (s.getWindowsOptions() != null && truthy(s.getWindowsOptions().getHostProcess())) {
            return problem(at + ".windowsOptions.hostProcess", "is not allowed (Restricted Pod Security)");
        }
        return Optional.empty();
    }

    private static boolean truthy(Boolean b) {
        return Boolean.TRUE.equals(b);
    }

    private static Optional<SpecProblem> problem(String field, String message) {
        return Optional.of(new SpecProblem(field, message));
    }
}
