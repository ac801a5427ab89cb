package io.densecl.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.Fixtures;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.PodVolume;
import io.densecl.operator.state.Observed.SpecProblem;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The operator refuses the spec.pod settings the CRD's CEL refuses, naming the field (for old CRDs and the mock). */
class PodOverridesRulesTest {

    static PodVolume emptyDir(String name) {
        PodVolume v = new PodVolume();
        v.name = name;
        v.emptyDir = new EmptyDirVolumeSource();
        return v;
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of(
                        "privileged",
                        (Consumer<DenseCLRunSpec>) s -> s.pod.containerSecurityContext = new SecurityContextBuilder()
                                .withPrivileged(true)
                                .build(),
                        "spec.pod.containerSecurityContext.privileged"),
                Arguments.of(
                        "added SYS_ADMIN",
                        (Consumer<DenseCLRunSpec>) s -> s.pod.containerSecurityContext = new SecurityContextBuilder()
                                .withNewCapabilities()
                                .withAdd("SYS_ADMIN")
                                .endCapabilities()
                                .build(),
                        "spec.pod.containerSecurityContext.capabilities.add"),
                Arguments.of(
                        "privilege escalation",
                        (Consumer<DenseCLRunSpec>) s -> s.pod.containerSecurityContext = new SecurityContextBuilder()
                                .withAllowPrivilegeEscalation(true)
                                .build(),
                        "spec.pod.containerSecurityContext.allowPrivilegeEscalation"),
                Arguments.of(
                        "root",
                        (Consumer<DenseCLRunSpec>) s -> s.pod.securityContext = new PodSecurityContextBuilder()
                                .withRunAsUser(0L)
                                .build(),
                        "spec.pod.securityContext"),
                Arguments.of(
                        "seccomp Unconfined",
                        (Consumer<DenseCLRunSpec>) s -> s.pod.containerSecurityContext = new SecurityContextBuilder()
                                .withNewSeccompProfile()
                                .withType("Unconfined")
                                .endSeccompProfile()
                                .build(),
                        "spec.pod.containerSecurityContext.seccompProfile.type"),
                Arguments.of(
                        "hostNetwork",
                        (Consumer<DenseCLRunSpec>) s -> s.pod.hostNetwork = true,
                        "spec.pod.hostNetwork"),
                Arguments.of("hostPID", (Consumer<DenseCLRunSpec>) s -> s.pod.hostPID = true, "spec.pod.hostPID"),
                Arguments.of(
                        "a volume with no allowed source (a pruned hostPath)",
                        (Consumer<DenseCLRunSpec>) s -> {
                            PodVolume v = new PodVolume();
                            v.name = "host";
                            s.pod.volumes = List.of(v);
                        },
                        "spec.pod.volumes[0]"),
                Arguments.of(
                        "the operator's volume name",
                        (Consumer<DenseCLRunSpec>) s -> s.pod.volumes = List.of(emptyDir("checkpoints")),
                        "spec.pod.volumes[0].name"),
                Arguments.of(
                        "a mount of no volume",
                        (Consumer<DenseCLRunSpec>) s -> s.pod.volumeMounts = List.of(new VolumeMountBuilder()
                                .withName("nope")
                                .withMountPath("/x")
                                .build()),
                        "spec.pod.volumeMounts[0].name"),
                Arguments.of(
                        "a mount over the checkpoints",
                        (Consumer<DenseCLRunSpec>) s -> {
                            s.pod.volumes = List.of(emptyDir("scratch"));
                            s.pod.volumeMounts = List.of(new VolumeMountBuilder()
                                    .withName("scratch")
                                    .withMountPath("/checkpoints/ml")
                                    .build());
                        },
                        "spec.pod.volumeMounts[0].mountPath"),
                Arguments.of(
                        "the operator's env",
                        (Consumer<DenseCLRunSpec>) s -> s.pod.env = List.of(new EnvVar("DENSECL_ATTEMPT", "9", null)),
                        "spec.pod.env"),
                Arguments.of(
                        "the operator's label",
                        (Consumer<DenseCLRunSpec>) s -> s.pod.labels = Map.of("densecl.io/role", "x"),
                        "spec.pod.labels"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesNamingTheField(String name, Consumer<DenseCLRunSpec> edit, String field) {
        DenseCLRunSpec spec = Fixtures.spec();
        assertThat(SpecValidator.validate(spec)).isEmpty();
        edit.accept(spec);
        assertThat(SpecValidator.validate(spec))
                .get()
                .extracting(SpecProblem::field)
                .isEqualTo(field);
    }

    @org.junit.jupiter.api.Test
    void acceptsEveryOverrideOfTheFactoryTest() {
        DenseCLRunSpec spec = io.densecl.operator.resources.PodOverridesTestAccess.everyOverride()
                .getSpec();
        assertThat(SpecValidator.validate(spec)).isEmpty();
    }
}
