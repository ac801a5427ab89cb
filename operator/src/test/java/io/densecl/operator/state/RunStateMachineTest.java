package io.densecl.operator.state;

import static io.densecl.operator.Fixtures.T0;
import static io.densecl.operator.Fixtures.checkpointed;
import static io.densecl.operator.Fixtures.complete;
import static io.densecl.operator.Fixtures.configError;
import static io.densecl.operator.Fixtures.evaluated;
import static io.densecl.operator.Fixtures.exited;
import static io.densecl.operator.Fixtures.pending;
import static io.densecl.operator.Fixtures.progress;
import static io.densecl.operator.Fixtures.running;
import static io.densecl.operator.Fixtures.segResult;
import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.contract.EvaluationTask;
import io.densecl.contract.ExitCodes;
import io.densecl.contract.Progress;
import io.densecl.contract.RunConfig;
import io.densecl.operator.Fixtures;
import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.AttemptStatus;
import io.densecl.operator.api.v1alpha1.CheckpointRef;
import io.densecl.operator.api.v1alpha1.CheckpointStatus;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.api.v1alpha1.EvaluationState;
import io.densecl.operator.api.v1alpha1.EvaluationStatus;
import io.densecl.operator.api.v1alpha1.FailureStatus;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.api.v1alpha1.ProgressStatus;
import io.densecl.operator.resources.RunConfigRenderer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** decide() as a table: each row is an observed situation and the decision it must produce. */
class RunStateMachineTest {

    static final Instant NOW = T0.plusSeconds(3600);
    static final RunStateMachine MACHINE = new RunStateMachine(Duration.ofSeconds(30));
    /** The run.json every row's observe step rendered; EnsureSupporting must carry exactly it. */

    /** Expected phase, actions, counters and failure reason of one row. */
    record Expect(Phase phase, List<String> actions, int counted, int disruptions, String failure) {}

    static Expect expect(Phase phase, int counted, int disruptions, String failure, String... actions) {
        return new Expect(phase, List.of(actions), counted, disruptions, failure);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String name, Observed observed, Expect expect) {
        Decision d = MACHINE.decide(observed);
        assertThat(d.phase()).as("phase").isEqualTo(expect.phase());
        assertThat(d.actions().stream().map(a -> describe(a, observed.runConfig())))
                .as("actions")
                .containsExactlyElementsOf(expect.actions());
        assertThat(d.restarts().counted).as("counted").isEqualTo(expect.counted());
        assertThat(d.restarts().disruptions).as("disruptions").isEqualTo(expect.disruptions());
        assertThat(d.restarts().total).as("total").isEqualTo(expect.counted() + expect.disruptions());
        assertThat(d.lastFailure() == null ? null : d.lastFailure().reason)
                .as("lastFailure")
                .isEqualTo(expect.failure());
    }

