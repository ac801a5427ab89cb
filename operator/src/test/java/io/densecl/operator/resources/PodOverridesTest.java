package io.densecl.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.Fixtures;
import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.PodVolume;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** spec.pod reaches the trainer and evaluation pods, merged with (never over) the operator's own settings. */
class PodOverridesTest {

    final PodFactory factory = new PodFactory(TestSettings.settings());

    /** A run that sets every override a cluster might need. */
    static DenseCLRun everyOverride() {
        DenseCLRunSpec spec = Fixtures.spec();
        spec.evaluations.add(Fixtures.segmentation("seg"));
        spec.resources.gpus = 1;
        spec.resources.gpuResourceName = "nvidia.com/mig-1g.10gb";
        spec.resources.priorityClassName = "research-low";
        var o = spec.pod;
        o.labels = Map.of("team", "vision", "cost-center", "42");
        o.annotations = Map.of("cluster-autoscaler.kubernetes.io/safe-to-evict", "false");
        o.serviceAccountName = "densecl-s3";
        o.imagePullSecrets = List.of(new LocalObjectReference("private-registry"));
        o.runtimeClassName = "nvidia";
        o.env = List.of(
                new EnvVar("MLFLOW_TRACKING_URI", "http://mlflow.ml:5000", null),
                new EnvVarBuilder()
                        .withName("AWS_REGION")
                        .withNewValueFrom()
                        .withNewConfigMapKeyRef("region", "s3", false)
                        .endValueFrom()
                        .build());
        o.envFrom = List.of(new EnvFromSourceBuilder()
                .withNewSecretRef("s3-credentials", false)
                .build());
        PodVolume cache = new PodVolume();
        cache.name = "dataset-cache";
        cache.persistentVolumeClaim =
                new io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource("imagenet-cache", true);
        PodVolume shm = new PodVolume();
        shm.name = "dshm";
        shm.emptyDir = new io.fabric8.kubernetes.api.model.EmptyDirVolumeSourceBuilder()
                .withMedium("Memory")
                .withSizeLimit(new Quantity("2Gi"))
                .build();
        o.volumes = List.of(cache, shm);
        o.volumeMounts = List.of(
                new VolumeMountBuilder()
                        .withName("dataset-cache")
                        .withMountPath("/cache")
                        .withReadOnly(true)
                        .build(),
                new VolumeMountBuilder()
                        .withName("dshm")
                        .withMountPath("/dev/shm")
                        .build());
        o.securityContext = new PodSecurityContextBuilder()
                .withRunAsUser(2000L)
                .withRunAsGroup(2000L)
                .withFsGroup(2000L)
                .withSupplementalGroups(5000L)
                .build();
        o.containerSecurityContext = new SecurityContextBuilder()
                .withRunAsUser(2000L)
                .withNewCapabilities()
                .withAdd("NET_BIND_SERVICE")
                .endCapabilities()
                .build();
        DenseCLRun run = Fixtures.run("r", spec);
        run.getMetadata()
                .setLabels(Map.of(
                        "kueue.x-k8s.io/queue-name",
                        "team-a",
                        "kueue.x-k8s.io/priority-class",
                        "low",
                        "unrelated",
                        "x"));
        return run;
    }

    List<Pod> pods(DenseCLRun run) {
        return List.of(
                factory.trainerPod(run, 1, List.of()),
                factory.evaluationPod(run, run.getSpec().evaluations.get(0), "r-eval-seg", 2, null));
    }

