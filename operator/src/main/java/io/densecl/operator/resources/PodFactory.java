package io.densecl.operator.resources;

import io.densecl.contract.EvaluationProtocol;
import io.densecl.contract.TerminationMessage;
import io.densecl.contract.TrainerInvocation;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds trainer and evaluation pods: run-to-completion, restricted, no Kubernetes credentials. */
public final class PodFactory {

    /** The trainer image's user (trainer-image/Dockerfile), also the group of the volumes (fsGroup). */
    static final long TRAINER_UID = 10001;
    /** The trainer image's primary group (0, as images meant to run under arbitrary uids have). */
    static final long TRAINER_GID = 0;

    /** Where the run's ConfigMap is mounted in trainer pods. */
    static final String CONFIG_DIR = "/etc/densecl";

    private final OperatorSettings settings;

    public PodFactory(OperatorSettings settings) {
        this.settings = settings;
    }

    /** The pre-training pod of one attempt, {@code <run>-a<N>}. */
    public Pod trainerPod(DenseCLRun run, int attempt, List<String> avoidNodes) {
        DenseCLRunSpec spec = run.getSpec();
        String name = ChildNames.attemptPod(run.getMetadata().getName(), attempt);
        Map<String, String> labels = labels(run, ChildNames.ROLE_PRETRAIN);
        labels.put(ChildNames.LABEL_ATTEMPT, String.valueOf(attempt));
        List<String> command = List.of(
                TrainerInvocation.EXECUTABLE,
                TrainerInvocation.PRETRAIN,
                TrainerInvocation.CONFIG,
                CONFIG_DIR + "/" + ChildNames.CONFIG_KEY,
                TrainerInvocation.ATTEMPT,
                String.valueOf(attempt));
        List<Volume> volumes = new ArrayList<>(commonVolumes(run, spec.data.claimName));
        volumes.add(new VolumeBuilder()
                .withName("config")
                .withNewConfigMap()
                .withName(ChildNames.config(run.getMetadata().getName()))
                .endConfigMap()
                .build());
        List<VolumeMount> mounts = new ArrayList<>(commonMounts(false));
        mounts.add(mount("config", CONFIG_DIR, true));
        Pod pod = pod(
                run,
                name,
                labels,
                command,
                volumes,
                mounts,
                attempt,
                withAvoidedNodes(spec.resources.affinity, avoidNodes),
                trainerResources(spec));
        pod.getSpec().getContainers().get(0).setLivenessProbe(liveness(spec));
        return pod;
    }

    /**
     * The kubelet's probe on the trainer's /healthz, which answers 503 once no step has completed for
     * failurePolicy.trainerStaleSeconds: it restarts a hung trainer even where the operator cannot reach the pod
     * (probes come from the node, so NetworkPolicy and mesh mTLS do not stop them). Null when either is disabled.
     */
    private Probe liveness(DenseCLRunSpec spec) {
        Integer stale = spec.failurePolicy.trainerStaleSeconds;
        if (settings.progressPort() <= 0 || (stale != null && stale <= 0)) {
            return null;
        }
        return new ProbeBuilder()
                .withNewHttpGet()
                .withPath("/healthz")
                .withNewPort("progress")
                .endHttpGet()
                .withPeriodSeconds(60)
                .withTimeoutSeconds(10)
                .withFailureThreshold(3)
                .build();
    }

    /**
     * The spec fields whose current value the running trainer pod {@code pod} was not created with: image, compute
     * resources, nodeSelector, priorityClassName, terminationGracePeriodSeconds. A pod cannot take them; the next
     * attempt does. (Tolerations and affinity are left out: admission adds tolerations and avoidNodes adds affinity.)
     */
    public List<String> changedSince(DenseCLRun run, Pod pod) {
        Pod want = pod(
                run,
                pod.getMetadata().getName(),
                new LinkedHashMap<>(),
                List.of(),
                List.of(),
                List.of(),
                0,
                null,
                trainerResources(run.getSpec()));
        var have = pod.getSpec().getContainers().stream()
                .filter(c -> ChildNames.TRAINER_CONTAINER.equals(c.getName()))
                .findFirst()
                .orElse(null);
        var wanted = want.getSpec().getContainers().get(0);
        List<String> changed = new ArrayList<>();
        if (have == null || !java.util.Objects.equals(wanted.getImage(), have.getImage())) {
            changed.add("spec.image");
        }
        if (have == null
                || !sameQuantities(requests(wanted.getResources()), requests(have.getResources()))
                || !sameQuantities(
                        wanted.getResources().getLimits(), have.getResources().getLimits())
                || !java.util.Objects.equals(
                        emptyToNull(want.getSpec().getNodeSelector()),
                        emptyToNull(pod.getSpec().getNodeSelector()))
                || !java.util.Objects.equals(
                        want.getSpec().getPriorityClassName(), pod.getSpec().getPriorityClassName())) {
            changed.add("spec.resources");
        }
        if (!java.util.Objects.equals(
                want.getSpec().getTerminationGracePeriodSeconds(), pod.getSpec().getTerminationGracePeriodSeconds())) {
            changed.add("spec.terminationGracePeriodSeconds");
        }
        return changed;
    }

