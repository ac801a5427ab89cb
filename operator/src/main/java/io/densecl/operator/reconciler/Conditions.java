package io.densecl.operator.reconciler;

import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.EvaluationState;
import io.densecl.operator.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Derives the run's conditions from its phase. Transition times only move when a condition's status
 * flips, so an unchanged run produces an unchanged status (and no write).
 */
final class Conditions {

    private Conditions() {
    }

    static List<Condition> derive(List<Condition> prior, DenseCLRunStatus s, String reason, boolean noEvaluations,
            Long generation, Instant now) {
        Phase phase = s.phase;
        boolean invalid = s.lastFailure != null && "InvalidSpec".equals(s.lastFailure.reason) && phase == Phase.Failed;
        List<Condition> out = new ArrayList<>();
        add(out, prior, "Accepted", !invalid, invalid ? "InvalidSpec" : "Valid",
                invalid ? s.message : "spec accepted", generation, now);
        add(out, prior, "Running", phase == Phase.Running, phase == Phase.Running ? reason : phase.name(),
                phase == Phase.Running ? s.message : "phase " + phase, generation, now);
        add(out, prior, "Suspended", phase == Phase.Suspended, phase == Phase.Suspended ? "Suspended" : "NotSuspended",
                phase == Phase.Suspended ? s.message : "not suspended", generation, now);
        boolean checkpointed = s.checkpoint != null && s.checkpoint.latest != null;
        add(out, prior, "Checkpointed", checkpointed, checkpointed ? "CheckpointWritten" : "NoCheckpoint",
                checkpointed ? "epoch " + s.checkpoint.latest.epoch + " step " + s.checkpoint.latest.step + " at "
                        + s.checkpoint.latest.path : "no checkpoint yet", generation, now);
        if (!noEvaluations) {
            boolean anyFailed = s.evaluations.stream().anyMatch(e -> e.state == EvaluationState.Failed);
            boolean done = phase == Phase.Succeeded && !anyFailed;
            add(out, prior, "Evaluated", done, done ? "EvaluationsSucceeded" : anyFailed ? "EvaluationFailed" : "Pending",
                    done ? "all evaluations succeeded" : anyFailed ? "an evaluation failed" : "evaluations pending",
                    generation, now);
        }
        add(out, prior, "Complete", phase == Phase.Succeeded, phase == Phase.Succeeded ? "Complete" : "NotComplete",
                phase == Phase.Succeeded ? s.message : "not complete", generation, now);
        add(out, prior, "Failed", phase == Phase.Failed, phase == Phase.Failed ? reason : "NotFailed",
                phase == Phase.Failed ? s.message : "not failed", generation, now);
        // kstatus: Reconciling while work is in progress, Stalled when the run cannot progress without a spec change.
        boolean reconciling = !phase.terminal() && phase != Phase.Suspended;
        add(out, prior, "Reconciling", reconciling, reconciling ? phase.name() : "Settled",
                reconciling ? s.message : "no work in progress", generation, now);
        add(out, prior, "Stalled", phase == Phase.Failed, phase == Phase.Failed ? reason : "NotStalled",
                phase == Phase.Failed ? s.message : "not stalled", generation, now);
        return out;
    }

    private static void add(List<Condition> out, List<Condition> prior, String type, boolean status, String reason,
            String message, Long generation, Instant now) {
        String value = status ? "True" : "False";
        Condition previous = prior == null ? null
                : prior.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String since = previous != null && value.equals(previous.getStatus()) && previous.getLastTransitionTime() != null
                ? previous.getLastTransitionTime() : now.toString();
        out.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason == null ? type : reason)
                .withMessage(message == null ? "" : message).withObservedGeneration(generation)
                .withLastTransitionTime(since).build());
    }
}
