package io.densecl.operator.state;

import io.densecl.operator.api.v1alpha1.CheckpointRef;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.api.v1alpha1.EvaluationSpec.Trigger;
import io.densecl.operator.api.v1alpha1.EvaluationState;
import io.densecl.operator.api.v1alpha1.EvaluationStatus;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.resources.ChildNames;
import io.densecl.operator.state.AttemptOutcome.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The evaluation part of decide(): starts evaluation pods, folds their results into status, retries failed and
 * disrupted ones on their own checkpoint, honours suspend, and names the checkpoint epochs pending evaluations still
 * have to read (pinned against keepLast pruning).
 */
final class EvaluationStage {

    /** Where evaluation pods may start now: {@code allowed}, on {@code node} (null: anywhere). */
    record Placement(boolean allowed, String node) {
        static final Placement ANYWHERE = new Placement(true, null);
        static final Placement NOT_NOW = new Placement(false, null);
    }

    private EvaluationStage() {}

    /**
     * After pre-training: every AfterTraining evaluation on the final checkpoint and every periodic one still owed
     * (deferred while training, or epochs not evaluated yet), then Succeeded; Suspended stops and keeps them.
     */
    static void afterTraining(Observed o, Draft d) {
        boolean suspend = suspended(o);
        Placement where = suspend ? Placement.NOT_NOW : Placement.ANYWHERE;
        CheckpointRef ck = d.latestCheckpoint;
        int finalEpoch = ck == null || ck.epoch == null ? 0 : ck.epoch;
        boolean done = true;
        for (EvaluationSpec e : o.spec().evaluations) {
            EvaluationState state = fold(o, d, e, where);
            if (state == EvaluationState.Running || state == EvaluationState.Pending) {
                done = false;
                continue;
            }
            if (suspend) {
                continue;
            }
            EvaluationStatus entry = d.evaluation(e.name);
            if (e.trigger == Trigger.EveryNEpochs) {
                Integer next = nextPeriodicEpoch(e, entry, finalEpoch);
                if (next != null) {
                    start(o, d, e, next, null, where);
                    done = false;
                }
            } else if (entry == null || !Integer.valueOf(finalEpoch).equals(entry.checkpointEpoch)) {
                start(o, d, e, finalEpoch, ck == null ? null : ck.path, where);
                done = false;
            }
        }
        if (suspend && !done) {
            d.phase(Phase.Suspended, "Suspended", "suspended during evaluations; each restarts on its own checkpoint");
        } else if (done) {
            boolean allGood = d.evaluations.stream().allMatch(s -> s.state == EvaluationState.Succeeded);
            d.phase(
                    Phase.Succeeded,
                    "Complete",
                    o.spec().evaluations.isEmpty()
                            ? "pre-training complete"
                            : allGood
                                    ? "pre-training and evaluations complete"
                                    : "pre-training complete; some evaluations failed");
        } else {
            d.phase(Phase.Evaluating, "Evaluating", "evaluating checkpoint epoch " + finalEpoch);
        }
    }

    /**
     * During training (the trainer pod running): evaluate each checkpoint epoch that is a multiple of everyEpochs,
     * oldest first, beside the trainer only where the checkpoint claim allows a second pod; otherwise the evaluation
     * is Pending until training ends (its checkpoint stays pinned).
     */
    static void periodic(Observed o, Draft d) {
        Placement where = besideTraining(o, d);
        CheckpointRef ck = d.latestCheckpoint;
        int latest = ck == null || ck.epoch == null ? 0 : ck.epoch;
        for (EvaluationSpec e : o.spec().evaluations) {
            if (e.trigger != Trigger.EveryNEpochs || e.everyEpochs == null || e.everyEpochs <= 0) {
                continue;
            }
            EvaluationState state = fold(o, d, e, where);
            if (state == EvaluationState.Running || state == EvaluationState.Pending) {
                continue;
            }
            Integer next = nextPeriodicEpoch(e, d.evaluation(e.name), latest);
            if (next != null) {
                start(o, d, e, next, null, where);
            }
        }
    }

    /** The trainer stops (suspend): running evaluation pods are deleted and wait, uncharged, for the run to resume. */
    static void suspendAll(Observed o, Draft d) {
        for (EvaluationSpec e : o.spec().evaluations) {
            fold(o, d, e, Placement.NOT_NOW);
        }
    }