    private static Map<String, String> emptyToNull(Map<String, String> m) {
        return m == null || m.isEmpty() ? null : m;
    }

    /** The requests as the API server stores them: a limit without a request (GPUs) is requested too. */
    private static Map<String, Quantity> requests(io.fabric8.kubernetes.api.model.ResourceRequirements r) {
        Map<String, Quantity> out = new LinkedHashMap<>(r == null || r.getLimits() == null ? Map.of() : r.getLimits());
        if (r != null && r.getRequests() != null) {
            out.putAll(r.getRequests());
        }
        return out;
    }

    /** Equal as amounts ("1000m" is "1"), as the API server may normalise what it stores. */
    private static boolean sameQuantities(Map<String, Quantity> a, Map<String, Quantity> b) {
        Map<String, Quantity> x = a == null ? Map.of() : a;
        Map<String, Quantity> y = b == null ? Map.of() : b;
        return x.keySet().equals(y.keySet())
                && x.entrySet().stream()
                        .allMatch(e -> e.getValue()
                                        .getNumericalAmount()
                                        .compareTo(y.get(e.getKey()).getNumericalAmount())
                                == 0);
    }

    /** The trainer container's requests and limits: CPU, memory and the run's GPUs under its GPU resource name. */
    private io.fabric8.kubernetes.api.model.ResourceRequirements trainerResources(DenseCLRunSpec spec) {
        var r = spec.resources;
        return new ResourcesBuilderHelper(r.cpu, r.memory, r.gpus, gpuResource(spec)).build();
    }

    /** An evaluation pod; it reads the evaluation's data claim and the checkpoint claim read-only. */
    public Pod evaluationPod(
            DenseCLRun run, EvaluationSpec evaluation, String podName, int checkpointEpoch, String checkpointPath) {
        return evaluationPod(run, evaluation, podName, checkpointEpoch, checkpointPath, false, null);
    }

    /**
     * An evaluation pod of {@code checkpointPath}, or with {@code byEpoch} of the first checkpoint of
     * {@code checkpointEpoch} in the run's directory ({@code --checkpoint-epoch}: never a newer one); on {@code node}
     * when it must share the trainer's ReadWriteOnce checkpoint claim (required node affinity), else anywhere.
     */
    public Pod evaluationPod(
            DenseCLRun run,
            EvaluationSpec evaluation,
            String podName,
            int checkpointEpoch,
            String checkpointPath,
            boolean byEpoch,
            String node) {
        Map<String, String> labels = labels(run, ChildNames.ROLE_EVALUATE);
        labels.put(ChildNames.LABEL_EVALUATION, evaluation.name);
        labels.put(ChildNames.LABEL_CHECKPOINT_EPOCH, String.valueOf(checkpointEpoch));
        if (node != null) {
            labels.put(ChildNames.LABEL_ON_TRAINER_NODE, "true");
        }
        String checkpoint = checkpointPath != null && !byEpoch ? checkpointPath : ChildNames.checkpointDir(run);
        List<String> command = new ArrayList<>(List.of(
                TrainerInvocation.EXECUTABLE,
                TrainerInvocation.EVALUATE,
                TrainerInvocation.TASK,
                evaluation.type.name(),
                TrainerInvocation.PROTOCOL,
                (evaluation.protocol == null ? EvaluationProtocol.quick : evaluation.protocol).name(),
                TrainerInvocation.DATA,
                ChildNames.dataPath(evaluation.data.path),
                TrainerInvocation.CHECKPOINT,
                checkpoint));
        optional(command, TrainerInvocation.CHECKPOINT_EPOCH, byEpoch ? checkpointEpoch : null);
        // unset values: the protocol's
        optional(command, TrainerInvocation.EPOCHS, evaluation.epochs);
        optional(command, TrainerInvocation.IMAGE_SIZE, evaluation.imageSize);
        optional(command, TrainerInvocation.BATCH_SIZE, evaluation.batchSize);
        optional(command, TrainerInvocation.CLASSES, evaluation.classes);
        EvaluationResources own = EvaluationResources.of(run.getSpec(), evaluation);
        command.addAll(List.of(TrainerInvocation.DEVICE, own.device(), TrainerInvocation.OUT, "/tmp/result.json"));
        return pod(
                run,
                podName,
                labels,
                command,
                commonVolumes(run, evaluation.data.claimName),
                commonMounts(true),
                0,
                node == null ? run.getSpec().resources.affinity : onNode(run.getSpec().resources.affinity, node),
                new ResourcesBuilderHelper(own.cpu(), own.memory(), own.gpus(), gpuResource(run.getSpec())).build());
    }