    static Container trainer(Pod pod) {
        return pod.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("trainer"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void everyOverrideReachesTrainerAndEvaluationPods() {
        for (Pod pod : pods(everyOverride())) {
            var meta = pod.getMetadata();
            assertThat(meta.getLabels())
                    .containsEntry("team", "vision")
                    .containsEntry("cost-center", "42")
                    .containsEntry("densecl.io/run", "r")
                    .doesNotContainKey("unrelated");
            assertThat(meta.getAnnotations()).containsEntry("cluster-autoscaler.kubernetes.io/safe-to-evict", "false");
            var spec = pod.getSpec();
            assertThat(spec.getServiceAccountName()).isEqualTo("densecl-s3");
            assertThat(spec.getAutomountServiceAccountToken())
                    .as("no API token unless asked for")
                    .isFalse();
            assertThat(spec.getImagePullSecrets())
                    .extracting(LocalObjectReference::getName)
                    .containsExactly("private-registry");
            assertThat(spec.getRuntimeClassName()).isEqualTo("nvidia");
            assertThat(spec.getVolumes())
                    .extracting(Volume::getName)
                    .containsSubsequence("data", "checkpoints", "tmp")
                    .contains("dataset-cache", "dshm");
            assertThat(spec.getVolumes().stream()
                            .filter(v -> v.getName().equals("dataset-cache"))
                            .findFirst()
                            .orElseThrow()
                            .getPersistentVolumeClaim()
                            .getClaimName())
                    .isEqualTo("imagenet-cache");
            Container c = trainer(pod);
            assertThat(c.getEnv())
                    .extracting(EnvVar::getName)
                    .as("the operator's first, then the run's")
                    .containsSubsequence("DJL_OFFLINE", "MLFLOW_TRACKING_URI", "AWS_REGION");
            assertThat(c.getEnvFrom())
                    .singleElement()
                    .satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("s3-credentials"));
            assertThat(c.getVolumeMounts())
                    .extracting(VolumeMount::getMountPath)
                    .contains("/data", "/checkpoints", "/cache", "/dev/shm");
            assertThat(c.getResources().getLimits())
                    .containsKey("nvidia.com/mig-1g.10gb")
                    .doesNotContainKey("nvidia.com/gpu");
            // security: the run's uid and groups on top of the operator's restricted settings
            assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(2000L);
            assertThat(spec.getSecurityContext().getFsGroup()).isEqualTo(2000L);
            assertThat(spec.getSecurityContext().getSupplementalGroups()).containsExactly(5000L);
            assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            var sc = c.getSecurityContext();
            assertThat(sc.getRunAsUser()).isEqualTo(2000L);
            assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(sc.getCapabilities().getAdd()).containsExactly("NET_BIND_SERVICE");
            assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
            assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
            assertThat(RestrictedPodSecurity.violations(pod))
                    .as("Restricted Pod Security")
                    .isEmpty();
        }
    }

    @Test
    void kueueLabelsAndThePriorityClassReachBothPods() {
        for (Pod pod : pods(everyOverride())) {
            assertThat(pod.getMetadata().getLabels())
                    .containsEntry("kueue.x-k8s.io/queue-name", "team-a")
                    .containsEntry("kueue.x-k8s.io/priority-class", "low");
            assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("research-low");
            // Kueue's webhook adds the scheduling gate; the operator never does (it would gate pods without Kueue)
            assertThat(pod.getSpec().getSchedulingGates()).isEmpty();
        }
        DenseCLRun viaPodLabels = everyOverride();
        viaPodLabels.getMetadata().setLabels(null);
        viaPodLabels.getSpec().pod.labels = Map.of("kueue.x-k8s.io/queue-name", "team-b");
        assertThat(factory.trainerPod(viaPodLabels, 1, List.of()).getMetadata().getLabels())
                .containsEntry("kueue.x-k8s.io/queue-name", "team-b");
    }

    @Test
    void overridesCannotLoosenTheOperatorsSecurityOrReplaceItsLabels() {
        DenseCLRun run = everyOverride();
        // what the CRD and PodOverridesRules refuse, applied anyway (an old CRD, the mock server): invariants hold
        run.getSpec().pod.containerSecurityContext = new SecurityContextBuilder()
                .withPrivileged(true)
                .withAllowPrivilegeEscalation(true)
                .withRunAsNonRoot(false)
                .withNewCapabilities()
                .withDrop()
                .endCapabilities()
                .build();
        run.getSpec().pod.labels = Map.of("densecl.io/run", "someone-else", "app.kubernetes.io/managed-by", "me");
        Pod pod = factory.trainerPod(run, 1, List.of());
        var sc = trainer(pod).getSecurityContext();
        assertThat(sc.getPrivileged()).isNull();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(pod.getMetadata().getLabels())
                .containsEntry("densecl.io/run", "r")
                .containsEntry("app.kubernetes.io/managed-by", "densecl-operator");
    }

    @Test
    void automountIsOnlyOnWhenTheRunAsksForIt() {
        DenseCLRun run = everyOverride();
        run.getSpec().pod.automountServiceAccountToken = true;
        assertThat(factory.trainerPod(run, 1, List.of()).getSpec().getAutomountServiceAccountToken())
                .isTrue();
    }

    @Test
    void withoutOverridesThePodIsTheFactorysOwn() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        Pod pod = factory.trainerPod(run, 1, List.of());
        assertThat(pod.getSpec().getServiceAccountName()).isNull();
        assertThat(pod.getSpec().getRuntimeClassName()).isNull();
        assertThat(pod.getSpec().getImagePullSecrets()).isEmpty();
        assertThat(pod.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(pod.getSpec().getVolumes())
                .extracting(Volume::getName)
                .containsExactly("data", "checkpoints", "tmp", "config");
        assertThat(RestrictedPodSecurity.violations(pod)).isEmpty();
    }
}