    static Stream<Arguments> table() {
        return Stream.of(
                row("new run starts attempt 1", c -> {}, expect(Phase.Starting, 0, 0, null, "ensure", "start:1")),
                row(
                        "new suspended run waits",
                        c -> c.spec.suspend = true,
                        expect(Phase.Suspended, 0, 0, null, "ensure")),
                row(
                        "invalid spec fails with the field",
                        c -> c.invalid = new Observed.SpecProblem("spec.model.backbone", "unknown"),
                        expect(Phase.Failed, 0, 0, "InvalidSpec")),
                row(
                        "corrected spec after InvalidSpec starts",
                        c -> c.status(Phase.Failed, s -> s.lastFailure = failure("InvalidSpec")),
                        expect(Phase.Starting, 0, 0, "InvalidSpec", "ensure", "start:1")),
                row(
                        "pending pod -> Starting",
                        c -> c.active(1).pod = pending("r-a1"),
                        expect(Phase.Starting, 0, 0, null, "ensure")),
                row(
                        "running pod -> Running",
                        c -> c.active(1).pod = running("r-a1", NOW.minusSeconds(60)),
                        expect(Phase.Running, 0, 0, null, "ensure")),
                row(
                        "missing pod right after create waits for the cache",
                        c -> c.active(1, NOW.minusSeconds(5)),
                        expect(Phase.Running, 0, 0, null, "ensure")),
                row(
                        "pod lost after the grace period is a disruption",
                        c -> c.active(1),
                        expect(Phase.Starting, 0, 1, "PodLost", "ensure", "start:2")),
                row(
                        "exit 0 without evaluations -> Succeeded",
                        c -> c.active(1).pod = exited("r-a1", 0, "Completed", complete(2, 40), null, NOW),
                        expect(Phase.Succeeded, 0, 0, null)),
                row(
                        "exit 0 with an evaluation -> Evaluating",
                        c -> {
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.active(1).pod = exited("r-a1", 0, "Completed", complete(2, 40), null, NOW);
                        },
                        expect(Phase.Evaluating, 0, 0, null, "ensure", "eval:r-eval-seg")),
                row(
                        "exit 137 + DisruptionTarget restarts at once, not counted",
                        c -> c.active(1).pod = exited("r-a1", 137, "Error", null, "PreemptionByScheduler", NOW),
                        expect(Phase.Starting, 0, 1, "PreemptionByScheduler", "ensure", "start:2")),
                row(
                        "exit 75 not asked for is a disruption",
                        c -> c.active(1).pod = exited("r-a1", 75, "Error", checkpointed(1, 20), null, NOW),
                        expect(Phase.Starting, 0, 1, "Checkpointed", "ensure", "start:2")),
                row(
                        "OOMKilled is counted and backs off",
                        c -> c.active(1).pod = exited("r-a1", 137, "OOMKilled", null, null, NOW),
                        expect(Phase.Restarting, 1, 0, "OOMKilled", "ensure")),
                row(
                        "exit 1 is counted and backs off",
                        c -> c.active(1).pod = exited("r-a1", 1, "Error", null, null, NOW),
                        expect(Phase.Restarting, 1, 0, "Error", "ensure")),
                row(
                        "exit 74 is counted as a device error",
                        c -> c.active(1).pod = exited("r-a1", 74, "Error", null, null, NOW),
                        expect(Phase.Restarting, 1, 0, "DeviceError", "ensure")),
                row(
                        "exit 78 fails fast",
                        c -> c.active(1).pod =
                                exited("r-a1", 78, "Error", configError("training.batchSize", "bad"), null, NOW),
                        expect(Phase.Failed, 0, 0, "ConfigError")),
                row(
                        "exit 64 fails fast",
                        c -> c.active(1).pod = exited("r-a1", 64, "Error", null, null, NOW),
                        expect(Phase.Failed, 0, 0, "UsageError")),
                row(
                        "exit 65 fails fast",
                        c -> c.active(1).pod = exited("r-a1", 65, "Error", null, null, NOW),
                        expect(Phase.Failed, 0, 0, "DataError")),
                row(
                        "evicted pod without exit code is a disruption",
                        c -> c.active(1).pod = new PodView(
                                "r-a1",
                                PodView.State.FAILED,
                                null,
                                null,
                                null,
                                null,
                                "Evicted",
                                false,
                                null,
                                "node-1",
                                null,
                                null,
                                Map.of()),
                        expect(Phase.Starting, 0, 1, "Evicted", "ensure", "start:2")),
                row(
                        "exit 137 of a pod the kubelet evicted is a disruption",
                        c -> c.active(1).pod = new PodView(
                                "r-a1",
                                PodView.State.FAILED,
                                137,
                                "Error",
                                null,
                                null,
                                "Evicted",
                                false,
                                null,
                                "node-1",
                                null,
                                NOW,
                                Map.of()),
                        expect(Phase.Starting, 0, 1, "Evicted", "ensure", "start:2")),
                row(
                        "a kubelet admission failure (UnexpectedAdmissionError) is a disruption",
                        c -> c.active(1).pod = new PodView(
                                "r-a1",
                                PodView.State.FAILED,
                                null,
                                null,
                                null,
                                null,
                                "UnexpectedAdmissionError",
                                false,
                                null,
                                "node-1",
                                null,
                                null,
                                Map.of()),
                        expect(Phase.Starting, 0, 1, "UnexpectedAdmissionError", "ensure", "start:2")),
                row(
                        "a kubelet admission failure (OutOfnvidia.com/gpu) is a disruption",
                        c -> c.active(1).pod = new PodView(
                                "r-a1",
                                PodView.State.FAILED,
                                null,
                                null,
                                null,
                                null,
                                "OutOfnvidia.com/gpu",
                                false,
                                null,
                                "node-1",
                                null,
                                null,
                                Map.of()),
                        expect(Phase.Starting, 0, 1, "OutOfnvidia.com/gpu", "ensure", "start:2")),
                row(
                        "a 'Running' pod on an unreachable node being deleted for a disruption ends the attempt, uncounted",
                        c -> c.active(1).pod = unreachableNode(NOW.plusSeconds(20)),
                        expect(Phase.Restarting, 0, 1, "DeletionByTaintManager", "ensure")),
                row(
                        "such a pod past its deletion deadline no longer blocks the next attempt",
                        c -> {
                            c.ended(1, "DeletionByTaintManager", null).pod = unreachableNode(NOW.minusSeconds(60));
                        },
                        expect(Phase.Starting, 0, 0, null, "ensure", "start:2")),
                row(
                        "the trainer exited while a sidecar keeps the pod Running: ended, and the pod deleted",
                        c -> c.active(1).pod = new PodView(
                                "r-a1",
                                PodView.State.FAILED,
                                1,
                                "Error",
                                null,
                                null,
                                null,
                                false,
                                "10.1.2.3",
                                "node-1",
                                null,
                                NOW,
                                Map.of(),
                                null,
                                null,
                                true,
                                null),
                        expect(Phase.Restarting, 1, 0, "Error", "ensure", "delete:r-a1:TrainerExited")),
                row(
                        "a pod pending past startupDeadlineSeconds fails the run, naming the pending reason",
                        c -> {
                            c.spec.failurePolicy.startupDeadlineSeconds = 600L;
                            c.active(1).pod = new PodView(
                                    "r-a1",
                                    PodView.State.PENDING,
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    false,
                                    null,
                                    null,
                                    null,
                                    null,
                                    Map.of(),
                                    "Unschedulable",
                                    "0/3 nodes are available",
                                    false,
                                    null);
                        },
                        expect(Phase.Failed, 0, 0, "StartupDeadlineExceeded", "delete:r-a1:StartupDeadlineExceeded")),
                row(
                        "a pod Kueue holds (SchedulingGated) past startupDeadlineSeconds keeps waiting: queued is not starting",
                        c -> {
                            c.spec.failurePolicy.startupDeadlineSeconds = 600L;
                            c.active(1).pod = gated();
                        },
                        expect(Phase.Starting, 0, 0, null, "ensure")),
                row(
                        "once admitted, the startup deadline counts from the admission, not from the pod's creation",
                        c -> {
                            c.spec.failurePolicy.startupDeadlineSeconds = 600L;
                            c.active(1).status.attempt.gated = true;
                            c.status.attempt.admittedAt = NOW.minusSeconds(60).toString();
                            c.pod = new PodView(
                                    "r-a1",
                                    PodView.State.PENDING,
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    false,
                                    null,
                                    null,
                                    null,
                                    null,
                                    Map.of(),
                                    "Unschedulable",
                                    "0/3 nodes are available",
                                    false,
                                    null);
                        },
                        expect(Phase.Starting, 0, 0, null, "ensure")),
                row(
                        "a pending pod within startupDeadlineSeconds keeps waiting",
                        c -> {
                            c.spec.failurePolicy.startupDeadlineSeconds = 3600L;
                            c.active(1).pod = new PodView(
                                    "r-a1",
                                    PodView.State.PENDING,
                                    null,
                                    null,
                                    null,
                                    null,
                                    null,
                                    false,
                                    null,
                                    null,
                                    null,
                                    null,
                                    Map.of(),
                                    "ImagePullBackOff",
                                    "Back-off pulling image",
                                    false,
                                    null);
                        },
                        expect(Phase.Starting, 0, 0, null, "ensure")),
                row(
                        "exit 0 after training.epochs was raised mid-run continues: no Succeeded",
                        c -> {
                            c.spec.training.epochs = 4;
                            c.active(1).pod = exited("r-a1", 0, "Completed", complete(2, 40), null, NOW);
                        },
                        expect(Phase.Starting, 0, 0, null, "ensure", "start:2")),
                row(
                        "... and no after-training evaluation of the intermediate checkpoint",
                        c -> {
                            c.spec.training.epochs = 4;
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.active(1).pod = exited("r-a1", 0, "Completed", complete(2, 40), null, NOW);
                        },
                        expect(Phase.Starting, 0, 0, null, "ensure", "start:2")),
                row(
                        "counted failure beyond backoffLimit fails the run",
                        c -> {
                            c.active(3).pod = exited("r-a3", 1, "Error", null, null, NOW);
                            c.status.restarts.counted = 2;
                            c.status.restarts.total = 2;
                        },
                        expect(Phase.Failed, 3, 0, "Error")),
                row(
                        "disruption beyond maxDisruptions fails the run",
                        c -> {
                            c.active(3).pod = exited("r-a3", 137, "Error", null, "EvictionByEvictionAPI", NOW);
                            c.status.restarts.disruptions = 2;
                            c.status.restarts.total = 2;
                        },
                        expect(Phase.Failed, 0, 3, "EvictionByEvictionAPI")),
                row(
                        "back-off not elapsed keeps Restarting",
                        c -> c.ended(1, "Error", NOW.plusSeconds(5)).pod = exited("r-a1", 1, "Error", null, null, NOW),
                        expect(Phase.Restarting, 0, 0, null, "ensure")),
                row(
                        "back-off elapsed starts the next attempt",
                        c -> c.ended(1, "Error", NOW.minusSeconds(1)).pod = exited("r-a1", 1, "Error", null, null, NOW),
                        expect(Phase.Starting, 0, 0, null, "ensure", "start:2")),
                row(
                        "a live trainer of an earlier run object with this name blocks the first attempt",
                        c -> c.foreign = List.of("r-a1"),
                        expect(Phase.Pending, 0, 0, null, "ensure")),
                row(
                        "a live foreign trainer blocks the next attempt after back-off",
                        c -> {
                            c.ended(1, "Error", NOW.minusSeconds(1)).pod = exited("r-a1", 1, "Error", null, null, NOW);
                            c.foreign = List.of("r-a2");
                        },
                        expect(Phase.Restarting, 0, 0, null, "ensure")),
                row(
                        "a lost pod whose name a foreign trainer holds: the next attempt waits for it",
                        c -> {
                            c.active(1);
                            c.foreign = List.of("r-a1");
                        },
                        expect(Phase.Restarting, 0, 1, "PodLost", "ensure")),
                row(
                        "ended attempt with a live pod waits for it",
                        c -> c.ended(1, "ProgressDeadlineExceeded", NOW.minusSeconds(1)).pod =
                                running("r-a1", NOW.minusSeconds(900)),
                        expect(Phase.Restarting, 0, 0, null, "ensure")),
                row(
                        "suspend while running deletes the pod",
                        c -> {
                            c.spec.suspend = true;
                            c.active(1).pod = running("r-a1", NOW.minusSeconds(60));
                        },
                        expect(Phase.Suspended, 0, 0, null, "ensure", "delete:r-a1:Suspended")),
                row(
                        "still suspended stays Suspended",
                        c -> {
                            c.spec.suspend = true;
                            c.ended(1, "Suspended", null).status.phase = Phase.Suspended;
                        },
                        expect(Phase.Suspended, 0, 0, null, "ensure")),
                row(
                        "resume after suspend starts a new attempt",
                        c -> c.ended(1, "Suspended", null).pod =
                                exited("r-a1", 75, "Error", checkpointed(1, 20), null, NOW),
                        expect(Phase.Starting, 0, 0, null, "ensure", "start:2")),
                row(
                        "resume waits until the suspended pod is gone",
                        c -> c.ended(1, "Suspended", null).pod = running("r-a1", NOW.minusSeconds(60)),
                        expect(Phase.Restarting, 0, 0, null, "ensure")),
                row(
                        "no step advance past the deadline restarts (counted)",
                        c -> {
                            c.active(1).pod = running("r-a1", NOW.minusSeconds(1200));
                            c.status.progress = progressStatus(100L, NOW.minusSeconds(601));
                            c.progress = progress(1, 100, 400, null, null);
                        },
                        expect(
                                Phase.Restarting,
                                1,
                                0,
                                "ProgressDeadlineExceeded",
                                "ensure",
                                "delete:r-a1:ProgressDeadlineExceeded")),
                row(
                        "a trainer that does not answer past the deadline is not restarted (no evidence of a stall)",
                        c -> {
                            c.active(1).pod = running("r-a1", NOW.minusSeconds(1200));
                            c.status.progress = progressStatus(100L, NOW.minusSeconds(601));
                            c.unreachable = true;
                        },
                        expect(Phase.Running, 0, 0, null, "ensure")),
                row(
                        "a step advance resets the deadline",
                        c -> {
                            c.active(1).pod = running("r-a1", NOW.minusSeconds(1200));
                            c.status.progress = progressStatus(100L, NOW.minusSeconds(601));
                            c.progress = progress(1, 101, 400, null, null);
                        },
                        expect(Phase.Running, 0, 0, null, "ensure")),
                row(
                        "periodic evaluation on a multiple of everyEpochs",
                        c -> {
                            EvaluationSpec e = Fixtures.segmentation("knn");
                            e.trigger = EvaluationSpec.Trigger.EveryNEpochs;
                            e.everyEpochs = 2;
                            c.spec.evaluations.add(e);
                            c.spec.training.epochs = 10;
                            c.active(1).pod = running("r-a1", NOW.minusSeconds(60));
                            c.progress = progress(3, 80, 400, 2, 80L);
                        },
                        expect(
                                Phase.Running,
                                0,
                                0,
                                null,
                                "ensure",
                                "pins:[2, 4, 6, 8, 10]",
                                "eval:r-eval-knn-e2@node-1")),
                row(
                        "periodic evaluation beside training on a ReadWriteMany claim runs on any node",
                        c -> {
                            c.periodic("knn", 2, 10);
                            c.sharing = Observed.CheckpointSharing.ANY_NODE;
                            c.active(1).pod = running("r-a1", NOW.minusSeconds(60));
                            c.progress = progress(3, 80, 400, 2, 80L);
                        },
                        expect(Phase.Running, 0, 0, null, "ensure", "pins:[2, 4, 6, 8, 10]", "eval:r-eval-knn-e2")),
                row(
                        "periodic evaluation waits (Pending, pinned) when the claim admits no second pod",
                        c -> {
                            c.periodic("knn", 2, 10);
                            c.sharing = Observed.CheckpointSharing.NONE;
                            c.active(1).pod = running("r-a1", NOW.minusSeconds(60));
                            c.progress = progress(5, 80, 400, 4, 80L);
                        },
                        expect(Phase.Running, 0, 0, null, "ensure", "pins:[2, 4, 6, 8, 10]")),
                row(
                        "the oldest owed periodic epoch runs first, then the next",
                        c -> {
                            c.periodic("knn", 2, 10);
                            c.active(1).pod = running("r-a1", NOW.minusSeconds(60));
                            c.progress = progress(7, 80, 400, 6, 80L);
                            c.evalEntry("knn", 2, EvaluationState.Succeeded, "r-eval-knn-e2");
                        },
                        expect(Phase.Running, 0, 0, null, "ensure", "pins:[4, 6, 8, 10]", "eval:r-eval-knn-e4@node-1")),
                row(
                        "deferred periodic evaluations run after training, oldest first",
                        c -> {
                            c.periodic("knn", 2, 4);
                            c.active(1).pod = exited("r-a1", 0, "Completed", complete(4, 80), null, NOW);
                            c.evalEntry("knn", 2, EvaluationState.Pending, null);
                        },
                        expect(Phase.Evaluating, 0, 0, null, "ensure", "pins:[2, 4]", "eval:r-eval-knn-e2")),
                row(
                        "after training, a periodic pod still waiting for the trainer's node is placed anywhere",
                        c -> {
                            c.periodic("knn", 2, 4);
                            c.active(1).pod = exited("r-a1", 0, "Completed", complete(4, 80), null, NOW);
                            c.evalEntry("knn", 2, EvaluationState.Running, "r-eval-knn-e2");
                            c.evals.put(
                                    "r-eval-knn-e2",
                                    new PodView(
                                            "r-eval-knn-e2",
                                            PodView.State.PENDING,
                                            null,
                                            null,
                                            null,
                                            null,
                                            null,
                                            false,
                                            null,
                                            null,
                                            null,
                                            null,
                                            Map.of(
                                                    "densecl.io/on-trainer-node",
                                                    "true",
                                                    "densecl.io/checkpoint-epoch",
                                                    "2")));
                        },
                        expect(
                                Phase.Evaluating,
                                0,
                                0,
                                null,
                                "ensure",
                                "pins:[2, 4]",
                                "delete:r-eval-knn-e2:TrainingEnded",
                                "eval:r-eval-knn-e2-r1")),
                row(
                        "after training, an unscheduled periodic pod placed anywhere keeps waiting",
                        c -> {
                            c.periodic("knn", 2, 4);
                            c.active(1).pod = exited("r-a1", 0, "Completed", complete(4, 80), null, NOW);
                            c.evalEntry("knn", 2, EvaluationState.Running, "r-eval-knn-e2");
                            c.evals.put("r-eval-knn-e2", pending("r-eval-knn-e2"));
                        },
                        expect(Phase.Evaluating, 0, 0, null, "ensure", "pins:[2, 4]")),
                row(
                        "only periodic evaluations, all read: training success is final",
                        c -> {
                            c.periodic("knn", 2, 4);
                            c.active(1).pod = exited("r-a1", 0, "Completed", complete(4, 80), null, NOW);
                            c.evalEntry("knn", 4, EvaluationState.Succeeded, "r-eval-knn-e4");
                        },
                        expect(Phase.Succeeded, 0, 0, null)),
                row(
                        "a failed evaluation pod is retried (counted) on a new pod",
                        c -> {
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.evaluating("seg", 2);
                            c.evals.put("r-eval-seg", evaluated("r-eval-seg", 2, 1, null));
                        },
                        expect(Phase.Evaluating, 0, 0, null, "ensure", "eval:r-eval-seg-r1")),
                row(
                        "an evaluation beyond its backoffLimit fails; the run completes with it failed",
                        c -> {
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.evaluating("seg", 2);
                            c.status.evaluations.get(0).retries = 2;
                            c.status.evaluations.get(0).pod = "r-eval-seg-r2";
                            c.evals.put("r-eval-seg-r2", evaluated("r-eval-seg-r2", 2, 137, null));
                        },
                        expect(Phase.Succeeded, 0, 0, null)),
                row(
                        "a disrupted evaluation pod is relaunched without counting",
                        c -> {
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.evaluating("seg", 2);
                            c.status.evaluations.get(0).retries =
                                    2; // its failure budget is spent: a disruption must not use it
                            c.evals.put(
                                    "r-eval-seg",
                                    exited("r-eval-seg", 137, "Error", null, "PreemptionByScheduler", NOW));
                        },
                        expect(Phase.Evaluating, 0, 0, null, "ensure", "eval:r-eval-seg-r3")),
                row(
                        "an evaluation's config error is not retried",
                        c -> {
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.evaluating("seg", 2);
                            c.evals.put(
                                    "r-eval-seg",
                                    evaluated("r-eval-seg", 2, 78, configError("--classes", "is required")));
                        },
                        expect(Phase.Succeeded, 0, 0, null)),
                row(
                        "a lost evaluation pod is a disruption, relaunched on a new pod",
                        c -> {
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.evaluating("seg", 2);
                        },
                        expect(Phase.Evaluating, 0, 0, null, "ensure", "eval:r-eval-seg-r1")),
                row(
                        "suspend during evaluations deletes the evaluation pod and waits",
                        c -> {
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.spec.suspend = true;
                            c.evaluating("seg", 2);
                            c.evals.put("r-eval-seg", running("r-eval-seg", NOW));
                        },
                        expect(Phase.Suspended, 0, 0, null, "ensure", "delete:r-eval-seg:Suspended")),
                row(
                        "still suspended after training stays Suspended without pods",
                        c -> {
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.spec.suspend = true;
                            c.evaluating("seg", 2);
                            c.status.phase = Phase.Suspended;
                            c.status.evaluations.get(0).state = EvaluationState.Pending;
                        },
                        expect(Phase.Suspended, 0, 0, null, "ensure")),
                row(
                        "resume after a suspended evaluation relaunches it, no new training attempt",
                        c -> {
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.evaluating("seg", 2);
                            c.status.phase = Phase.Suspended;
                            c.status.evaluations.get(0).state = EvaluationState.Pending;
                        },
                        expect(Phase.Evaluating, 0, 0, null, "ensure", "eval:r-eval-seg")),
                row(
                        "suspend while training also stops a periodic evaluation",
                        c -> {
                            c.periodic("knn", 2, 10);
                            c.spec.suspend = true;
                            c.active(1).pod = running("r-a1", NOW.minusSeconds(60));
                            c.evalEntry("knn", 2, EvaluationState.Running, "r-eval-knn-e2");
                            c.evals.put("r-eval-knn-e2", running("r-eval-knn-e2", NOW));
                        },
                        expect(
                                Phase.Suspended,
                                0,
                                0,
                                null,
                                "ensure",
                                "pins:[2, 4, 6, 8, 10]",
                                "delete:r-a1:Suspended",
                                "delete:r-eval-knn-e2:Suspended")),
                row(
                        "evaluation still running -> Evaluating",
                        c -> {
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.evaluating("seg", 2);
                            c.evals.put("r-eval-seg", running("r-eval-seg", NOW));
                        },
                        expect(Phase.Evaluating, 0, 0, null, "ensure")),
                row(
                        "evaluation done -> Succeeded",
                        c -> {
                            c.spec.evaluations.add(Fixtures.segmentation("seg"));
                            c.evaluating("seg", 2);
                            c.evals.put("r-eval-seg", evaluated("r-eval-seg", 2, 0, segResult(0.41, 2)));
                        },
                        expect(Phase.Succeeded, 0, 0, null)),
                row(
                        "epochs increased after success continues training",
                        c -> {
                            c.ended(1, "Complete", null).status.phase = Phase.Succeeded;
                            c.spec.training.epochs = 4;
                            c.pod = exited("r-a1", 0, "Completed", complete(2, 40), null, NOW);
                        },
                        expect(Phase.Starting, 0, 0, null, "ensure", "start:2")),
                row(
                        "epochs left to the recipe (200) after success at epoch 2 continue training",
                        c -> {
                            c.ended(1, "Complete", null).status.phase = Phase.Succeeded;
                            c.spec.training.epochs = null;
                            c.pod = exited("r-a1", 0, "Completed", complete(2, 40), null, NOW);
                        },
                        expect(Phase.Starting, 0, 0, null, "ensure", "start:2")),
                row(
                        "epochs left to the coco recipe: Succeeded at its 800 is final",
                        c -> {
                            c.ended(1, "Complete", null).status.phase = Phase.Succeeded;
                            c.spec.training.recipe = io.densecl.contract.Recipe.coco;
                            c.spec.training.epochs = null;
                            c.pod = exited("r-a1", 0, "Completed", complete(800, 16000), null, NOW);
                        },
                        expect(Phase.Succeeded, 0, 0, null)),
                row(
                        "Succeeded is final",
                        c -> {
                            c.ended(1, "Complete", null).status.phase = Phase.Succeeded;
                            c.pod = exited("r-a1", 0, "Completed", complete(2, 40), null, NOW);
                        },
                        expect(Phase.Succeeded, 0, 0, null)),
                row(
                        "Failed is final",
                        c -> {
                            c.ended(1, "ConfigError", null).status.phase = Phase.Failed;
                            c.status.lastFailure = failure("ConfigError");
                        },
                        expect(Phase.Failed, 0, 0, "ConfigError")));
    }

