package io.densecl.operator.reconciler;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.contract.EvaluationTask;
import io.densecl.contract.Progress;
import io.densecl.contract.TerminationMessage;
import io.densecl.operator.api.v1alpha1.CheckpointStatus;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.api.v1alpha1.EvaluationState;
import io.densecl.operator.api.v1alpha1.EvaluationStatus;
import io.densecl.operator.api.v1alpha1.ProgressStatus;
import io.densecl.operator.api.v1alpha1.TrainingMetricsStatus;
import io.densecl.operator.resources.ChildNames;
import io.densecl.operator.state.Decision;
import io.densecl.operator.state.Observed;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place that writes DenseCLRun.status: folds a decision and the observations into a new
 * status, keeps condition transition times, and reports a change only when something changed.
 */
public final class StatusAggregator {

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The new status, or empty when it equals the current one (then nothing is written). */
    public Optional<DenseCLRunStatus> aggregate(DenseCLRun run, Observed o, Decision d) {
        DenseCLRunStatus prior = run.getStatus();
        DenseCLRunStatus next = copy(prior);
        Instant now = o.now();
        next.observedGeneration = run.getMetadata().getGeneration();
        next.phase = d.phase();
        next.message = d.message();
        next.attempt = d.attempt();
        next.restarts = d.restarts();
        next.lastFailure = d.lastFailure();
        next.lostWorkSeconds = d.lostWorkSeconds();
        next.avoidNodes = d.avoidNodes();
        next.avoidNodesUntil =
                d.avoidNodesUntil() == null || d.avoidNodesUntil().isEmpty() ? null : d.avoidNodesUntil();
        next.evaluations = d.evaluations();
        next.checkpoint = new CheckpointStatus();
        next.checkpoint.dir = ChildNames.checkpointDir(run);
        next.checkpoint.claimName = ChildNames.checkpointClaim(run);
        next.checkpoint.latest = d.latestCheckpoint();
        if (next.resumeSource == null && next.attempt != null) {
            next.resumeSource = o.resumeSource(); // pinned once the first attempt is on its way
        }
        foldProgress(next, o, d);
        next.bestEvaluation = bestEvaluation(o, next);
        if (next.startTime == null && next.attempt != null) {
            next.startTime = next.attempt.createdAt;
        }
        boolean sameTerminal = prior != null && prior.phase == next.phase && prior.completionTime != null;
        next.completionTime = !next.phase.terminal() ? null : sameTerminal ? prior.completionTime : now.toString();
        next.conditions = Conditions.derive(
                prior == null ? null : prior.conditions,
                next,
                d.reason(),
                o.spec().evaluations.isEmpty(),
                next.observedGeneration,
                now,
                d.progressUnknown(),
                o.changesAtNextAttempt());
        return same(next, prior) ? Optional.empty() : Optional.of(next);
    }

    /**
     * The last status with the ActionFailed condition set to the API server's refusal (and the message saying it), or
     * empty when that is already what it says.
     */
    public Optional<DenseCLRunStatus> actionFailed(DenseCLRun run, Actuator.Failure failure, Instant now) {
        DenseCLRunStatus prior = run.getStatus();
        DenseCLRunStatus next = copy(prior);
        if (next.phase == null) {
            next.phase = io.densecl.operator.api.v1alpha1.Phase.Pending;
        }
        next.message = failure.describe();
        next.conditions = Conditions.actionFailed(
                prior == null ? null : prior.conditions,
                failure,
                run.getMetadata().getGeneration(),
                now);
        return same(next, prior) ? Optional.empty() : Optional.of(next);
    }

    /**
     * Equal as stored: the status read back from the API server has no empty lists (evaluations, avoidNodes), so
     * "[] vs absent" is no change. Comparing them raw sent a no-op status patch on every reconcile that changed
     * nothing (bench/operator, the fleet benchmark: one PATCH per run while its pod starts, more in steady state).
     */
    static boolean same(DenseCLRunStatus a, DenseCLRunStatus b) {
        return withoutEmptyLists(JSON.valueToTree(a)).equals(withoutEmptyLists(JSON.valueToTree(b)));
    }