    private static void optional(List<String> command, String flag, Integer value) {
        if (value != null) {
            command.addAll(List.of(flag, String.valueOf(value)));
        }
    }

    private Pod pod(
            DenseCLRun run,
            String name,
            Map<String, String> labels,
            List<String> command,
            List<Volume> volumes,
            List<VolumeMount> mounts,
            int attempt,
            Affinity affinity,
            io.fabric8.kubernetes.api.model.ResourceRequirements resources) {
        var r = run.getSpec().resources;
        String image = run.getSpec().image != null && !run.getSpec().image.isBlank()
                ? run.getSpec().image
                : settings.defaultImage();
        var container = new ContainerBuilder()
                .withName(ChildNames.TRAINER_CONTAINER)
                .withImage(image)
                .withCommand(command)
                .withEnv(env(attempt))
                .withResources(resources)
                .withVolumeMounts(mounts)
                .addNewPort()
                .withName("progress")
                .withContainerPort(settings.progressPort())
                .withProtocol("TCP")
                .endPort()
                .withTerminationMessagePath(TerminationMessage.DEFAULT_PATH)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withSecurityContext(new SecurityContextBuilder()
                        .withRunAsNonRoot(true)
                        .withAllowPrivilegeEscalation(false)
                        .withReadOnlyRootFilesystem(true)
                        .withNewCapabilities()
                        .withDrop("ALL")
                        .endCapabilities()
                        .withNewSeccompProfile()
                        .withType("RuntimeDefault")
                        .endSeccompProfile()
                        .build())
                .build();
        Pod built = new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(run.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(ChildResources.ownerReference(run))
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withTerminationGracePeriodSeconds(run.getSpec().terminationGracePeriodSeconds)
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                // The image's user and group; fsGroup makes a fresh block volume (root-owned 0755) writable, and
                // OnRootMismatch skips the recursive chown of a large volume once its root is right.
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(TRAINER_UID)
                .withRunAsGroup(TRAINER_GID)
                .withFsGroup(TRAINER_UID)
                .withFsGroupChangePolicy("OnRootMismatch")
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .withNodeSelector(PodPlacement.nodeSelector(settings.defaultNodeSelector(), r.nodeSelector))
                .withTolerations(PodPlacement.tolerations(settings.defaultTolerations(), r.tolerations))
                .withAffinity(affinity)
                .withPriorityClassName(r.priorityClassName)
                .withContainers(container)
                .withVolumes(volumes)
                .endSpec()
                .build();
        return PodOverrides.apply(built, run); // spec.pod, Kueue labels
    }

    private static Map<String, String> labels(DenseCLRun run, String role) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "densecl-trainer");
        labels.put("app.kubernetes.io/managed-by", "densecl-operator");
        labels.put(ChildNames.LABEL_RUN, run.getMetadata().getName());
        labels.put(ChildNames.LABEL_ROLE, role);
        return labels;
    }

    private static List<EnvVar> env(int attempt) {
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("DJL_OFFLINE", "true", null));
        env.add(new EnvVar("OPT_OUT_TRACKING", "true", null));
        env.add(new EnvVar(TrainerInvocation.ENV_ATTEMPT, String.valueOf(attempt), null));
        env.add(new EnvVar("HOME", "/tmp", null)); // the root filesystem is read-only; /tmp is an emptyDir
        env.add(new EnvVar("DJL_CACHE_DIR", "/tmp/djl", null));
        return env;
    }

    private static List<Volume> commonVolumes(DenseCLRun run, String dataClaim) {
        return List.of(
                new VolumeBuilder()
                        .withName("data")
                        .withNewPersistentVolumeClaim()
                        .withClaimName(dataClaim)
                        .withReadOnly(true)
                        .endPersistentVolumeClaim()
                        .build(),
                new VolumeBuilder()
                        .withName("checkpoints")
                        .withNewPersistentVolumeClaim()
                        .withClaimName(ChildNames.checkpointClaim(run))
                        .endPersistentVolumeClaim()
                        .build(),
                new VolumeBuilder()
                        .withName("tmp")
                        .withNewEmptyDir()
                        .endEmptyDir()
                        .build());
    }

    private static List<VolumeMount> commonMounts(boolean checkpointsReadOnly) {
        return List.of(
                mount("data", "/data", true),
                mount("checkpoints", ChildNames.CHECKPOINT_ROOT, checkpointsReadOnly),
                mount("tmp", "/tmp", false));
    }

    private static VolumeMount mount(String volume, String path, boolean readOnly) {
        return new VolumeMountBuilder()
                .withName(volume)
                .withMountPath(path)
                .withReadOnly(readOnly)
                .build();
    }

    /** Requires {@code node} (kubernetes.io/hostname In), in every term of the run's own node affinity. */
    static Affinity onNode(Affinity base, String node) {
        return withRequirement(
                base,
                new NodeSelectorRequirementBuilder()
                        .withKey("kubernetes.io/hostname")
                        .withOperator("In")
                        .withValues(node)
                        .build());
    }

    /** Adds a required node anti-affinity for nodes where a device fault happened (exit 74). */
    static Affinity withAvoidedNodes(Affinity base, List<String> avoidNodes) {
        if (avoidNodes == null || avoidNodes.isEmpty()) {
            return base;
        }
        return withRequirement(
                base,
                new NodeSelectorRequirementBuilder()
                        .withKey("kubernetes.io/hostname")
                        .withOperator("NotIn")
                        .withValues(avoidNodes)
                        .build());
    }

    private static Affinity withRequirement(
            Affinity base, io.fabric8.kubernetes.api.model.NodeSelectorRequirement requirement) {
        AffinityBuilder builder = base == null ? new AffinityBuilder() : new AffinityBuilder(base);
        var nodeAffinity = builder.buildNodeAffinity();
        List<NodeSelectorTerm> terms = new ArrayList<>();
        if (nodeAffinity != null && nodeAffinity.getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
            terms.addAll(nodeAffinity
                    .getRequiredDuringSchedulingIgnoredDuringExecution()
                    .getNodeSelectorTerms());
        }
        // Terms are ORed, so the exclusion must be added to every term (or form the only term).
        if (terms.isEmpty()) {
            terms.add(new NodeSelectorTermBuilder()
                    .withMatchExpressions(requirement)
                    .build());
        } else {
            terms.replaceAll(t -> new NodeSelectorTermBuilder(t)
                    .addToMatchExpressions(requirement)
                    .build());
        }
        return builder.editOrNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withNodeSelectorTerms(terms)
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity()
                .build();
    }

    /** Requests and limits: memory limited to its request, GPUs as an extended resource (limits only). */
    /** The run's GPU resource name (a MIG profile, say), else the operator's default. */
    private String gpuResource(DenseCLRunSpec spec) {
        String own = spec.resources.gpuResourceName;
        return own != null && !own.isBlank() ? own : settings.gpuResourceName();
    }

    private record ResourcesBuilderHelper(String cpu, String memory, Integer gpus, String gpuResource) {
        io.fabric8.kubernetes.api.model.ResourceRequirements build() {
            var b = new ResourceRequirementsBuilder();
            if (cpu != null) {
                b.addToRequests("cpu", new Quantity(cpu));
            }
            if (memory != null) {
                b.addToRequests("memory", new Quantity(memory)).addToLimits("memory", new Quantity(memory));
            }
            if (gpus != null && gpus > 0) {
                b.addToLimits(gpuResource, new Quantity(String.valueOf(gpus)));
            }
            return b.build();
        }
    }
}