    @Test
    void evaluationResultIsFolded() {
        Case c = new Case();
        c.spec.evaluations.add(Fixtures.segmentation("seg"));
        c.evaluating("seg", 2);
        c.evals.put("r-eval-seg", evaluated("r-eval-seg", 2, 0, segResult(0.41, 2)));
        Decision d = MACHINE.decide(c.observed());
        EvaluationStatus seg = d.evaluations().get(0);
        assertThat(seg.state).isEqualTo(EvaluationState.Succeeded);
        assertThat(seg.metrics).containsEntry("mIoU", 0.41).doesNotContainKey("checkpointEpoch");
    }

    @Test
    void aRelaunchedEvaluationReadsItsOwnCheckpointNeverTheNewest() {
        Case c = new Case();
        c.spec.evaluations.add(Fixtures.segmentation("seg"));
        c.evaluating("seg", 2);
        c.status.evaluations.get(0).checkpointPath = "/c/ckpt-e2-s40";
        c.status.checkpoint.latest =
                new CheckpointRef("/c/ckpt-e2-s44", 2, 44L, NOW.toString()); // a later minutes checkpoint
        c.evals.put("r-eval-seg", evaluated("r-eval-seg", 2, 1, null));
        Decision d = MACHINE.decide(c.observed());
        Action.StartEvaluation start = d.actions().stream()
                .filter(a -> a instanceof Action.StartEvaluation)
                .map(a -> (Action.StartEvaluation) a)
                .findFirst()
                .orElseThrow();
        assertThat(start.checkpointPath()).isEqualTo("/c/ckpt-e2-s40");
        assertThat(start.checkpointEpoch()).isEqualTo(2);
        EvaluationStatus seg = d.evaluations().get(0);
        assertThat(seg.retries).isEqualTo(1);
        assertThat(seg.pod).isEqualTo("r-eval-seg-r1");
        assertThat(seg.message).startsWith("relaunched after Error");
    }

