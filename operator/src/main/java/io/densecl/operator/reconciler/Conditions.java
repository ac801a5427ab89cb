package io.densecl.operator.reconciler;

import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.EvaluationState;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.state.RunStateMachine;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Derives the run's conditions from its phase. Transition times only move when a condition's status
 * flips, so an unchanged run produces an unchanged status (and no write).
 */
final class Conditions {

    private Conditions() {}

    /** The condition that says the API server refused one of the operator's writes. */
    static final String ACTION_FAILED = "ActionFailed";

    /** Pending reasons that no wait will cure: the spec (image) or a missing Secret/ConfigMap must change. */
    static final Set<String> STALLED_PENDING =
            Set.of("InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError");

    static List<Condition> derive(
            List<Condition> prior,
            DenseCLRunStatus s,
            String reason,
            boolean noEvaluations,
            Long generation,
            Instant now) {
        return derive(prior, s, reason, noEvaluations, generation, now, null, List.of());
    }

    /**
     * @param progressUnknown whether this reconcile's progress poll went unanswered; null: no poll, keep the prior value
     * @param atNextAttempt spec fields the live pod does not have yet (they take effect at the next attempt)
     */
    static List<Condition> derive(
            List<Condition> prior,
            DenseCLRunStatus s,
            String reason,
            boolean noEvaluations,
            Long generation,
            Instant now,
            Boolean progressUnknown,
            List<String> atNextAttempt) {
        Phase phase = s.phase;
        boolean invalid = s.lastFailure != null && "InvalidSpec".equals(s.lastFailure.reason) && phase == Phase.Failed;
        List<Condition> out = new ArrayList<>();
        add(
                out,
                prior,
                "Accepted",
                !invalid,
                invalid ? "InvalidSpec" : "Valid",
                invalid ? s.message : "spec accepted",
                generation,
                now);
        add(
                out,
                prior,
                "Running",
                phase == Phase.Running,
                phase == Phase.Running ? reason : phase.name(),
                phase == Phase.Running ? s.message : "phase " + phase,
                generation,
                now);
        boolean suspending = phase == Phase.Suspended && RunStateMachine.SUSPENDING.equals(reason);
        boolean suspended = phase == Phase.Suspended && !suspending; // only once the pod is gone
        add(
                out,
                prior,
                "Suspended",
                suspended,
                suspended ? "Suspended" : suspending ? RunStateMachine.SUSPENDING : "NotSuspended",
                suspended || suspending ? s.message : "not suspended",
                generation,
                now);
        Condition unknownBefore = find(prior, "ProgressUnknown");
        boolean unknown = phase == Phase.Running
                && (progressUnknown != null
                        ? progressUnknown
                        : unknownBefore != null && "True".equals(unknownBefore.getStatus()));
        add(
                out,
                prior,
                "ProgressUnknown",
                unknown,
                unknown ? "TrainerUnreachable" : "ProgressKnown",
                unknown
                        ? "the trainer's progress endpoint does not answer (NetworkPolicy, mesh mTLS, or a hung trainer); the "
                                + "progress deadline is not enforced without an answer, the kubelet's /healthz probe still is"
                        : "progress known or not expected",
                generation,
                now);
        boolean checkpointed = s.checkpoint != null && s.checkpoint.latest != null;
        add(
                out,
                prior,
                "Checkpointed",
                checkpointed,
                checkpointed ? "CheckpointWritten" : "NoCheckpoint",
                checkpointed
                        ? "epoch " + s.checkpoint.latest.epoch + " step " + s.checkpoint.latest.step + " at "
                                + s.checkpoint.latest.path
                        : "no checkpoint yet",
                generation,
                now);
        if (!noEvaluations) {
            boolean anyFailed = s.evaluations.stream().anyMatch(e -> e.state == EvaluationState.Failed);
            boolean done = phase == Phase.Succeeded && !anyFailed;
            add(
                    out,
                    prior,
                    "Evaluated",
                    done,
                    done ? "EvaluationsSucceeded" : anyFailed ? "EvaluationFailed" : "Pending",
                    done ? "all evaluations succeeded" : anyFailed ? "an evaluation failed" : "evaluations pending",
                    generation,
                    now);
        }
        add(
                out,
                prior,
                "Complete",
                phase == Phase.Succeeded,
                phase == Phase.Succeeded ? "Complete" : "NotComplete",
                phase == Phase.Succeeded ? s.message : "not complete",
                generation,
                now);
        add(
                out,
                prior,
                "Failed",
                phase == Phase.Failed,
                phase == Phase.Failed ? reason : "NotFailed",
                phase == Phase.Failed ? s.message : "not failed",
                generation,
                now);
        // kstatus: Reconciling only while the operator converges (a pod being created, restarted or stopped), not for
        // the days a trainer runs; Stalled when the run cannot progress without a change by someone.
        boolean reconciling =
                phase == Phase.Pending || phase == Phase.Starting || phase == Phase.Restarting || suspending;
        add(
                out,
                prior,
                "Reconciling",
                reconciling,
                reconciling ? phase.name() : "Settled",
                reconciling ? s.message : "no work in progress",
                generation,
                now);
        boolean pending = !atNextAttempt.isEmpty() && !phase.terminal();
        add(
                out,
                prior,
                "SpecChangePending",
                pending,
                pending ? "TakesEffectAtNextAttempt" : "UpToDate",
                pending
                        ? String.join(", ", atNextAttempt)
                                + ": takes effect at the next attempt (the running trainer keeps its pod)"
                        : "the trainer runs with the current spec",
                generation,
                now);
        if (find(prior, ACTION_FAILED) != null) { // present since a refusal: now cleared
            add(
                    out,
                    prior,
                    ACTION_FAILED,
                    false,
                    "Succeeded",
                    "the API server accepted the operator's last actions",
                    generation,
                    now);
        }
        boolean stalled = phase == Phase.Failed
                || (phase == Phase.Starting && reason != null && STALLED_PENDING.contains(reason));
        add(
                out,
                prior,
                "Stalled",
                stalled,
                stalled ? reason : "NotStalled",
                stalled ? s.message : "not stalled",
                generation,
                now);
        return out;
    }

