package io.densecl.local;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Pod statuses as the kubelet writes them: phase, the Initialized / PodReadyToStartContainers /
 * ContainersReady / Ready conditions (keeping the scheduler's PodScheduled and the controllers' DisruptionTarget),
 * IPs, and per container (found by name) a running or terminated state with exit code, reason and message.
 */
public final class KubeletStatus {

    private KubeletStatus() {}

    /** The pod's containers started: phase Running, every container running and ready. */
    public static PodStatus running(Pod pod, String podIp, String startedAt) {
        PodStatus s = base(pod);
        s.setPhase("Running");
        s.setPodIP(podIp);
        s.setPodIPs(List.of(new PodIP(podIp)));
        s.setStartTime(s.getStartTime() == null ? startedAt : s.getStartTime());
        s.setConditions(conditions(s.getConditions(), startedAt, "True", null));
        List<ContainerStatus> containers = new ArrayList<>();
        for (var c : pod.getSpec().getContainers()) {
            containers.add(container(c.getName(), c.getImage(), true)
                    .withNewState()
                    .withNewRunning()
                    .withStartedAt(startedAt)
                    .endRunning()
                    .endState()
                    .build());
        }
        s.setContainerStatuses(containers);
        return s;
    }

    /**
     * The pod's (single) container ended: Succeeded on exit 0 of every container, else Failed; the terminated
     * state carries exit code, reason and the termination message.
     */
    static PodStatus terminated(
            Pod pod, int exitCode, String reason, String message, String startedAt, String finishedAt) {
        PodStatus s = base(pod);
        s.setPhase(exitCode == 0 ? "Succeeded" : "Failed");
        s.setConditions(conditions(s.getConditions(), finishedAt, "False", "PodCompleted"));
        List<ContainerStatus> containers = new ArrayList<>();
        for (var c : pod.getSpec().getContainers()) {
            containers.add(container(c.getName(), c.getImage(), false)
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(exitCode)
                    .withReason(reason)
                    .withMessage(message)
                    .withStartedAt(startedAt == null ? finishedAt : startedAt)
                    .withFinishedAt(finishedAt)
                    .withContainerID("densecl-local://" + pod.getMetadata().getUid())
                    .endTerminated()
                    .endState()
                    .build());
        }
        s.setContainerStatuses(containers);
        return s;
    }

    private static PodStatus base(Pod pod) {
        PodStatus s = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        s.setHostIP("127.0.0.1");
        s.setHostIPs(List.of(new io.fabric8.kubernetes.api.model.HostIP("127.0.0.1")));
        return s;
    }

    private static ContainerStatusBuilder container(String name, String image, boolean running) {
        return new ContainerStatusBuilder()
                .withName(name)
                .withImage(image)
                .withImageID(image)
                .withReady(running)
                .withStarted(running)
                .withRestartCount(0);
    }

    /** Kubelet-owned conditions set to {@code status}; any other condition (PodScheduled, DisruptionTarget) kept. */
    private static List<PodCondition> conditions(List<PodCondition> existing, String now, String ready, String reason) {
        List<String> owned = List.of("PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready");
        List<PodCondition> out = new ArrayList<>();
        if (existing != null) {
            existing.stream().filter(c -> !owned.contains(c.getType())).forEach(out::add);
        }
        out.add(condition("PodReadyToStartContainers", "True".equals(ready) ? "True" : "False", null, now));
        out.add(condition("Initialized", "True", "True".equals(ready) ? null : reason, now));
        out.add(condition("ContainersReady", ready, reason, now));
        out.add(condition("Ready", ready, reason, now));
        return out;
    }

    private static PodCondition condition(String type, String status, String reason, String now) {
        return new PodConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withLastTransitionTime(now)
                .build();
    }
}
