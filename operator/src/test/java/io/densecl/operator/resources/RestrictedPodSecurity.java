package io.densecl.operator.resources;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Restricted Pod Security Standard's checks on a built pod, as Kubernetes' pod-security admission applies them
 * (the real-API tier lets the admission plugin itself judge; this is the fast tier's copy).
 */
public final class RestrictedPodSecurity {

    private static final Set<String> SECCOMP = Set.of("RuntimeDefault", "Localhost");

    private RestrictedPodSecurity() {}

    /** The violated checks, empty when the pod passes "restricted". */
    public static List<String> violations(Pod pod) {
        List<String> v = new ArrayList<>();
        var spec = pod.getSpec();
        if (Boolean.TRUE.equals(spec.getHostNetwork())
                || Boolean.TRUE.equals(spec.getHostPID())
                || Boolean.TRUE.equals(spec.getHostIPC())) {
            v.add("host namespaces");
        }
        for (Volume vol : spec.getVolumes()) {
            boolean allowed = vol.getConfigMap() != null
                    || vol.getCsi() != null
                    || vol.getDownwardAPI() != null
                    || vol.getEmptyDir() != null
                    || vol.getEphemeral() != null
                    || vol.getPersistentVolumeClaim() != null
                    || vol.getProjected() != null
                    || vol.getSecret() != null;
            if (!allowed || vol.getHostPath() != null) {
                v.add("volume type of " + vol.getName());
            }
        }
        var podSc = spec.getSecurityContext();
        boolean podNonRoot = podSc != null && Boolean.TRUE.equals(podSc.getRunAsNonRoot());
        boolean podSeccomp = podSc != null
                && podSc.getSeccompProfile() != null
                && SECCOMP.contains(podSc.getSeccompProfile().getType());
        if (podSc != null && Long.valueOf(0).equals(podSc.getRunAsUser())) {
            v.add("pod runAsUser 0");
        }
        List<Container> all = new ArrayList<>(spec.getContainers());
        all.addAll(spec.getInitContainers());
        for (Container c : all) {
            var sc = c.getSecurityContext();
            String n = c.getName();
            if (sc == null) {
                v.add(n + ": no securityContext");
                continue;
            }
            if (Boolean.TRUE.equals(sc.getPrivileged())) {
                v.add(n + ": privileged");
            }
            if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                v.add(n + ": allowPrivilegeEscalation != false");
            }
            if (sc.getCapabilities() == null
                    || sc.getCapabilities().getDrop() == null
                    || !sc.getCapabilities().getDrop().contains("ALL")) {
                v.add(n + ": capabilities.drop lacks ALL");
            }
            if (sc.getCapabilities() != null
                    && sc.getCapabilities().getAdd() != null
                    && sc.getCapabilities().getAdd().stream().anyMatch(a -> !a.equals("NET_BIND_SERVICE"))) {
                v.add(n + ": capabilities.add");
            }
            if (!(Boolean.TRUE.equals(sc.getRunAsNonRoot()) || podNonRoot && sc.getRunAsNonRoot() == null)) {
                v.add(n + ": runAsNonRoot");
            }
            if (Long.valueOf(0).equals(sc.getRunAsUser())) {
                v.add(n + ": runAsUser 0");
            }
            boolean seccomp = sc.getSeccompProfile() != null
                    ? SECCOMP.contains(sc.getSeccompProfile().getType())
                    : podSeccomp;
            if (!seccomp) {
                v.add(n + ": seccompProfile");
            }
            if (c.getPorts().stream().anyMatch(p -> p.getHostPort() != null && p.getHostPort() != 0)) {
                v.add(n + ": hostPort");
            }
        }
        return v;
    }
}
