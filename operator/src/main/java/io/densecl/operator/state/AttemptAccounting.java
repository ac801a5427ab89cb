package io.densecl.operator.state;

import io.densecl.contract.ExitCodes;
import io.densecl.operator.api.v1alpha1.AttemptStatus;
import io.densecl.operator.api.v1alpha1.FailureStatus;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.state.AttemptOutcome.Kind;
import java.time.Duration;
import java.time.Instant;

/**
 * The end of an attempt: charges it to the right budget (backoffLimit or maxDisruptions), records
 * the failure and the lost work, and picks the next phase and the earliest restart time.
 */
final class AttemptAccounting {

    private AttemptAccounting() {}

    static void end(Observed o, Draft d, AttemptOutcome outcome) {
        AttemptStatus a = d.attempt;
        a.endedAt = o.now().toString();
        a.endReason = outcome.reason();
        d.outcome = outcome;
        var policy = o.spec().failurePolicy;
        switch (outcome.kind()) {
            case SUCCESS -> {
                Integer done = d.latestCheckpoint == null ? null : d.latestCheckpoint.epoch;
                if (done != null && o.epochs() > done) {
                    // training.epochs grew while this trainer ran on the run.json it started with: its end is not the
                    // run's, so no Succeeded and no after-training evaluation of an intermediate checkpoint.
                    d.outcome = new AttemptOutcome(
                            Kind.NOT_COUNTED,
                            "EpochsIncreased",
                            outcome.exitCode(),
                            "trained to epoch " + done + " of the " + o.epochs() + " now asked for",
                            null);
                    a.endReason = "EpochsIncreased";
                    a.restartAfter = null;
                    d.phase(
                            Phase.Restarting,
                            "EpochsIncreased",
                            "training.epochs grew to " + o.epochs() + ": continuing from epoch " + done);
                    return;
                }
                // AfterTraining evaluations, and periodic ones still owed (deferred, or running): Succeeded when none
                d.phase(Phase.Evaluating, "TrainingComplete", "pre-training complete; evaluating");
                EvaluationStage.afterTraining(o, d);
            }
            case FATAL -> {
                recordFailure(o, d, outcome);
                d.phase(Phase.Failed, outcome.reason(), outcome.message());
            }
            case COUNTED -> {
                d.restarts.counted++;
                d.restarts.total++;
                recordFailure(o, d, outcome);
                if (outcome.exitCode() != null
                        && outcome.exitCode() == ExitCodes.DEVICE
                        && a.node != null
                        && !d.avoidNodes.contains(a.node)) {
                    d.avoidNodes.add(a.node); // "retry, avoid the node"
                }
                if (outcome.exitCode() != null && outcome.exitCode() == ExitCodes.DEVICE && a.node != null) {
                    d.avoidNodesUntil.put(
                            a.node, o.now().plus(RunStateMachine.AVOID_NODE_FOR).toString());
                }
                if (d.restarts.counted > RunStateMachine.orZero(policy.backoffLimit)) {
                    d.phase(
                            Phase.Failed,
                            "BackoffLimitExceeded",
                            "backoffLimit " + policy.backoffLimit + " exceeded; last failure " + outcome.reason() + ": "
                                    + outcome.message());
                } else {
                    a.restartAfter = o.now()
                            .plus(backoff(policy.backoffBaseSeconds, policy.backoffMaxSeconds, d.restarts.counted))
                            .toString();
                    d.phase(Phase.Restarting, outcome.reason(), outcome.message());
                }
            }
            case NOT_COUNTED -> {
                d.restarts.total++;
                recordFailure(o, d, outcome);
                // The holder of the checkpoint lock is an earlier trainer that is still stopping: wait for it,
                // uncharged.
                a.restartAfter = o.now()
                        .plus(backoff(policy.backoffBaseSeconds, policy.backoffMaxSeconds, 1))
                        .toString();
                d.phase(Phase.Restarting, outcome.reason(), outcome.message());
            }
            case DISRUPTION -> {
                d.restarts.disruptions++;
                d.restarts.total++;
                recordFailure(o, d, outcome);
                if (d.restarts.disruptions > RunStateMachine.orZero(policy.maxDisruptions)) {
                    d.phase(
                            Phase.Failed,
                            "MaxDisruptionsExceeded",
                            "maxDisruptions " + policy.maxDisruptions + " exceeded; last disruption "
                                    + outcome.reason());
                } else {
                    a.restartAfter = null; // a disruption is not the trainer's fault: restart at once
                    d.phase(Phase.Restarting, outcome.reason(), outcome.message());
                }
            }
        }
    }

    private static void recordFailure(Observed o, Draft d, AttemptOutcome outcome) {
        FailureStatus f = new FailureStatus();
        f.reason = outcome.reason();
        f.kind = outcome.kindLabel();
        f.exitCode = outcome.exitCode();
        f.message = outcome.message();
        f.field = outcome.field();
        f.attempt = d.attempt.index;
        f.time = o.now().toString();
        d.lastFailure = f;
        if (outcome.kind() != Kind.FATAL) {
            d.lostWorkSeconds += lostWork(o, d);
        }
    }

    /** Seconds trained since the later of the attempt's start and the last checkpoint. */
    private static long lostWork(Observed o, Draft d) {
        PodView pod = o.attemptPod();
        Instant end = pod != null && pod.finishedAt() != null ? pod.finishedAt() : o.now();
        Instant started = RunStateMachine.latest(
                pod == null ? null : pod.runningSince(), RunStateMachine.parse(d.attempt.createdAt));
        Instant since = RunStateMachine.latest(
                started, d.latestCheckpoint == null ? null : RunStateMachine.parse(d.latestCheckpoint.time));
        return Math.max(0, Duration.between(since, end).toSeconds());
    }

    /** Exponential back-off: base * 2^(counted-1), capped. */
    public static Duration backoff(Long baseSeconds, Long maxSeconds, int counted) {
        long base = RunStateMachine.orZero(baseSeconds);
        long cap = maxSeconds == null ? 600 : maxSeconds;
        long factor = 1L << Math.min(20, Math.max(0, counted - 1));
        return Duration.ofSeconds(Math.min(cap, base * factor));
    }
}