    private static JsonNode withoutEmptyLists(JsonNode node) {
        if (node instanceof ObjectNode object) {
            java.util.List<String> empty = new java.util.ArrayList<>();
            object.fields().forEachRemaining(f -> {
                if (f.getValue().isArray() && f.getValue().isEmpty()) {
                    empty.add(f.getKey());
                } else {
                    withoutEmptyLists(f.getValue());
                }
            });
            object.remove(empty);
        } else if (node != null && node.isArray()) {
            node.forEach(StatusAggregator::withoutEmptyLists);
        }
        return node;
    }

    private static void foldProgress(DenseCLRunStatus next, Observed o, Decision d) {
        ProgressStatus p = next.progress == null ? new ProgressStatus() : next.progress;
        TrainingMetricsStatus m = next.trainingMetrics == null ? new TrainingMetricsStatus() : next.trainingMetrics;
        p.totalEpochs = o.epochs();
        Progress live = o.progress();
        if (live != null) {
            p.epoch = live.epoch();
            p.step = live.step();
            p.imagesPerSecond = live.imagesPerSecond();
            p.etaSeconds = live.etaSeconds();
            if (live.step() != null && live.totalSteps() != null && live.totalSteps() > 0) {
                p.percent = (int) Math.min(100, live.step() * 100 / live.totalSteps());
            }
            m.loss = live.loss();
            m.lossGlobal = live.lossGlobal();
            m.lossDense = live.lossDense();
            m.lr = live.lr();
        }
        TerminationMessage end = o.attemptPod() == null ? null : o.attemptPod().message();
        if (d.outcome() != null && end != null) {
            p.epoch = end.epoch() != null ? end.epoch() : p.epoch;
            p.step = end.step() != null ? end.step() : p.step;
            m.loss = end.metric("loss") != null ? end.metric("loss") : m.loss;
            m.lossGlobal = end.metric("lossGlobal") != null ? end.metric("lossGlobal") : m.lossGlobal;
            m.lossDense = end.metric("lossDense") != null ? end.metric("lossDense") : m.lossDense;
        }
        if (d.outcome() != null && d.outcome().kind() == io.densecl.operator.state.AttemptOutcome.Kind.SUCCESS) {
            p.percent = 100;
            p.etaSeconds = 0L;
        }
        p.lastAdvanceTime = d.lastAdvanceTime();
        boolean empty = p.epoch == null && p.step == null && p.percent == null && p.lastAdvanceTime == null;
        next.progress = empty && next.progress == null ? null : p;
        boolean noMetrics = m.loss == null && m.lossGlobal == null && m.lossDense == null && m.lr == null;
        next.trainingMetrics = noMetrics ? null : m;
    }

    /** The headline result: the primary metric of the first succeeded evaluation in spec order, e.g. 'seg mIoU=0.41'. */
    static String bestEvaluation(Observed o, DenseCLRunStatus s) {
        for (EvaluationSpec e : o.spec().evaluations) {
            EvaluationStatus st = s.evaluations.stream()
                    .filter(x -> e.name.equals(x.name))
                    .findFirst()
                    .orElse(null);
            if (st == null || st.state != EvaluationState.Succeeded || st.metrics == null) {
                continue;
            }
            String metric = e.type == EvaluationTask.segmentation ? "mIoU" : "top1";
            Double value = st.metrics.get(metric);
            if (value != null) {
                String abbrev = switch (e.type) {
                    case segmentation -> "seg";
                    case linear -> "linear";
                    case knn -> "knn";
                };
                return abbrev + " " + metric + "=" + trim(value) + " (e" + st.checkpointEpoch + ")";
            }
        }
        return s.bestEvaluation;
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static DenseCLRunStatus copy(DenseCLRunStatus s) {
        return s == null ? new DenseCLRunStatus() : JSON.convertValue(s, DenseCLRunStatus.class);
    }
}
