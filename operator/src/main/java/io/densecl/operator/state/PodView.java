package io.densecl.operator.state;

import io.densecl.contract.TerminationMessage;
import io.densecl.operator.resources.ChildNames;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the state machine needs to know about one pod, extracted from the Kubernetes object so that
 * decide() can be table-tested with plain values.
 *
 * @param state the trainer's state: a pod whose trainer container has terminated counts as ended even while an
 *     injected sidecar keeps the pod Running
 * @param waitingReason why a pending pod does not run yet (the trainer container's waiting reason, or the
 *     scheduler's: Unschedulable), or null
 * @param waitingMessage the message that goes with {@code waitingReason}, or null
 * @param podStillRunning the trainer has terminated but the pod has not (a sidecar keeps it Running)
 * @param deletionDeadline the pod's deletionTimestamp (when its grace period ends), or null
 */
public record PodView(
        String name,
        State state,
        Integer exitCode,
        String terminatedReason,
        TerminationMessage message,
        String disruptionReason,
        String podReason,
        boolean deleting,
        String podIp,
        String node,
        Instant runningSince,
        Instant finishedAt,
        Map<String, String> labels,
        String waitingReason,
        String waitingMessage,
        boolean podStillRunning,
        Instant deletionDeadline) {

    /** Coarse pod state. */
    public enum State {
        PENDING,
        RUNNING,
        SUCCEEDED,
        FAILED
    }

    /** A view without waiting reason, sidecar or deletion deadline (tests of the common cases). */
    public PodView(
            String name,
            State state,
            Integer exitCode,
            String terminatedReason,
            TerminationMessage message,
            String disruptionReason,
            String podReason,
            boolean deleting,
            String podIp,
            String node,
            Instant runningSince,
            Instant finishedAt,
            Map<String, String> labels) {
        this(
                name,
                state,
                exitCode,
                terminatedReason,
                message,
                disruptionReason,
                podReason,
                deleting,
                podIp,
                node,
                runningSince,
                finishedAt,
                labels,
                null,
                null,
                false,
                null);
    }

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
     * Kueue's TerminationTarget (reason WorkloadEvictedDueToPreempted on preemption), set when Kueue preempts or evicts a plain pod before deleting it.
     */
    static final java.util.Set<String> DISRUPTION_CONDITIONS =
            java.util.Set.of("DisruptionTarget", "TerminationTarget");

    /**
     * Whether the pod may still hold its checkpoint directory at {@code now}: alive, and not a pod being deleted whose
     * grace period has ended. Past that deadline a reachable kubelet has killed the trainer; a pod still "Running"
     * then sits on an unreachable node, and it must not block the run forever.
     */
    public boolean holdsCheckpoints(Instant now) {
        return alive() && !(deleting && deletionDeadline != null && !now.isBefore(deletionDeadline));
    }

    /** Whether Kubernetes or Kueue marked the pod as disrupted (DisruptionTarget or TerminationTarget True). */
    public boolean disrupted() {
        return disruptionReason != null;
    }

    public String label(String key) {
        return labels == null ? null : labels.get(key);
    }

    /** Extracts the view from a pod; the trainer container is found by name (a sidecar may sort before it). */
    public static PodView of(Pod pod) {
        var status = pod.getStatus();
        String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
        ContainerStatus container = trainer(status == null ? null : status.getContainerStatuses());
        ContainerStateTerminated terminated = container == null || container.getState() == null
                ? null
                : container.getState().getTerminated();
        ContainerStateWaiting waiting = container == null || container.getState() == null
                ? null
                : container.getState().getWaiting();
        Instant runningSince = Optional.ofNullable(container)
                .map(ContainerStatus::getState)
                .map(s -> s.getRunning())
                .map(r -> r.getStartedAt())
                .map(Instant::parse)
                .orElse(null);
        List<PodCondition> conditions =
                status == null || status.getConditions() == null ? List.of() : status.getConditions();
        String disruption = conditions.stream()
                .filter(c -> DISRUPTION_CONDITIONS.contains(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> c.getReason() == null ? c.getType() : c.getReason())
                .findFirst()
                .orElse(null);
        PodCondition unscheduled = conditions.stream()
                .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
                .findFirst()
                .orElse(null);
        State state = switch (phase) {
            case "Running" -> State.RUNNING;
            case "Succeeded" -> State.SUCCEEDED;
            case "Failed" -> State.FAILED;
            default -> State.PENDING;
        };
        boolean stillRunning = false;
        if (terminated != null && !"Succeeded".equals(phase) && !"Failed".equals(phase)) {
            // The trainer is done but a sidecar (an injected proxy) keeps the pod going: the attempt has ended.
            state = terminated.getExitCode() != null && terminated.getExitCode() == 0 ? State.SUCCEEDED : State.FAILED;
            stillRunning = true;
        }
        String waitingReason = waiting != null && waiting.getReason() != null
                ? waiting.getReason()
                : unscheduled != null
                        ? (unscheduled.getReason() == null ? "Unschedulable" : unscheduled.getReason())
                        : null;
        String waitingMessage = waiting != null && waiting.getReason() != null
                ? waiting.getMessage()
                : unscheduled != null ? unscheduled.getMessage() : null;
        var meta = pod.getMetadata();
        return new PodView(
                meta.getName(),
                state,
                terminated == null ? null : terminated.getExitCode(),
                terminated == null ? null : terminated.getReason(),
                terminated == null ? null : TerminationMessage.parse(terminated.getMessage()),
                disruption,
                status == null ? null : status.getReason(),
                meta.getDeletionTimestamp() != null,
                status == null ? null : status.getPodIP(),
                pod.getSpec() == null ? null : pod.getSpec().getNodeName(),
                runningSince,
                terminated == null || terminated.getFinishedAt() == null
                        ? null
                        : Instant.parse(terminated.getFinishedAt()),
                meta.getLabels(),
                state == State.PENDING ? waitingReason : null,
                state == State.PENDING ? waitingMessage : null,
                stillRunning,
                meta.getDeletionTimestamp() == null ? null : Instant.parse(meta.getDeletionTimestamp()));
    }

    private static ContainerStatus trainer(List<ContainerStatus> statuses) {
        return statuses == null
                ? null
                : statuses.stream()
                        .filter(c -> ChildNames.TRAINER_CONTAINER.equals(c.getName()))
                        .findFirst()
                        .orElse(null);
    }
}
