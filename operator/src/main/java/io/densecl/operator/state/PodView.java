package io.densecl.operator.state;

import io.densecl.contract.TerminationMessage;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What the state machine needs to know about one pod, extracted from the Kubernetes object so that
 * decide() can be table-tested with plain values.
 */
public record PodView(String name, State state, Integer exitCode, String terminatedReason,
        TerminationMessage message, String disruptionReason, String podReason, boolean deleting,
        String podIp, String node, Instant runningSince, Instant finishedAt, Map<String, String> labels) {

    /** Coarse pod state. */
    public enum State { PENDING, RUNNING, SUCCEEDED, FAILED }

    /** Whether the pod has finished (its containers will not run again). */
    public boolean terminated() {
        return state == State.SUCCEEDED || state == State.FAILED;
    }

    /** Whether the pod's container may still be running (and holding its GPU and checkpoint directory). */
    public boolean alive() {
        return !terminated();
    }

    /**
     * Pod conditions that mark a pod ended by the cluster rather than the trainer: Kubernetes' DisruptionTarget, and
     * Kueue's TerminationTarget (reason StoppedByKueue), set when Kueue preempts or evicts a plain pod before deleting it.
     */
    static final java.util.Set<String> DISRUPTION_CONDITIONS = java.util.Set.of("DisruptionTarget", "TerminationTarget");

    /** Whether Kubernetes or Kueue marked the pod as disrupted (DisruptionTarget or TerminationTarget True). */
    public boolean disrupted() {
        return disruptionReason != null;
    }

    public String label(String key) {
        return labels == null ? null : labels.get(key);
    }

    /** Extracts the view from a pod; the first container is the trainer. */
    public static PodView of(Pod pod) {
        var status = pod.getStatus();
        String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
        ContainerStatus container = status == null || status.getContainerStatuses() == null
                || status.getContainerStatuses().isEmpty() ? null : status.getContainerStatuses().get(0);
        ContainerStateTerminated terminated = container == null || container.getState() == null
                ? null : container.getState().getTerminated();
        Instant runningSince = Optional.ofNullable(container).map(ContainerStatus::getState)
                .map(s -> s.getRunning()).map(r -> r.getStartedAt()).map(Instant::parse).orElse(null);
        String disruption = status == null || status.getConditions() == null ? null : status.getConditions().stream()
                .filter(c -> DISRUPTION_CONDITIONS.contains(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> c.getReason() == null ? c.getType() : c.getReason()).findFirst().orElse(null);
        State state = switch (phase) {
            case "Running" -> State.RUNNING;
            case "Succeeded" -> State.SUCCEEDED;
            case "Failed" -> State.FAILED;
            default -> State.PENDING;
        };
        return new PodView(pod.getMetadata().getName(), state,
                terminated == null ? null : terminated.getExitCode(),
                terminated == null ? null : terminated.getReason(),
                terminated == null ? null : TerminationMessage.parse(terminated.getMessage()),
                disruption, status == null ? null : status.getReason(),
                pod.getMetadata().getDeletionTimestamp() != null,
                status == null ? null : status.getPodIP(), pod.getSpec() == null ? null : pod.getSpec().getNodeName(),
                runningSince, terminated == null || terminated.getFinishedAt() == null ? null
                        : Instant.parse(terminated.getFinishedAt()),
                pod.getMetadata().getLabels());
    }
}
