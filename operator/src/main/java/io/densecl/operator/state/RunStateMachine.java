package io.densecl.operator.state;

import io.densecl.operator.api.v1alpha1.AttemptStatus;
import io.densecl.operator.api.v1alpha1.CheckpointRef;
import io.densecl.operator.api.v1alpha1.FailureStatus;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.resources.ChildNames;
import java.time.Duration;
import java.time.Instant;

/**
 * The run's state machine: a pure function from what was observed to what to do next. It has no
 * clients and no clock of its own, so every transition is table-tested (RunStateMachineTest).
 */
public final class RunStateMachine {

    /** How long a just-created pod may be missing from the informer cache before a live read decides whether it is lost. */
    public static final Duration POD_LOST_GRACE = Duration.ofSeconds(30);

    /** How long a node with a device fault is avoided. */
    public static final Duration AVOID_NODE_FOR = Duration.ofHours(24);

    /** The reason of a Suspended run whose pod is still stopping (kstatus: not yet Suspended, still Reconciling). */
    public static final String SUSPENDING = "Suspending";

    /** Waiting reasons of every normal start: not worth a status write. */
    /** The scheduler's PodScheduled=False reason for a pod held by scheduling gates (Kueue's admission gate). */
    static final String SCHEDULING_GATED = "SchedulingGated";

    private static final java.util.Set<String> NORMAL_WAITING =
            java.util.Set.of("ContainerCreating", "PodInitializing");

    private final Duration pollInterval;

