package io.densecl.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.contract.EvaluationProtocol;
import io.densecl.operator.Fixtures;
import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.CheckpointSpec;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every field of the trainer and evaluation pods, the ConfigMap and the checkpoint claim. */
class PodFactoryTest {

    final PodFactory factory = new PodFactory(TestSettings.settings());

    DenseCLRun run() {
        DenseCLRunSpec spec = Fixtures.spec();
        spec.image = "registry.example/densecl:1";
        spec.resources.gpus = 2;
        spec.resources.cpu = "8";
        spec.resources.memory = "32Gi";
        spec.resources.nodeSelector = Map.of("gpu", "h200");
        spec.resources.tolerations = List.of(new TolerationBuilder()
                .withKey("nvidia.com/gpu")
                .withOperator("Exists")
                .withEffect("NoSchedule")
                .build());
        spec.resources.affinity = new AffinityBuilder()
                .withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm()
                .addNewMatchExpression()
                .withKey("zone")
                .withOperator("In")
                .withValues("a")
                .endMatchExpression()
                .endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity()
                .build();
        spec.resources.priorityClassName = "training";
        spec.terminationGracePeriodSeconds = 120L;
        spec.evaluations.add(Fixtures.segmentation("seg"));
        return Fixtures.run("r", spec);
    }