    @Test
    void aRelaunchedPeriodicEvaluationReadsItsEpochByNumber() {
        Case c = new Case();
        c.periodic("knn", 2, 10);
        c.active(1).pod = running("r-a1", NOW.minusSeconds(60));
        c.progress = progress(7, 80, 400, 6, 80L); // the newest checkpoint is epoch 6
        c.evalEntry("knn", 2, EvaluationState.Running, "r-eval-knn-e2");
        c.evals.put("r-eval-knn-e2", exited("r-eval-knn-e2", 137, "Error", null, "EvictionByEvictionAPI", NOW));
        Decision d = MACHINE.decide(c.observed());
        Action.StartEvaluation start = d.actions().stream()
                .filter(a -> a instanceof Action.StartEvaluation)
                .map(a -> (Action.StartEvaluation) a)
                .findFirst()
                .orElseThrow();
        assertThat(start.byEpoch()).isTrue();
        assertThat(start.checkpointEpoch()).isEqualTo(2);
        assertThat(start.pod()).isEqualTo("r-eval-knn-e2-r1");
        assertThat(d.evaluations().get(0).disruptions).isEqualTo(1);
        assertThat(d.evaluations().get(0).retries).isNull();
    }

    @Test
    void aPendingEvaluationsCheckpointStaysPinnedUntilItHasBeenRead() {
        Case c = new Case();
        c.periodic("knn", 2, 6);
        c.active(1).pod = running("r-a1", NOW.minusSeconds(60));
        c.evalEntry("knn", 2, EvaluationState.Pending, null);
        assertThat(EvaluationStage.pinnedEpochs(c.observed(), c.status.evaluations))
                .containsExactly(2, 4, 6);
        c.status.evaluations.get(0).state = EvaluationState.Running;
        assertThat(EvaluationStage.pinnedEpochs(c.observed(), c.status.evaluations))
                .containsExactly(2, 4, 6);
        c.status.evaluations.get(0).state = EvaluationState.Failed; // read (a final failure releases it too)
        assertThat(EvaluationStage.pinnedEpochs(c.observed(), c.status.evaluations))
                .containsExactly(4, 6);
        c.status.evaluations.get(0).checkpointEpoch = 6;
        c.status.evaluations.get(0).state = EvaluationState.Succeeded;
        assertThat(EvaluationStage.pinnedEpochs(c.observed(), c.status.evaluations))
                .isEmpty();
        Case none = new Case();
        none.spec.evaluations.add(Fixtures.segmentation("seg"));
        assertThat(MACHINE.decide(none.observed()).actions()).noneMatch(a -> a instanceof Action.PinCheckpoints);
    }