    public RunStateMachine(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public Decision decide(Observed o) {
        Decision d = next(o);
        boolean startsPods = d.actions().stream()
                .anyMatch(a -> a instanceof Action.StartAttempt || a instanceof Action.StartEvaluation);
        if (o.invalid() == null && (startsPods || !d.phase().terminal())) {
            if (EvaluationStage.hasPeriodic(o)) {
                // Before any pod: the trainer re-reads the pins before pruning, so they must exist before it writes.
                d = d.withFirstAction(new Action.PinCheckpoints(EvaluationStage.pinnedEpochs(o, d.evaluations())));
            }
            return d.withFirstAction(new Action.EnsureSupporting(o.runConfig()));
        }
        return d;
    }

    /** The next phase and the pod actions. */
    private Decision next(Observed o) {
        Draft d = Draft.of(o.status());
        if (o.invalid() != null) {
            return rejectSpec(o, d);
        }
        mergeCheckpoint(d, o);
        expireAvoidedNodes(o, d);
        if (d.phase == Phase.Failed) {
            if (d.lastFailure == null || !"InvalidSpec".equals(d.lastFailure.reason)) {
                return keep(d);
            }
            d.phase(Phase.Pending, "Accepted", "spec accepted after correction"); // a fixed spec gets a new chance
        }
        if (d.phase == Phase.Succeeded) {
            if (!moreEpochsRequested(o, d)) {
                return keep(d);
            }
            d.phase(Phase.Restarting, "EpochsIncreased", "training.epochs grew: continuing from the last checkpoint");
        }
        if (d.phase == Phase.Evaluating || (d.phase == Phase.Suspended && trainingComplete(d))) {
            EvaluationStage.afterTraining(o, d);
            return d.build();
        }
        training(o, d);
        return d.build();
    }

    private void training(Observed o, Draft d) {
        AttemptStatus a = d.attempt;
        PodView pod = o.attemptPod();
        boolean suspend = Boolean.TRUE.equals(o.spec().suspend);
        if (a == null) {
            if (suspend) {
                d.phase(Phase.Suspended, "Suspended", "suspended before the first attempt");
            } else {
                startAttempt(o, d, 1);
            }
            return;
        }
        if (a.endedAt == null) {
            if (pod == null) {
                if (Instant.parse(a.createdAt).plus(POD_LOST_GRACE).isAfter(o.now())) {
                    d.requeue(Duration.ofSeconds(5)); // likely informer lag right after creation
                    return;
                }
                AttemptAccounting.end(
                        o, d, AttemptOutcome.disruption("PodLost", null, "pod " + a.pod + " disappeared"));
            } else if (pod.terminated()) {
                AttemptAccounting.end(o, d, AttemptClassifier.classify(pod));
            } else if (suspend) {
                d.actions.add(new Action.DeletePod(pod.name(), "Suspended"));
                EvaluationStage.suspendAll(o, d);
                a.endedAt = o.now().toString();
                a.endReason = "Suspended";
                a.restartAfter = null;
                // kstatus: not Suspended before the pod is gone (it still holds its GPU and writes its checkpoint).
                d.phase(Phase.Suspended, SUSPENDING, "suspending: trainer asked to checkpoint and stop");
                return;
            } else if (pod.deleting() && pod.disrupted()) {
                // Kubernetes is deleting the pod for a disruption (a taint on an unreachable node, preemption): the pod
                // may report Running until its node returns; it is a disruption, never charged to backoffLimit.
                AttemptAccounting.end(
                        o,
                        d,
                        AttemptOutcome.disruption(
                                pod.disruptionReason(),
                                null,
                                "pod " + pod.name() + " is being deleted by Kubernetes: " + pod.disruptionReason()));
            } else {
                whileAlive(o, d, pod);
                return;
            }
        }
        afterEnd(o, d, pod, suspend);
    }

    /** The attempt's pod is pending or running: track placement, progress deadline and periodic evaluations. */
    private void whileAlive(Observed o, Draft d, PodView pod) {
        AttemptStatus a = d.attempt;
        if (pod.node() != null) {
            a.node = pod.node();
        }
        if (pod.state() != PodView.State.RUNNING) {
            pending(o, d, pod);
            return;
        }
        d.phase(Phase.Running, "TrainerRunning", "attempt " + a.index + " training on " + a.node);
        d.requeue(pollInterval);
        if (o.pollRetryAfter() != null) {
            // The poll was due but all poll slots were busy: a full interval later would leave runs created together
            // unpolled round after round (bench/operator, the fleet benchmark).
            d.requeue(o.pollRetryAfter());
        }
        Long previousStep = o.status() == null || o.status().progress == null ? null : o.status().progress.step;
        if (o.progress() != null
                && o.progress().step() != null
                && !o.progress().step().equals(previousStep)) {
            d.lastAdvanceTime = o.now().toString();
        }
        if (o.progress() != null
                && o.progress().resumedFrom() != null
                && o.progress().resumedFrom().epoch() != null) {
            // What the trainer actually loaded beats what the operator expected it to load.
            a.resumedFrom = "e" + o.progress().resumedFrom().epoch() + "-s"
                    + o.progress().resumedFrom().step();
        }
        if (o.progress() != null) {
            d.progressUnknown = false;
        } else if (o.progressUnreachable()) {
            d.progressUnknown = true;
        }
        long deadline = orZero(o.spec().failurePolicy.progressDeadlineSeconds);
        if (deadline > 0) {
            Instant anchor = latest(parse(d.lastAdvanceTime), pod.runningSince(), parse(a.createdAt));
            Instant due = anchor.plusSeconds(deadline);
            // Only a trainer that answered, with the step it had before, is stalled. One that does not answer may be
            // healthy behind a NetworkPolicy or a mesh; a hung one is restarted by the kubelet's probe on /healthz.
            if (!o.now().isBefore(due) && o.progress() != null) {
                d.actions.add(new Action.DeletePod(pod.name(), "ProgressDeadlineExceeded"));
                AttemptAccounting.end(
                        o,
                        d,
                        AttemptOutcome.counted(
                                "ProgressDeadlineExceeded", null, "step did not advance for " + deadline + "s"));
                afterEnd(o, d, pod, false);
                return;
            }
            if (o.now().isBefore(due)) {
                d.requeue(Duration.between(o.now(), due));
            }
        }
        EvaluationStage.periodic(o, d);
    }

    /** The pod is not running yet: say why in the status, and give up once startupDeadlineSeconds has passed. */
    private void pending(Observed o, Draft d, PodView pod) {
        String why = pod.waitingReason();
        if (why == null || NORMAL_WAITING.contains(why)) {
            // The same message as right after the create, so the normal start does not rewrite the status.
            d.phase(Phase.Starting, "PodPending", "waiting for pod " + pod.name() + " to start");
        } else {
            d.phase(
                    Phase.Starting,
                    why,
                    "pod " + pod.name() + " is not running: " + why
                            + (pod.waitingMessage() == null
                                            || pod.waitingMessage().isBlank()
                                    ? ""
                                    : ": " + pod.waitingMessage()));
        }
        if (SCHEDULING_GATED.equals(why)) {
            // Queued (Kueue holds the pod until its workload is admitted, possibly for hours): not starting yet, so
            // no startup deadline; it counts from when the gate is first seen lifted.
            d.phase(
                    Phase.Starting,
                    "Queued",
                    "pod " + pod.name() + " is queued: its scheduling gates hold it until " + "admission (Kueue)");
            d.attempt.gated = true;
            return;
        }
        if (Boolean.TRUE.equals(d.attempt.gated) && d.attempt.admittedAt == null) {
            d.attempt.admittedAt = o.now().toString();
        }
        long startup = orZero(o.spec().failurePolicy.startupDeadlineSeconds);
        if (startup <= 0) {
            return;
        }
        Instant due = Instant.parse(d.attempt.admittedAt != null ? d.attempt.admittedAt : d.attempt.createdAt)
                .plusSeconds(startup);
        if (o.now().isBefore(due)) {
            d.requeue(Duration.between(o.now(), due));
            return;
        }
        String message = "pod " + pod.name() + " did not start within startupDeadlineSeconds " + startup
                + (why == null
                        ? ""
                        : "; last reason " + why + (pod.waitingMessage() == null ? "" : ": " + pod.waitingMessage()));
        d.actions.add(new Action.DeletePod(pod.name(), "StartupDeadlineExceeded"));
        AttemptAccounting.end(
                o,
                d,
                new AttemptOutcome(
                        AttemptOutcome.Kind.FATAL,
                        "StartupDeadlineExceeded",
                        null,
                        message,
                        "spec.failurePolicy.startupDeadlineSeconds"));
    }

    /** The attempt is over: wait for its pod to go, honour suspend and back-off, then start the next one. */
    private void afterEnd(Observed o, Draft d, PodView pod, boolean suspend) {
        if (pod != null && pod.podStillRunning() && !pod.deleting()) {
            d.actions.add(
                    new Action.DeletePod(pod.name(), "TrainerExited")); // a sidecar would keep it Running for ever
        }
        if (d.phase.terminal() || d.phase == Phase.Evaluating) {
            return;
        }
        AttemptStatus a = d.attempt;
        if (suspend) {
            if (pod != null && pod.alive() && !pod.deleting()) {
                d.actions.add(new Action.DeletePod(pod.name(), "Suspended"));
            }
            EvaluationStage.suspendAll(o, d);
            a.restartAfter = null;
            boolean stopping = pod != null && pod.holdsCheckpoints(o.now());
            d.phase(
                    Phase.Suspended,
                    stopping ? SUSPENDING : "Suspended",
                    stopping
                            ? "suspending: waiting for pod " + pod.name() + " to stop"
                            : "suspended after attempt " + a.index);
            return;
        }
        if (pod != null && pod.holdsCheckpoints(o.now())) {
            // Never run two trainers on one checkpoint directory: the old one may still be checkpointing.
            d.phase(Phase.Restarting, "WaitingForPodTermination", "waiting for pod " + pod.name() + " to stop");
            if (pod.deleting() && pod.deletionDeadline() != null) {
                d.requeue(Duration.between(o.now(), pod.deletionDeadline())); // then it no longer blocks
            }
            return;
        }
        Instant restartAt = a.restartAfter == null ? o.now() : Instant.parse(a.restartAfter);
        if (o.now().isBefore(restartAt)) {
            d.phase(Phase.Restarting, "BackOff", "restarting at " + restartAt + " after " + a.endReason);
            d.requeue(Duration.between(o.now(), restartAt));
            return;
        }
        startAttempt(o, d, a.index + 1);
    }

    private void startAttempt(Observed o, Draft d, int index) {
        if (!o.foreignTrainers().isEmpty()) {
            // Never two trainers on one checkpoint directory: the pod of a deleted run object with this name (or an
            // orphan) may still be writing its SIGTERM checkpoint there, for up to its grace period.
            d.phase(
                    d.attempt == null ? Phase.Pending : Phase.Restarting,
                    "WaitingForPodTermination",
                    "waiting for pod " + String.join(", ", o.foreignTrainers()) + " of an earlier " + o.runName()
                            + " to stop");
            d.requeue(Duration.ofSeconds(10));
            return;
        }
        AttemptStatus a = new AttemptStatus();
        a.index = index;
        a.pod = ChildNames.attemptPod(o.runName(), index);
        a.createdAt = o.now().toString();
        CheckpointRef ck = d.latestCheckpoint;
        a.resumedFrom = ck == null || ck.epoch == null ? null : "e" + ck.epoch + "-s" + ck.step;
        d.attempt = a;
        d.lastAdvanceTime = null;
        d.actions.add(new Action.StartAttempt(index));
        // The same message as while the pod is pending, so seeing the new pod does not rewrite the status
        // (bench/operator).
        d.phase(Phase.Starting, "PodCreated", "waiting for pod " + a.pod + " to start");
        // Look again without waiting for a pod event: the pod may exist already (an operator killed after creating it
        // but before writing this status gets 409 on the create), and a pod that is already running sends none.
        d.requeue(Duration.ofSeconds(5));
    }

    private static Decision rejectSpec(Observed o, Draft d) {
        FailureStatus f = new FailureStatus();
        f.reason = "InvalidSpec";
        f.kind = "Fatal";
        f.field = o.invalid().field();
        f.message = o.invalid().toString();
        f.time = d.lastFailure != null
                        && "InvalidSpec".equals(d.lastFailure.reason)
                        && f.message.equals(d.lastFailure.message)
                ? d.lastFailure.time
                : o.now().toString();
        d.lastFailure = f;
        d.phase(Phase.Failed, "InvalidSpec", o.invalid().toString());
        d.requeue(Duration.ofMinutes(1)); // a missing claim may be created later; nothing else would wake us
        return d.build();
    }

    /** Training reached its final epoch (the last attempt exited Complete): what remains are evaluations. */
    private static boolean trainingComplete(Draft d) {
        return d.attempt != null && "Complete".equals(d.attempt.endReason);
    }

    private static Decision keep(Draft d) {
        d.reason = d.phase == Phase.Succeeded ? "Complete" : d.lastFailure == null ? "Failed" : d.lastFailure.reason;
        return d.build();
    }

    private static boolean moreEpochsRequested(Observed o, Draft d) {
        Integer done = d.latestCheckpoint == null ? null : d.latestCheckpoint.epoch;
        return done != null && o.epochs() > done;
    }

    /** Takes the newest checkpoint known from the status, the live progress and the pod's termination message. */
    private static void mergeCheckpoint(Draft d, Observed o) {
        if (o.progress() != null && o.progress().lastCheckpoint() != null) {
            var lc = o.progress().lastCheckpoint();
            offer(d, new CheckpointRef(lc.path(), lc.epoch(), lc.step(), lc.time()));
        }
        PodView pod = o.attemptPod();
        if (pod != null && pod.message() != null && pod.message().checkpoint() != null) {
            var m = pod.message();
            Instant at = pod.finishedAt() != null ? pod.finishedAt() : o.now();
            offer(d, new CheckpointRef(m.checkpoint(), m.epoch(), m.step(), at.toString()));
        }
    }

    /**
     * Lets avoided nodes back once their time is up (a node whose GPU was replaced is not lost for good); an entry
     * without a time (written before times were kept) gets one now.
     */
    private static void expireAvoidedNodes(Observed o, Draft d) {
        for (String node : java.util.List.copyOf(d.avoidNodes)) {
            String until = d.avoidNodesUntil.get(node);
            if (until == null) {
                d.avoidNodesUntil.put(node, o.now().plus(AVOID_NODE_FOR).toString());
            } else if (!o.now().isBefore(Instant.parse(until))) {
                d.avoidNodes.remove(node);
                d.avoidNodesUntil.remove(node);
            }
        }
        d.avoidNodesUntil.keySet().retainAll(d.avoidNodes);
    }

    private static void offer(Draft d, CheckpointRef candidate) {
        if (candidate.path == null || candidate.step == null) {
            return;
        }
        CheckpointRef current = d.latestCheckpoint;
        if (current == null || current.step == null || candidate.step > current.step) {
            d.latestCheckpoint = candidate;
        }
    }

    static long orZero(Number n) {
        return n == null ? 0 : n.longValue();
    }

    static Instant parse(String time) {
        return time == null ? null : Instant.parse(time);
    }

    static Instant latest(Instant... times) {
        Instant best = Instant.EPOCH;
        for (Instant t : times) {
            if (t != null && t.isAfter(best)) {
                best = t;
            }
        }
        return best;
    }
}