    @Test
    void trainerPodHasEveryField() {
        Pod pod = factory.trainerPod(run(), 3, List.of());
        assertThat(pod.getMetadata().getName()).isEqualTo("r-a3");
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("ml");
        assertThat(pod.getMetadata().getLabels())
                .containsEntry("densecl.io/run", "r")
                .containsEntry("densecl.io/attempt", "3")
                .containsEntry("densecl.io/role", "pretrain");
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("DenseCLRun");
            assertThat(o.getUid()).isEqualTo(Fixtures.UID);
            assertThat(o.getController()).isTrue();
        });
        var spec = pod.getSpec();
        assertThat(spec.getRestartPolicy()).isEqualTo("Never");
        assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(120L);
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(spec.getNodeSelector()).containsEntry("gpu", "h200");
        assertThat(spec.getTolerations())
                .singleElement()
                .satisfies(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
        assertThat(spec.getAffinity().getNodeAffinity()).isNotNull();
        assertThat(spec.getPriorityClassName()).isEqualTo("training");
        assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

        Container c = spec.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("registry.example/densecl:1");
        assertThat(c.getCommand())
                .containsExactly("densecl-trainer", "pretrain", "--config", "/etc/densecl/run.json", "--attempt", "3");
        assertThat(c.getResources().getLimits())
                .containsEntry("nvidia.com/gpu", new Quantity("2"))
                .containsEntry("memory", new Quantity("32Gi"));
        assertThat(c.getResources().getRequests())
                .containsEntry("cpu", new Quantity("8"))
                .containsEntry("memory", new Quantity("32Gi"));
        assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        assertThat(c.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
        assertThat(c.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("progress");
            assertThat(p.getContainerPort()).isEqualTo(8080);
        });
        var sc = c.getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue)))
                .containsEntry("DJL_OFFLINE", "true")
                .containsEntry("OPT_OUT_TRACKING", "true")
                .containsEntry("DENSECL_ATTEMPT", "3")
                .containsEntry("HOME", "/tmp")
                .containsEntry("DJL_CACHE_DIR", "/tmp/djl");

        Map<String, VolumeMount> mounts =
                c.getVolumeMounts().stream().collect(Collectors.toMap(VolumeMount::getMountPath, m -> m));
        assertThat(mounts.get("/data").getReadOnly()).isTrue();
        assertThat(mounts.get("/checkpoints").getReadOnly()).isFalse();
        assertThat(mounts.get("/etc/densecl").getReadOnly()).isTrue();
        assertThat(mounts).containsKey("/tmp");
        var volumes = spec.getVolumes().stream().collect(Collectors.toMap(v -> v.getName(), v -> v));
        assertThat(volumes.get("data").getPersistentVolumeClaim().getClaimName())
                .isEqualTo("densecl-data");
        assertThat(volumes.get("data").getPersistentVolumeClaim().getReadOnly()).isTrue();
        assertThat(volumes.get("checkpoints").getPersistentVolumeClaim().getClaimName())
                .isEqualTo("r-checkpoints");
        assertThat(volumes.get("config").getConfigMap().getName()).isEqualTo("r-config");
        assertThat(volumes.get("tmp").getEmptyDir()).isNotNull();
    }

    /** A fresh ext4 volume has a root-owned 0755 root: without fsGroup the trainer (uid 10001) cannot write to it. */
    @Test
    void podsRunAsTheImagesUserWithAVolumeGroupThatMakesFreshVolumesWritable() {
        for (Pod pod : List.of(
                factory.trainerPod(run(), 1, List.of()),
                factory.evaluationPod(run(), run().getSpec().evaluations.get(0), "r-eval-seg", 2, null))) {
            var sc = pod.getSpec().getSecurityContext();
            assertThat(sc.getRunAsUser()).isEqualTo(10001L);
            assertThat(sc.getRunAsGroup()).isZero();
            assertThat(sc.getFsGroup()).isEqualTo(10001L);
            assertThat(sc.getFsGroupChangePolicy()).isEqualTo("OnRootMismatch");
        }
    }

    /** Probes come from the node: they reach a trainer that NetworkPolicy or mesh mTLS hides from the operator. */
    @Test
    void theTrainerHasALivenessProbeOnItsHealthzUnlessStalenessIsDisabled() {
        var probe = factory.trainerPod(run(), 1, List.of())
                .getSpec()
                .getContainers()
                .get(0)
                .getLivenessProbe();
        assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("progress");
        assertThat(probe.getPeriodSeconds() * probe.getFailureThreshold()).isLessThanOrEqualTo(300);
        DenseCLRun disabled = run();
        disabled.getSpec().failurePolicy.trainerStaleSeconds = 0;
        assertThat(factory.trainerPod(disabled, 1, List.of())
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getLivenessProbe())
                .isNull();
    }

    @Test
    void configurableGpuResourceAndCpuOnlyRuns() {
        PodFactory amd = new PodFactory(new OperatorSettings(
                "img", "amd.com/gpu", 8080, java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(2), 4));
        DenseCLRun r = run();
        assertThat(amd.trainerPod(r, 1, List.of())
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getResources()
                        .getLimits())
                .containsKey("amd.com/gpu")
                .doesNotContainKey("nvidia.com/gpu");
        r.getSpec().resources.gpus = 0;
        r.getSpec().image = null;
        Container c = amd.trainerPod(r, 1, List.of()).getSpec().getContainers().get(0);
        assertThat(c.getResources().getLimits()).doesNotContainKey("amd.com/gpu");
        assertThat(c.getImage()).isEqualTo("img");
    }

    @Test
    void operatorDefaultNodeSelectorAndTolerationsApplyWhenTheRunSetsNone() {
        OperatorSettings settings = TestSettings.settings()
                .withPodDefaults(
                        OperatorSettings.parseNodeSelector("{\"pool\": \"gpu\", \"zone\": \"a\"}"),
                        OperatorSettings.parseTolerations(
                                "[{\"key\": \"nvidia.com/gpu\", \"operator\": \"Exists\", "
                                        + "\"effect\": \"NoSchedule\"}, {\"key\": \"spot\", \"operator\": \"Equal\", \"value\": \"true\"}]"));
        PodFactory withDefaults = new PodFactory(settings);
        DenseCLRun r = run();
        r.getSpec().resources.nodeSelector = Map.of();
        r.getSpec().resources.tolerations = List.of();

        for (Pod pod : List.of(
                withDefaults.trainerPod(r, 1, List.of()),
                withDefaults.evaluationPod(r, r.getSpec().evaluations.get(0), "r-eval-seg", 2, null))) {
            assertThat(pod.getSpec().getNodeSelector())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("pool", "gpu", "zone", "a"));
            assertThat(pod.getSpec().getTolerations())
                    .hasSize(2)
                    .anySatisfy(t -> {
                        assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
                        assertThat(t.getOperator()).isEqualTo("Exists");
                        assertThat(t.getEffect()).isEqualTo("NoSchedule");
                    })
                    .anySatisfy(t -> {
                        assertThat(t.getKey()).isEqualTo("spot");
                        assertThat(t.getValue()).isEqualTo("true");
                    });
        }
        r.getSpec().resources.nodeSelector = null;
        r.getSpec().resources.tolerations = null;
        assertThat(withDefaults.trainerPod(r, 1, List.of()).getSpec().getNodeSelector())
                .containsEntry("pool", "gpu");
        assertThat(withDefaults.trainerPod(r, 1, List.of()).getSpec().getTolerations())
                .hasSize(2);
    }

    @Test
    void theRunsOwnNodeSelectorAndTolerationsAreMergedOverTheDefaults() {
        PodFactory withDefaults = new PodFactory(
                TestSettings.settings()
                        .withPodDefaults(
                                Map.of("pool", "gpu", "gpu", "a100"),
                                OperatorSettings.parseTolerations(
                                        "[{\"key\": \"spot\", \"operator\": \"Exists\"}, "
                                                + "{\"key\": \"nvidia.com/gpu\", \"operator\": \"Exists\", \"effect\": \"NoSchedule\"}]")));
        DenseCLRun r = run();
        for (Pod pod : List.of(
                withDefaults.trainerPod(r, 1, List.of()),
                withDefaults.evaluationPod(r, r.getSpec().evaluations.get(0), "r-eval-seg", 2, null))) {
            // the admin's pool stays; the run's gpu=h200 wins over the default gpu=a100
            assertThat(pod.getSpec().getNodeSelector())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("pool", "gpu", "gpu", "h200"));
            // the defaults first, then the run's; the run's nvidia.com/gpu toleration equals a default one: once
            assertThat(pod.getSpec().getTolerations())
                    .extracting(t -> t.getKey())
                    .containsExactly("spot", "nvidia.com/gpu");
        }
    }

    @Test
    void noDefaultsMeansNoNodeSelectorOrTolerations() {
        DenseCLRun r = run();
        r.getSpec().resources.nodeSelector = Map.of();
        r.getSpec().resources.tolerations = List.of();
        Pod pod = factory.trainerPod(r, 1, List.of());
        assertThat(pod.getSpec().getNodeSelector()).isNullOrEmpty();
        assertThat(pod.getSpec().getTolerations()).isNullOrEmpty();
    }

    @Test
    void podDefaultsParseBlankAndRejectMalformedJson() {
        assertThat(OperatorSettings.parseNodeSelector("")).isEmpty();
        assertThat(OperatorSettings.parseNodeSelector("{}")).isEmpty();
        assertThat(OperatorSettings.parseTolerations(" ")).isEmpty();
        assertThat(OperatorSettings.parseTolerations("[]")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OperatorSettings.parseNodeSelector("[\"a\"]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("densecl.default-node-selector");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OperatorSettings.parseTolerations("{\"key\": 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("densecl.default-tolerations");
    }

    @Test
    void avoidedNodesAreExcludedInEveryTerm() {
        Pod pod = factory.trainerPod(run(), 2, List.of("gpu-7"));
        var terms = pod.getSpec()
                .getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        assertThat(terms)
                .singleElement()
                .satisfies(t -> assertThat(t.getMatchExpressions())
                        .anySatisfy(e -> {
                            assertThat(e.getKey()).isEqualTo("kubernetes.io/hostname");
                            assertThat(e.getOperator()).isEqualTo("NotIn");
                            assertThat(e.getValues()).containsExactly("gpu-7");
                        })
                        .anySatisfy(e -> assertThat(e.getKey()).isEqualTo("zone")));
    }

    @Test
    void anEvaluationWithoutEpochsLeavesThemToItsProtocol() {
        DenseCLRun r = run();
        EvaluationSpec e = r.getSpec().evaluations.get(0);
        e.protocol = EvaluationProtocol.paper;
        e.epochs = null;
        List<String> command = factory.evaluationPod(r, e, "r-eval-seg", 2, null)
                .getSpec()
                .getContainers()
                .get(0)
                .getCommand();
        assertThat(command).doesNotContain("--epochs");
        assertThat(command.get(command.indexOf("--protocol") + 1)).isEqualTo("paper");
    }

    @Test
    void evaluationPodRunsTheEvaluateCommand() {
        DenseCLRun r = run();
        Pod pod = factory.evaluationPod(
                r, r.getSpec().evaluations.get(0), "r-eval-seg", 2, "/checkpoints/ml/r-0123abcd/ckpt-e2-s40");
        assertThat(pod.getMetadata().getLabels())
                .containsEntry("densecl.io/role", "evaluate")
                .containsEntry("densecl.io/evaluation", "seg")
                .containsEntry("densecl.io/checkpoint-epoch", "2");
        Container c = pod.getSpec().getContainers().get(0);
        assertThat(c.getCommand())
                .containsExactly(
                        "densecl-trainer",
                        "evaluate",
                        "--task",
                        "segmentation",
                        "--protocol",
                        "quick",
                        "--data",
                        "/data/synth-seg",
                        "--checkpoint",
                        "/checkpoints/ml/r-0123abcd/ckpt-e2-s40",
                        "--epochs",
                        "1",
                        "--device",
                        "gpu0",
                        "--out",
                        "/tmp/result.json");
        assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/checkpoints");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void anEvaluationPodRequestsOneGpuOfItsOwnAndTheTasksMemoryNotTheTrainersResources() {
        DenseCLRun r = run(); // trainer: 2 GPUs, 8 CPUs, 32Gi
        r.getSpec().resources.gpus = 8;
        r.getSpec().resources.memory = "480Gi";
        r.getSpec().resources.cpu = "64";
        Container c = factory.evaluationPod(r, r.getSpec().evaluations.get(0), "r-eval-seg", 2, null)
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(c.getResources().getLimits())
                .containsEntry("nvidia.com/gpu", new Quantity("1"))
                .containsEntry("memory", new Quantity("16Gi"));
        assertThat(c.getResources().getRequests())
                .containsEntry("cpu", new Quantity("8"))
                .containsEntry("memory", new Quantity("16Gi"));
        assertThat(c.getCommand().get(c.getCommand().indexOf("--device") + 1)).isEqualTo("gpu0");
        assertThat(factory.trainerPod(r, 1, List.of())
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getResources()
                        .getLimits())
                .as("the trainer keeps all of its own")
                .containsEntry("nvidia.com/gpu", new Quantity("8"))
                .containsEntry("memory", new Quantity("480Gi"));
    }

    @Test
    void anEvaluationOfACpuRunRunsOnTheCpuWithNoMoreThanTheTrainersMemory() {
        DenseCLRun r = run();
        r.getSpec().resources.gpus = 0;
        r.getSpec().resources.memory = "4Gi";
        r.getSpec().resources.cpu = "2";
        Container c = factory.evaluationPod(r, r.getSpec().evaluations.get(0), "r-eval-seg", 2, null)
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(c.getResources().getLimits())
                .doesNotContainKey("nvidia.com/gpu")
                .containsEntry("memory", new Quantity("4Gi"));
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("2"));
        assertThat(c.getCommand().get(c.getCommand().indexOf("--device") + 1)).isEqualTo("cpu");
    }

    @Test
    void anEvaluationsOwnResourcesAndTaskSettingsReachThePodAndItsCommand() {
        DenseCLRun r = run();
        EvaluationSpec e = r.getSpec().evaluations.get(0);
        e.resources = new io.densecl.operator.api.v1alpha1.EvaluationResourcesSpec();
        e.resources.gpus = 0;
        e.resources.cpu = "3";
        e.resources.memory = "6Gi";
        e.imageSize = 512;
        e.batchSize = 16;
        e.classes = 21;
        Container c = factory.evaluationPod(r, e, "r-eval-seg", 2, null)
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(c.getResources().getLimits())
                .doesNotContainKey("nvidia.com/gpu")
                .containsEntry("memory", new Quantity("6Gi"));
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("3"));
        List<String> cmd = c.getCommand();
        assertThat(cmd.get(cmd.indexOf("--device") + 1)).isEqualTo("cpu");
        assertThat(cmd.get(cmd.indexOf("--image-size") + 1)).isEqualTo("512");
        assertThat(cmd.get(cmd.indexOf("--batch-size") + 1)).isEqualTo("16");
        assertThat(cmd.get(cmd.indexOf("--classes") + 1)).isEqualTo("21");
        e.resources.gpus = 2;
        cmd = factory.evaluationPod(r, e, "r-eval-seg", 2, null)
                .getSpec()
                .getContainers()
                .get(0)
                .getCommand();
        assertThat(cmd.get(cmd.indexOf("--device") + 1)).isEqualTo("gpu0");
    }

    @Test
    void aPeriodicEvaluationReadsItsEpochByNumberAndSharesTheTrainersNodeWhenAsked() {
        DenseCLRun r = run();
        Pod pod = factory.evaluationPod(r, r.getSpec().evaluations.get(0), "r-eval-seg-e2", 2, null, true, "node-7");
        List<String> cmd = pod.getSpec().getContainers().get(0).getCommand();
        assertThat(pod.getMetadata().getLabels()).containsEntry("densecl.io/on-trainer-node", "true");
        assertThat(cmd.get(cmd.indexOf("--checkpoint") + 1)).isEqualTo(ChildNames.checkpointDir(r));
        assertThat(cmd.get(cmd.indexOf("--checkpoint-epoch") + 1)).isEqualTo("2");
        var terms = pod.getSpec()
                .getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        assertThat(terms)
                .singleElement()
                .satisfies(t -> assertThat(t.getMatchExpressions())
                        .anySatisfy(m -> assertThat(m.getKey()).isEqualTo("zone"))
                        .anySatisfy(m -> {
                            assertThat(m.getKey()).isEqualTo("kubernetes.io/hostname");
                            assertThat(m.getOperator()).isEqualTo("In");
                            assertThat(m.getValues()).containsExactly("node-7");
                        }));
        Pod anywhere = factory.evaluationPod(
                r, r.getSpec().evaluations.get(0), "r-eval-seg", 2, "/c/ckpt-e2-s40", false, null);
        List<String> own = anywhere.getSpec().getContainers().get(0).getCommand();
        assertThat(own).doesNotContain("--checkpoint-epoch");
        assertThat(own.get(own.indexOf("--checkpoint") + 1)).isEqualTo("/c/ckpt-e2-s40");
        assertThat(anywhere.getSpec().getAffinity()).isEqualTo(r.getSpec().resources.affinity);
        assertThat(anywhere.getMetadata().getLabels()).doesNotContainKey("densecl.io/on-trainer-node");
    }

    @Test
    void theTaskDecidesTheDefaultMemory() {
        EvaluationSpec e = Fixtures.segmentation("seg");
        assertThat(EvaluationResources.taskMemory(e)).isEqualTo("16Gi");
        e.protocol = EvaluationProtocol.paper;
        assertThat(EvaluationResources.taskMemory(e)).isEqualTo("32Gi");
        e.type = io.densecl.contract.EvaluationTask.knn;
        assertThat(EvaluationResources.taskMemory(e)).isEqualTo("24Gi");
        assertThat(EvaluationResources.smaller("500Mi", "16Gi")).isEqualTo("500Mi");
        assertThat(EvaluationResources.smaller("1Ti", "16Gi")).isEqualTo("16Gi");
        assertThat(EvaluationResources.smaller("500m", "8")).isEqualTo("500m");
    }

    @Test
    void runJsonFollowsTheContract() throws Exception {
        JsonNode json = new ObjectMapper().readTree(RunConfigRenderer.render(run(), TestSettings.settings(), null));
        assertThat(json.at("/run/uid").asText()).isEqualTo(Fixtures.UID);
        assertThat(json.at("/data/path").asText()).isEqualTo("/data/synth");
        assertThat(json.at("/data/format").asText()).isEqualTo("imageFolder");
        assertThat(json.at("/model/backbone").asText()).isEqualTo("resnet18");
        assertThat(json.at("/denseCL/queueSize").asInt()).isEqualTo(256);
        assertThat(json.at("/training/batchSize").asInt()).isEqualTo(16);
        assertThat(json.at("/training/maxStepsPerEpoch").asInt()).isZero();
        assertThat(json.at("/checkpoint/dir").asText())
                .matches("/checkpoints/ml/r-[0-9a-f]{8}")
                .isEqualTo(ChildNames.checkpointDir(run()))
                .doesNotContain("0123abcd");
        assertThat(json.at("/checkpoint/keepLast").asInt()).isEqualTo(3);
        assertThat(json.at("/resume/mode").asText()).isEqualTo("Auto");
        assertThat(json.at("/resume/fromDir").isNull()).isTrue();
        assertThat(json.at("/device").asText()).isEqualTo("gpu0");
        assertThat(json.at("/devices").toString()).isEqualTo("[\"gpu0\",\"gpu1\"]");
        assertThat(json.at("/progressPort").asInt()).isEqualTo(8080);
        assertThat(json.at("/terminationLog").asText()).isEqualTo("/dev/termination-log");
    }

    @Test
    void checkpointClaimIsRetainedByDefault() {
        DenseCLRun r = run();
        var claim = ChildResources.checkpointClaim(r);
        assertThat(claim.getMetadata().getName()).isEqualTo("r-checkpoints");
        assertThat(claim.getMetadata().getOwnerReferences()).isEmpty();
        assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("50Gi"));
        r.getSpec().checkpoint.onDelete = CheckpointSpec.OnDelete.Delete;
        assertThat(ChildResources.checkpointClaim(r).getMetadata().getOwnerReferences())
                .hasSize(1);
        r.getSpec().checkpoint.claimName = "shared";
        assertThat(ChildNames.checkpointClaim(r)).isEqualTo("shared");
    }

    @Test
    void configMapHoldsRunJson() {
        var cm = ChildResources.config(run(), "{}");
        assertThat(cm.getMetadata().getName()).isEqualTo("r-config");
        assertThat(cm.getData()).containsEntry("run.json", "{}");
        assertThat(cm.getMetadata().getOwnerReferences()).hasSize(1);
    }
}