    @Test
    void aStartedEvaluationRecordsItsTaskAndRunningState() {
        Case c = new Case();
        c.spec.evaluations.add(Fixtures.segmentation("seg"));
        c.active(1).pod = exited("r-a1", 0, "Completed", complete(2, 40), null, NOW);
        EvaluationStatus seg = MACHINE.decide(c.observed()).evaluations().get(0);
        assertThat(seg.type).isEqualTo(EvaluationTask.segmentation);
        assertThat(seg.state).isEqualTo(EvaluationState.Running);
        assertThat(seg.checkpointEpoch).isEqualTo(2);
    }

    @Test
    void counterAndBackoffAndLostWorkAreRecorded() {
        Case c = new Case();
        c.active(1).pod = exited("r-a1", 1, "Error", null, null, NOW);
        c.status.checkpoint = new CheckpointStatus();
        c.status.checkpoint.latest = new CheckpointRef(
                "/c/ckpt-e1-s20", 1, 20L, NOW.minusSeconds(120).toString());
        Decision d = MACHINE.decide(c.observed());
        assertThat(d.attempt().restartAfter).isEqualTo(NOW.plusSeconds(10).toString());
        assertThat(d.lostWorkSeconds()).isEqualTo(120);
        assertThat(d.requeueAfter()).isEqualTo(Duration.ofSeconds(10)); // wake up when the back-off ends
        assertThat(d.lastFailure().exitCode).isEqualTo(1);
        assertThat(d.lastFailure().kind).isEqualTo("Counted");
    }