    /**
     * Checkpoint epochs an evaluation has yet to read: for each periodic evaluation every multiple of everyEpochs
     * after the last one it finished (the running or pending one included), up to the run's epochs. Listed in advance,
     * so a checkpoint is pinned before the trainer writes it.
     */
    static List<Integer> pinnedEpochs(Observed o, List<EvaluationStatus> evaluations) {
        TreeSet<Integer> epochs = new TreeSet<>();
        int total = o.epochs();
        for (EvaluationSpec e : o.spec().evaluations) {
            if (e.trigger != Trigger.EveryNEpochs || e.everyEpochs == null || e.everyEpochs <= 0) {
                continue;
            }
            EvaluationStatus entry = evaluations.stream()
                    .filter(s -> e.name.equals(s.name))
                    .findFirst()
                    .orElse(null);
            for (int m = lastRead(entry) + 1; m <= total; m++) {
                if (m % e.everyEpochs == 0) {
                    epochs.add(m);
                }
            }
        }
        return new ArrayList<>(epochs);
    }

    static boolean hasPeriodic(Observed o) {
        return o.spec().evaluations.stream().anyMatch(e -> e.trigger == Trigger.EveryNEpochs);
    }

    /** The newest epoch whose evaluation is over (0: none); a Running or Pending one still has to read its own. */
    private static int lastRead(EvaluationStatus entry) {
        if (entry == null || entry.checkpointEpoch == null) {
            return 0;
        }
        boolean over = entry.state == EvaluationState.Succeeded || entry.state == EvaluationState.Failed;
        return over ? entry.checkpointEpoch : entry.checkpointEpoch - 1;
    }

    /** The oldest multiple of everyEpochs after the last evaluated one that a checkpoint (up to {@code latest}) covers. */
    private static Integer nextPeriodicEpoch(EvaluationSpec e, EvaluationStatus entry, int latest) {
        if (e.everyEpochs == null || e.everyEpochs <= 0) {
            return null;
        }
        int after = entry == null || entry.checkpointEpoch == null ? 0 : entry.checkpointEpoch;
        int next = (after / e.everyEpochs + 1) * e.everyEpochs;
        return next <= latest ? next : null;
    }

    /** Beside a running trainer: on any node (ReadWriteMany), on the trainer's node (ReadWriteOnce), or not at all. */
    private static Placement besideTraining(Observed o, Draft d) {
        if (suspended(o)) {
            return Placement.NOT_NOW;
        }
        return switch (o.checkpointSharing()) {
            case ANY_NODE -> Placement.ANYWHERE;
            case TRAINER_NODE ->
                d.attempt != null && d.attempt.node != null ? new Placement(true, d.attempt.node) : Placement.NOT_NOW;
            case NONE -> Placement.NOT_NOW;
        };
    }

    /** A new evaluation of {@code epoch} (a new status entry round: budgets start over). */
    private static void start(
            Observed o, Draft d, EvaluationSpec e, int epoch, String checkpointPath, Placement where) {
        EvaluationStatus entry = d.evaluation(e.name);
        if (entry == null) {
            entry = new EvaluationStatus();
            entry.name = e.name;
            d.evaluations.add(entry);
        }
        entry.type = e.type;
        entry.checkpointEpoch = epoch;
        entry.checkpointPath = checkpointPath;
        entry.retries = 0;
        entry.disruptions = 0;
        entry.metrics = null;
        entry.message = null;
        launch(o, d, e, entry, where);
    }

    /** Creates the entry's next pod on its own checkpoint, or leaves it Pending when no pod may start now. */
    private static void launch(Observed o, Draft d, EvaluationSpec e, EvaluationStatus entry, Placement where) {
        if (!where.allowed()) {
            entry.state = EvaluationState.Pending;
            entry.pod = null;
            if (entry.message == null) {
                entry.message = suspended(o)
                        ? "suspended"
                        : "waiting for training to end: the checkpoint claim lets no "
                                + "second pod mount it beside the trainer";
            }
            return;
        }
        int relaunches = orZero(entry.retries) + orZero(entry.disruptions);
        String base = ChildNames.evaluationPod(
                o.runName(), e.name, e.trigger == Trigger.EveryNEpochs ? entry.checkpointEpoch : null);
        String podName = relaunches == 0 ? base : base + "-r" + relaunches;
        PodView stale = o.evaluationPods().get(podName);
        if (stale != null
                && !String.valueOf(entry.checkpointEpoch).equals(stale.label(ChildNames.LABEL_CHECKPOINT_EPOCH))) {
            // A pod of an earlier evaluation with the same name (training was extended): remove it first.
            if (!stale.deleting()) {
                d.actions.add(new Action.DeletePod(podName, "StaleEvaluation"));
            }
            entry.state = EvaluationState.Pending;
            d.requeue(Duration.ofSeconds(5));
            return;
        }
        entry.state = EvaluationState.Running;
        entry.pod = podName;
        entry.startedAt = o.now().toString();
        boolean periodic = e.trigger == Trigger.EveryNEpochs;
        d.actions.add(new Action.StartEvaluation(
                e.name, podName, entry.checkpointEpoch, entry.checkpointPath, periodic, where.node()));
    }

