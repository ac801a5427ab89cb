package io.densecl.operator.state;

import io.densecl.operator.api.v1alpha1.CheckpointRef;
import io.densecl.operator.api.v1alpha1.EvaluationSpec.Trigger;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.api.v1alpha1.EvaluationState;
import io.densecl.operator.api.v1alpha1.EvaluationStatus;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.resources.ChildNames;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The evaluation part of decide(): starts evaluation pods and folds their results into status. */
final class EvaluationStage {

    private EvaluationStage() {
    }

    /** After pre-training: run every AfterTraining evaluation on the final checkpoint, then succeed. */
    static void afterTraining(Observed o, Draft d) {
        CheckpointRef ck = d.latestCheckpoint;
        int finalEpoch = ck == null || ck.epoch == null ? 0 : ck.epoch;
        boolean done = true;
        for (EvaluationSpec e : o.spec().evaluations) {
            if (e.trigger == Trigger.EveryNEpochs) {
                done &= fold(o, d, e) != EvaluationState.Running;
                continue;
            }
            EvaluationStatus entry = d.evaluation(e.name);
            if (entry == null || (entry.state != EvaluationState.Running && !Integer.valueOf(finalEpoch).equals(entry.checkpointEpoch))) {
                start(o, d, e, ChildNames.evaluationPod(o.runName(), e.name, null), finalEpoch, ck);
                done = false;
            } else {
                done &= fold(o, d, e) != EvaluationState.Running;
            }
        }
        if (done) {
            boolean allGood = d.evaluations.stream().allMatch(s -> s.state == EvaluationState.Succeeded);
            d.phase(Phase.Succeeded, "Complete", allGood ? "pre-training and evaluations complete"
                    : "pre-training complete; some evaluations failed");
        } else {
            d.phase(Phase.Evaluating, "Evaluating", "evaluating checkpoint epoch " + finalEpoch);
        }
    }

    /** During training: evaluate each new checkpoint whose epoch is a multiple of everyEpochs. */
    static void periodic(Observed o, Draft d) {
        CheckpointRef ck = d.latestCheckpoint;
        for (EvaluationSpec e : o.spec().evaluations) {
            if (e.trigger != Trigger.EveryNEpochs || e.everyEpochs == null || e.everyEpochs <= 0) {
                continue;
            }
            EvaluationState state = fold(o, d, e);
            if (state == EvaluationState.Running || ck == null || ck.epoch == null || ck.epoch == 0 || ck.epoch % e.everyEpochs != 0) {
                continue;
            }
            EvaluationStatus entry = d.evaluation(e.name);
            if (entry == null || entry.checkpointEpoch == null || entry.checkpointEpoch < ck.epoch) {
                start(o, d, e, ChildNames.evaluationPod(o.runName(), e.name, ck.epoch), ck.epoch, ck);
            }
        }
    }

    private static void start(Observed o, Draft d, EvaluationSpec e, String podName, int epoch, CheckpointRef ck) {
        PodView stale = o.evaluationPods().get(podName);
        if (stale != null && !String.valueOf(epoch).equals(stale.label(ChildNames.LABEL_CHECKPOINT_EPOCH))) {
            // A pod of an earlier evaluation with the same name (training was extended): remove it first.
            if (!stale.deleting()) {
                d.actions.add(new Action.DeletePod(podName, "StaleEvaluation"));
            }
            d.requeue(Duration.ofSeconds(5));
            return;
        }
        EvaluationStatus entry = d.evaluation(e.name);
        if (entry == null) {
            entry = new EvaluationStatus();
            entry.name = e.name;
            d.evaluations.add(entry);
        }
        entry.type = e.type;
        entry.state = EvaluationState.Running;
        entry.checkpointEpoch = epoch;
        entry.pod = podName;
        entry.startedAt = o.now().toString();
        entry.message = null;
        d.actions.add(new Action.StartEvaluation(e.name, podName, epoch, ck == null ? null : ck.path));
    }

    /** Folds a running evaluation's pod into its status entry; returns the entry's state (or null). */
    private static EvaluationState fold(Observed o, Draft d, EvaluationSpec e) {
        EvaluationStatus entry = d.evaluation(e.name);
        if (entry == null || entry.state != EvaluationState.Running) {
            return entry == null ? null : entry.state;
        }
        PodView pod = o.evaluationPods().get(entry.pod);
        if (pod == null) {
            if (Instant.parse(entry.startedAt).plus(RunStateMachine.POD_LOST_GRACE).isBefore(o.now())) {
                // Lost before it finished (deleted, node gone): run it again under the same name.
                d.actions.add(new Action.StartEvaluation(e.name, entry.pod, entry.checkpointEpoch,
                        d.latestCheckpoint == null ? null : d.latestCheckpoint.path));
                entry.startedAt = o.now().toString();
            }
            d.requeue(Duration.ofSeconds(10));
            return EvaluationState.Running;
        }
        if (!pod.terminated()) {
            return EvaluationState.Running;
        }
        if (pod.state() == PodView.State.SUCCEEDED) {
            entry.state = EvaluationState.Succeeded;
            entry.metrics = numericMetrics(pod);
            entry.message = null;
        } else {
            entry.state = EvaluationState.Failed;
            entry.message = pod.message() != null && pod.message().error() != null && pod.message().error().message() != null
                    ? pod.message().error().message() : "evaluation pod failed with exit code " + pod.exitCode();
        }
        return entry.state;
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