    @Test
    void fatalErrorCarriesTheFieldFromTheTerminationMessage() {
        Case c = new Case();
        c.active(1).pod = exited("r-a1", 78, "Error", configError("training.batchSize", "not divisible"), null, NOW);
        FailureStatus f = MACHINE.decide(c.observed()).lastFailure();
        assertThat(f.field).isEqualTo("training.batchSize");
        assertThat(f.message).contains("not divisible");
        assertThat(f.kind).isEqualTo("Fatal");
    }

    @Test
    void aGatedPodIsQueuedAndItsAdmissionStartsTheStartupClock() {
        Case c = new Case();
        c.spec.failurePolicy.startupDeadlineSeconds = 600L;
        c.active(1).pod = gated();
        Decision queued = MACHINE.decide(c.observed());
        assertThat(queued.reason()).isEqualTo("Queued");
        assertThat(queued.attempt().gated).isTrue();
        assertThat(queued.attempt().admittedAt).isNull();
        c.status.attempt = queued.attempt();
        c.pod = new PodView(
                "r-a1",
                PodView.State.PENDING,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                "node-1",
                null,
                null,
                Map.of(),
                "ContainerCreating",
                null,
                false,
                null);
        Decision admitted = MACHINE.decide(c.observed());
        assertThat(admitted.attempt().admittedAt).isEqualTo(NOW.toString());
        assertThat(admitted.phase()).isEqualTo(Phase.Starting);
        assertThat(admitted.actions()).noneMatch(a -> a instanceof Action.DeletePod);
    }

    /** A trainer pod held by Kueue's admission gate: the scheduler reports PodScheduled=False, SchedulingGated. */
    private static PodView gated() {
        return new PodView(
                "r-a1",
                PodView.State.PENDING,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                null,
                null,
                Map.of(),
                "SchedulingGated",
                "Scheduling is blocked due to non-empty scheduling gates",
                false,
                null);
    }

    @Test
    void storageErrorIsCountedButKeepsTheNode() {
        Case c = new Case();
        c.active(1).status.attempt.node = "gpu-7";
        c.pod = exited("r-a1", ExitCodes.STORAGE, "Error", null, null, NOW);
        Decision d = MACHINE.decide(c.observed());
        assertThat(d.lastFailure().reason).isEqualTo("StorageError");
        assertThat(d.restarts().counted).isEqualTo(1);
        assertThat(d.avoidNodes()).isEmpty();
        assertThat(d.phase()).isEqualTo(Phase.Restarting);
    }

    @Test
    void aClassifiedStorageErrorFailsTheRunAtOnceNamingTheClassAndKeepsTheNode() {
        Case c = new Case();
        c.active(1).status.attempt.node = "gpu-7";
        c.pod = exited(
                "r-a1",
                ExitCodes.STORAGE,
                "Error",
                "{\"result\":\"StorageError\",\"error\":{\"class\":"
                        + "\"InsufficientStorage\",\"message\":\"checkpoint storage has 10.0 MiB free, two checkpoints need 90.0 MiB\"}}",
                null,
                NOW);
        Decision d = MACHINE.decide(c.observed());
        assertThat(d.lastFailure().reason).isEqualTo("InsufficientStorage");
        assertThat(d.lastFailure().message).contains("two checkpoints need");
        assertThat(d.lastFailure().kind).isEqualTo("Fatal"); // the same volume fails the same way: no retry loop
        assertThat(d.lastFailure().field).isEqualTo("spec.checkpoint");
        assertThat(d.phase()).isEqualTo(Phase.Failed);
        assertThat(d.actions()).noneMatch(a -> a instanceof Action.StartAttempt);
        assertThat(d.avoidNodes()).isEmpty();
    }