    /** The prior conditions with ActionFailed=True (Reconciling=True: the operator is still trying) for the refusal. */
    static List<Condition> actionFailed(List<Condition> prior, Actuator.Failure failure, Long generation, Instant now) {
        List<Condition> out = new ArrayList<>();
        if (prior != null) {
            prior.stream()
                    .filter(c -> !ACTION_FAILED.equals(c.getType()) && !"Reconciling".equals(c.getType()))
                    .forEach(out::add);
        }
        String reason =
                failure.reason() == null || failure.reason().isBlank() ? "Code" + failure.code() : failure.reason();
        add(out, prior, "Reconciling", true, ACTION_FAILED, failure.describe(), generation, now);
        add(out, prior, ACTION_FAILED, true, reason, failure.describe(), generation, now);
        return out;
    }

    private static Condition find(List<Condition> prior, String type) {
        return prior == null
                ? null
                : prior.stream()
                        .filter(c -> type.equals(c.getType()))
                        .findFirst()
                        .orElse(null);
    }

    private static void add(
            List<Condition> out,
            List<Condition> prior,
            String type,
            boolean status,
            String reason,
            String message,
            Long generation,
            Instant now) {
        String value = status ? "True" : "False";
        Condition previous = find(prior, type);
        String since =
                previous != null && value.equals(previous.getStatus()) && previous.getLastTransitionTime() != null
                        ? previous.getLastTransitionTime()
                        : now.toString();
        out.add(new ConditionBuilder()
                .withType(type)
                .withStatus(value)
                .withReason(reason == null ? type : reason)
                .withMessage(message == null ? "" : message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(since)
                .build());
    }
}