    /**
     * Folds the entry's pod into it and returns the entry's state (null: no entry). A failed pod is retried within the
     * budgets (evaluations[].backoffLimit for counted failures, failurePolicy.maxDisruptions for disruptions; usage,
     * data and config errors never), on the entry's own checkpoint; a Pending entry is launched when {@code where}
     * allows. Under suspend a live pod is deleted and the entry waits, uncharged.
     */
    private static EvaluationState fold(Observed o, Draft d, EvaluationSpec e, Placement where) {
        EvaluationStatus entry = d.evaluation(e.name);
        if (entry == null) {
            return null;
        }
        if (entry.state == EvaluationState.Pending) {
            if (where.allowed()) {
                entry.message = null;
                launch(o, d, e, entry, where);
            }
            return entry.state;
        }
        if (entry.state != EvaluationState.Running) {
            return entry.state;
        }
        PodView pod = o.evaluationPods().get(entry.pod);
        if (pod != null && pod.terminated()) {
            return finished(o, d, e, entry, pod, where);
        }
        if (suspended(o)) {
            if (pod != null && !pod.deleting()) {
                d.actions.add(new Action.DeletePod(pod.name(), "Suspended"));
            }
            entry.state = EvaluationState.Pending;
            entry.message = "suspended";
            return entry.state;
        }
        if (pod != null
                && where.allowed()
                && where.node() == null
                && pod.state() == PodView.State.PENDING
                && pod.node() == null
                && pod.label(ChildNames.LABEL_ON_TRAINER_NODE) != null
                && !pod.deleting()) {
            // Bound to the node of a trainer that is gone and still unscheduled (that node may be gone too): now that
            // training is over the claim can go anywhere, so place a new pod anywhere.
            d.actions.add(new Action.DeletePod(pod.name(), "TrainingEnded"));
            return retry(
                    o,
                    d,
                    e,
                    entry,
                    AttemptOutcome.disruption(
                            "TrainingEnded", null, "pod " + pod.name() + " waited for the trainer's node"),
                    where);
        }
        if (pod == null) {
            if (Instant.parse(entry.startedAt)
                    .plus(RunStateMachine.POD_LOST_GRACE)
                    .isBefore(o.now())) {
                // Lost before it finished (deleted, node gone): a disruption, run again on the same checkpoint.
                return retry(
                        o,
                        d,
                        e,
                        entry,
                        AttemptOutcome.disruption("PodLost", null, "pod " + entry.pod + " disappeared"),
                        where);
            }
            d.requeue(Duration.ofSeconds(10));
        }
        return EvaluationState.Running;
    }

    private static EvaluationState finished(
            Observed o, Draft d, EvaluationSpec e, EvaluationStatus entry, PodView pod, Placement where) {
        if (pod.state() == PodView.State.SUCCEEDED) {
            entry.state = EvaluationState.Succeeded;
            entry.metrics = numericMetrics(pod);
            entry.message = null;
            return entry.state;
        }
        return retry(o, d, e, entry, AttemptClassifier.classify(pod), where);
    }

    /** Charges an ended pod to its budget and relaunches on the same checkpoint, or fails the evaluation. */
    private static EvaluationState retry(
            Observed o, Draft d, EvaluationSpec e, EvaluationStatus entry, AttemptOutcome outcome, Placement where) {
        String why = outcome.reason() + ": " + outcome.message();
        if (outcome.kind() == Kind.FATAL) {
            return fail(entry, outcome.message());
        }
        if (outcome.kind() == Kind.DISRUPTION || outcome.kind() == Kind.NOT_COUNTED) {
            entry.disruptions = orZero(entry.disruptions) + 1;
            long max = RunStateMachine.orZero(o.spec().failurePolicy.maxDisruptions);
            if (entry.disruptions > max) {
                return fail(entry, "maxDisruptions " + max + " exceeded; last " + why);
            }
        } else {
            entry.retries = orZero(entry.retries) + 1;
            long limit = RunStateMachine.orZero(e.backoffLimit);
            if (entry.retries > limit) {
                return fail(entry, "backoffLimit " + limit + " exceeded; last " + why);
            }
        }
        entry.message = "relaunched after " + why;
        launch(o, d, e, entry, where);
        if (entry.state == EvaluationState.Pending) {
            entry.message = "relaunch after " + why + " waits: " + (suspended(o) ? "suspended" : "training is running");
        }
        return entry.state;
    }

    private static EvaluationState fail(EvaluationStatus entry, String message) {
        entry.state = EvaluationState.Failed;
        entry.message = message;
        return entry.state;
    }

    private static boolean suspended(Observed o) {
        return Boolean.TRUE.equals(o.spec().suspend);
    }

    private static int orZero(Integer n) {
        return n == null ? 0 : n;
    }

    private static Map<String, Double> numericMetrics(PodView pod) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (pod.message() != null && pod.message().metrics() != null) {
            pod.message().metrics().forEach((k, v) -> {
                if (v != null) {
                    out.put(k, v);
                }
            });
        }
        return out;
    }
}