    @Test
    void aLockedCheckpointIsNotCountedAndWaitsBeforeTheNextAttempt() {
        Case c = new Case();
        c.active(2).status.attempt.node = "gpu-7";
        c.pod = exited("r-a2", ExitCodes.LOCKED, "Error", null, null, NOW);
        Decision d = MACHINE.decide(c.observed());
        assertThat(d.lastFailure().reason).isEqualTo("CheckpointLocked");
        assertThat(d.lastFailure().kind).isEqualTo("NotCounted");
        assertThat(d.restarts().counted).isZero();
        assertThat(d.restarts().disruptions).isZero();
        assertThat(d.restarts().total).isEqualTo(1);
        assertThat(d.avoidNodes()).isEmpty();
        assertThat(d.phase()).isEqualTo(Phase.Restarting);
        assertThat(d.actions()).noneMatch(a -> a instanceof Action.StartAttempt);
        assertThat(d.attempt().restartAfter)
                .isEqualTo(NOW.plusSeconds(10).toString()); // backoffBaseSeconds, not growing
    }

    @Test
    void supportingChildrenAreEnsuredBeforeAnyPodWithTheObservedRunJson() {
        Observed o = new Case().observed();
        Decision d = MACHINE.decide(o);
        assertThat(d.actions()).hasSize(2);
        assertThat(d.actions().get(0)).isEqualTo(new Action.EnsureSupporting(o.runConfig()));
        assertThat(d.actions().get(1)).isEqualTo(new Action.StartAttempt(1));
    }

    @Test
    void deviceErrorAvoidsTheNode() {
        Case c = new Case();
        c.active(1).status.attempt.node = "gpu-7";
        c.pod = exited("r-a1", 74, "Error", null, null, NOW);
        Decision d = MACHINE.decide(c.observed());
        assertThat(d.avoidNodes()).containsExactly("gpu-7");
        assertThat(d.avoidNodesUntil())
                .containsEntry("gpu-7", NOW.plus(RunStateMachine.AVOID_NODE_FOR).toString());
    }

    /** A node whose GPU was replaced must not stay out of the pool for good (a small pool would run dry). */
    @Test
    void avoidedNodesComeBackWhenTheirTimeIsUp() {
        Case c = new Case();
        c.active(1).pod = running("r-a1", NOW.minusSeconds(60));
        c.status.avoidNodes = new java.util.ArrayList<>(List.of("gpu-7", "gpu-8", "gpu-9"));
        c.status.avoidNodesUntil = new HashMap<>(Map.of(
                "gpu-7",
                NOW.minusSeconds(1).toString(),
                "gpu-8",
                NOW.plusSeconds(60).toString()));
        Decision d = MACHINE.decide(c.observed());
        assertThat(d.avoidNodes()).containsExactly("gpu-8", "gpu-9");
        assertThat(d.avoidNodesUntil())
                .containsOnlyKeys("gpu-8", "gpu-9")
                .containsEntry("gpu-9", NOW.plus(RunStateMachine.AVOID_NODE_FOR).toString());
    }

    @Test
    void checkpointFromTerminationMessageBecomesLatest() {
        Case c = new Case();
        c.active(1).pod = exited("r-a1", 75, "Error", checkpointed(1, 20), "PreemptionByScheduler", NOW);
        Decision d = MACHINE.decide(c.observed());
        assertThat(d.latestCheckpoint().epoch).isEqualTo(1);
        assertThat(d.latestCheckpoint().step).isEqualTo(20L);
        assertThat(d.lostWorkSeconds()).isZero(); // it checkpointed on SIGTERM
        assertThat(d.attempt().resumedFrom).isEqualTo("e1-s20");
    }

    @Test
    void aDeferredPollRequeuesSoonerThanTheInterval() {
        Case c = new Case();
        c.active(1).pod = running("r-a1", NOW.minusSeconds(60));
        assertThat(MACHINE.decide(c.observed()).requeueAfter()).isEqualTo(Duration.ofSeconds(30));
        Observed deferred = c.observed();
        deferred = new Observed(
                deferred.now(),
                deferred.runName(),
                deferred.spec(),
                deferred.status(),
                deferred.runConfig(),
                deferred.invalid(),
                deferred.attemptPod(),
                deferred.evaluationPods(),
                null,
                Duration.ofSeconds(4),
                List.of());
        assertThat(MACHINE.decide(deferred).requeueAfter()).isEqualTo(Duration.ofSeconds(4));
        assertThat(MACHINE.decide(deferred).phase()).isEqualTo(Phase.Running);
    }

