package io.densecl.operator.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.operator.api.v1alpha1.AttemptStatus;
import io.densecl.operator.api.v1alpha1.CheckpointRef;
import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.EvaluationStatus;
import io.densecl.operator.api.v1alpha1.FailureStatus;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.api.v1alpha1.RestartsStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The mutable working copy decide() builds a Decision in; it starts as a deep copy of the last
 * status so that decide() never mutates its input.
 */
final class Draft {

    private static final ObjectMapper COPIER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    Phase phase;
    String reason;
    String message;
    final List<Action> actions = new ArrayList<>();
    AttemptStatus attempt;
    RestartsStatus restarts;
    FailureStatus lastFailure;
    long lostWorkSeconds;
    List<String> avoidNodes;
    java.util.Map<String, String> avoidNodesUntil;
    CheckpointRef latestCheckpoint;
    String lastAdvanceTime;
    List<EvaluationStatus> evaluations;
    AttemptOutcome outcome;
    Duration requeueAfter;
    Boolean progressUnknown;

    static Draft of(DenseCLRunStatus prior) {
        DenseCLRunStatus s =
                prior == null ? new DenseCLRunStatus() : COPIER.convertValue(prior, DenseCLRunStatus.class);
        Draft d = new Draft();
        d.phase = s.phase == null ? Phase.Pending : s.phase;
        d.message = s.message;
        d.attempt = s.attempt;
        d.restarts = s.restarts == null ? new RestartsStatus() : s.restarts;
        d.lastFailure = s.lastFailure;
        d.lostWorkSeconds = s.lostWorkSeconds == null ? 0 : s.lostWorkSeconds;
        d.avoidNodes = s.avoidNodes == null ? new ArrayList<>() : s.avoidNodes;
        d.avoidNodesUntil =
                s.avoidNodesUntil == null ? new java.util.TreeMap<>() : new java.util.TreeMap<>(s.avoidNodesUntil);
        d.latestCheckpoint = s.checkpoint == null ? null : s.checkpoint.latest;
        d.lastAdvanceTime = s.progress == null ? null : s.progress.lastAdvanceTime;
        d.evaluations = s.evaluations == null ? new ArrayList<>() : s.evaluations;
        return d;
    }

    Draft phase(Phase phase, String reason, String message) {
        this.phase = phase;
        this.reason = reason;
        this.message = message;
        return this;
    }

    /** Asks to be reconciled again no later than after {@code after}. */
    void requeue(Duration after) {
        if (requeueAfter == null || after.compareTo(requeueAfter) < 0) {
            requeueAfter = after.isNegative() ? Duration.ZERO : after;
        }
    }

    EvaluationStatus evaluation(String name) {
        return evaluations.stream().filter(e -> name.equals(e.name)).findFirst().orElse(null);
    }

    Decision build() {
        return new Decision(
                phase,
                reason,
                message,
                List.copyOf(actions),
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
