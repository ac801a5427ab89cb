package io.densecl.operator.state;

import io.densecl.operator.api.v1alpha1.AttemptStatus;
import io.densecl.operator.api.v1alpha1.CheckpointRef;
import io.densecl.operator.api.v1alpha1.EvaluationStatus;
import io.densecl.operator.api.v1alpha1.FailureStatus;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.api.v1alpha1.RestartsStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of decide(): the next phase with its reason, the side effects to perform, and the new
 * values of the state-machine-owned status fields (the aggregator adds conditions and display fields).
 *
 * @param outcome how the current attempt ended in this step, or null if it did not end
 * @param requeueAfter when to look again even without an event, or null
 * @param progressUnknown true when this reconcile's progress poll got no answer, false when it got one, null when no
 *     poll was made (the ProgressUnknown condition keeps its value)
 */
public record Decision(
        Phase phase,
        String reason,
        String message,
        List<Action> actions,
        AttemptStatus attempt,
        RestartsStatus restarts,
        FailureStatus lastFailure,
        long lostWorkSeconds,
        List<String> avoidNodes,
        java.util.Map<String, String> avoidNodesUntil,
        CheckpointRef latestCheckpoint,
        String lastAdvanceTime,
        List<EvaluationStatus> evaluations,
        AttemptOutcome outcome,
        Duration requeueAfter,
        Boolean progressUnknown) {

    /** The same decision with {@code first} performed before its other actions. */
    Decision withFirstAction(Action first) {
        List<Action> all = new ArrayList<>();
        all.add(first);
        all.addAll(actions);
        return new Decision(
                phase,
                reason,
                message,
                List.copyOf(all),
                attempt,
                restarts,
                lastFailure,
                lostWorkSeconds,
                avoidNodes,
                avoidNodesUntil,
                latestCheckpoint,
                lastAdvanceTime,
                evaluations,
                outcome,
                requeueAfter,
                progressUnknown);
    }
}