    /** Found on the real API server: no pod event follows a create that got 409 for a pod that is already running. */
    @Test
    void startingAnAttemptLooksAgainWithoutWaitingForAPodEvent() {
        Decision d = MACHINE.decide(new Case().observed());
        assertThat(d.actions()).hasSize(2).last().isInstanceOf(Action.StartAttempt.class);
        assertThat(d.requeueAfter()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void resumedFromComesFromTheTrainerWhenItReportsIt() {
        Case c = new Case();
        c.active(2).pod = running("r-a2", NOW.minusSeconds(60));
        var p = progress(2, 30, 40, 1, 20L);
        c.progress = new Progress(
                p.phase(),
                null,
                2,
                p.epoch(),
                p.totalEpochs(),
                p.step(),
                p.totalSteps(),
                p.stepsPerEpoch(),
                p.loss(),
                p.lossGlobal(),
                p.lossDense(),
                p.lossContraSingle(),
                p.lossContraDense(),
                p.lr(),
                p.imagesPerSecond(),
                p.etaSeconds(),
                p.lastCheckpoint(),
                new Progress.ResumedFrom(1, 20L, null),
                0);
        assertThat(MACHINE.decide(c.observed()).attempt().resumedFrom).isEqualTo("e1-s20");
    }

    @ParameterizedTest(name = "base {0}s, cap {1}s, failure #{2} -> {3}s")
    @CsvSource({"10,600,1,10", "10,600,2,20", "10,600,3,40", "10,600,7,600", "0,600,3,0", "10,600,40,600"})
    void backoffIsExponentialAndCapped(long base, long cap, int counted, long seconds) {
        assertThat(AttemptAccounting.backoff(base, cap, counted)).isEqualTo(Duration.ofSeconds(seconds));
    }

    private static String describe(Action a, RunConfig observed) {
        if (a instanceof Action.EnsureSupporting e) {
            return e.runConfig() == observed ? "ensure" : "ensure:other";
        }
        if (a instanceof Action.StartAttempt s) {
            return "start:" + s.index();
        }
        if (a instanceof Action.DeletePod p) {
            return "delete:" + p.pod() + ":" + p.reason();
        }
        if (a instanceof Action.PinCheckpoints p) {
            return "pins:" + p.epochs();
        }
        Action.StartEvaluation e = (Action.StartEvaluation) a;
        return "eval:" + e.pod() + (e.node() == null ? "" : "@" + e.node());
    }

    private static Arguments row(String name, Consumer<Case> setup, Expect expect) {
        Case c = new Case();
        setup.accept(c);
        return Arguments.of(name, c.observed(), expect);
    }

    private static FailureStatus failure(String reason) {
        FailureStatus f = new FailureStatus();
        f.reason = reason;
        return f;
    }

    private static ProgressStatus progressStatus(Long step, Instant lastAdvance) {
        ProgressStatus p = new ProgressStatus();
        p.step = step;
        p.lastAdvanceTime = lastAdvance.toString();
        return p;
    }

    /** A pod on a NotReady node: marked for deletion by the taint manager, still reported Running. */
    static PodView unreachableNode(Instant deletionDeadline) {
        return new PodView(
                "r-a1",
                PodView.State.RUNNING,
                null,
                null,
                null,
                "DeletionByTaintManager",
                null,
                true,
                "10.1.2.3",
                "node-1",
                NOW.minusSeconds(600),
                null,
                Map.of(),
                null,
                null,
                false,
                deletionDeadline);
    }

    @Test
    void aPendingPodsReasonAndMessageReachTheStatus() {
        Case c = new Case();
        c.active(1).pod = new PodView(
                "r-a1",
                PodView.State.PENDING,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                "node-1",
                null,
                null,
                Map.of(),
                "ErrImagePull",
                "pull access denied for densecl/nope",
                false,
                null);
        Decision d = MACHINE.decide(c.observed());
        assertThat(d.reason()).isEqualTo("ErrImagePull");
        assertThat(d.message()).isEqualTo("pod r-a1 is not running: ErrImagePull: pull access denied for densecl/nope");
    }

    @Test
    void progressUnknownFollowsTheLastPoll() {
        Case c = new Case();
        c.active(1).pod = running("r-a1", NOW.minusSeconds(60));
        assertThat(MACHINE.decide(c.observed()).progressUnknown())
                .as("no poll made")
                .isNull();
        c.unreachable = true;
        assertThat(MACHINE.decide(c.observed()).progressUnknown()).isTrue();
        c.unreachable = false;
        c.progress = progress(1, 100, 400, null, null);
        assertThat(MACHINE.decide(c.observed()).progressUnknown()).isFalse();
    }

    /** A mutable builder of one row's Observed. */
    static final class Case {
        DenseCLRunSpec spec = Fixtures.spec();
        DenseCLRunStatus status;
        PodView pod;
        Map<String, PodView> evals = new HashMap<>();
        Progress progress;
        Observed.SpecProblem invalid;
        List<String> foreign = List.of();
        Observed.CheckpointSharing sharing = Observed.CheckpointSharing.TRAINER_NODE;

        /** A periodic evaluation every {@code every} epochs of a run of {@code epochs}. */
        void periodic(String name, int every, int epochs) {
            EvaluationSpec e = Fixtures.segmentation(name);
            e.trigger = EvaluationSpec.Trigger.EveryNEpochs;
            e.everyEpochs = every;
            spec.evaluations.add(e);
            spec.training.epochs = epochs;
        }

        void evalEntry(String name, int epoch, EvaluationState state, String pod) {
            EvaluationStatus e = new EvaluationStatus();
            e.name = name;
            e.state = state;
            e.checkpointEpoch = epoch;
            e.pod = pod;
            e.startedAt = NOW.minusSeconds(60).toString();
            status.evaluations.add(e);
        }

        boolean unreachable;

        Case status(Phase phase, Consumer<DenseCLRunStatus> edit) {
            if (status == null) {
                status = new DenseCLRunStatus();
                status.restarts = new io.densecl.operator.api.v1alpha1.RestartsStatus();
                status.evaluations = new java.util.ArrayList<>();
            }
            status.phase = phase;
            edit.accept(status);
            return this;
        }

        Case active(int index) {
            return active(index, NOW.minusSeconds(1800));
        }

        Case active(int index, Instant created) {
            status(Phase.Running, s -> {
                s.attempt = new AttemptStatus();
                s.attempt.index = index;
                s.attempt.pod = "r-a" + index;
                s.attempt.createdAt = created.toString();
            });
            return this;
        }

        Case ended(int index, String reason, Instant restartAfter) {
            active(index).status.phase = Phase.Restarting;
            status.attempt.endedAt = NOW.minusSeconds(10).toString();
            status.attempt.endReason = reason;
            status.attempt.restartAfter = restartAfter == null ? null : restartAfter.toString();
            return this;
        }

        void evaluating(String name, int epoch) {
            ended(1, "Complete", null).status.phase = Phase.Evaluating;
            status.checkpoint = new CheckpointStatus();
            status.checkpoint.latest = new CheckpointRef("/c/ckpt-e" + epoch + "-s40", epoch, 40L, NOW.toString());
            EvaluationStatus e = new EvaluationStatus();
            e.name = name;
            e.state = EvaluationState.Running;
            e.checkpointEpoch = epoch;
            e.pod = "r-eval-" + name;
            e.startedAt = NOW.minusSeconds(60).toString();
            status.evaluations.add(e);
        }

        /** With the run.json the operator renders from this spec (as RunObserver does for a spec that passes its rules). */
        Observed observed() {
            RunConfig config = invalid == null
                    ? RunConfigRenderer.config(Fixtures.run("r", spec), TestSettings.settings(), null)
                    : null;
            return new Observed(
                    NOW,
                    "r",
                    spec,
                    status,
                    config,
                    invalid,
                    pod,
                    evals,
                    progress,
                    null,
                    foreign,
                    unreachable,
                    null,
                    List.of(),
                    sharing);
        }
    }
}
