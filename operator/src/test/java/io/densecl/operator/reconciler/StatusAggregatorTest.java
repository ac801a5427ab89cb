package io.densecl.operator.reconciler;

import static io.densecl.operator.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.contract.Recipe;
import io.densecl.contract.RunConfig;
import io.densecl.operator.Fixtures;
import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.EvaluationState;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.resources.RunConfigRenderer;
import io.densecl.operator.state.Decision;
import io.densecl.operator.state.Observed;
import io.densecl.operator.state.PodView;
import io.densecl.operator.state.RunStateMachine;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The aggregator writes only real changes, sets observedGeneration and keeps transition times. */
class StatusAggregatorTest {

    final StatusAggregator aggregator = new StatusAggregator();
    final RunStateMachine machine = new RunStateMachine(Duration.ofSeconds(30));

    Optional<DenseCLRunStatus> step(
            DenseCLRun run, Instant now, io.densecl.operator.state.PodView pod, io.densecl.contract.Progress progress) {
        Observed o = new Observed(now, "r", run.getSpec(), run.getStatus(), null, pod, Map.of(), progress);
        Decision d = machine.decide(o);
        Optional<DenseCLRunStatus> next = aggregator.aggregate(run, o, d);
        next.ifPresent(run::setStatus);
        return next;
    }

    @Test
    void writesOnlyWhenSomethingChanged() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        assertThat(step(run, T0, null, null)).isPresent(); // attempt 1 created
        assertThat(run.getStatus().phase).isEqualTo(Phase.Starting);
        var pending = Fixtures.pending("r-a1");
        step(run, T0.plusSeconds(1), pending, null); // the message changes to "waiting for pod r-a1 to start"
        assertThat(step(run, T0.plusSeconds(2), pending, null)).isEmpty(); // nothing new: nothing written
        assertThat(step(run, T0.plusSeconds(3), pending, null)).isEmpty();
        assertThat(step(run, T0.plusSeconds(3), Fixtures.running("r-a1", T0.plusSeconds(3)), null))
                .isPresent();
        assertThat(run.getStatus().phase).isEqualTo(Phase.Running);
        assertThat(step(run, T0.plusSeconds(4), Fixtures.running("r-a1", T0.plusSeconds(3)), null))
                .isEmpty();
    }

    @Test
    void aStatusReadBackWithoutEmptyListsIsUnchanged() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        step(run, T0, null, null);
        var pending = Fixtures.pending("r-a1");
        step(run, T0.plusSeconds(1), pending, null);
        assertThat(run.getStatus().evaluations).isEmpty();
        run.getStatus().evaluations =
                null; // as the API server returns it (fleet benchmark: a no-op patch per reconcile)
        run.getStatus().avoidNodes = null;
        assertThat(step(run, T0.plusSeconds(2), pending, null)).isEmpty();
    }

    @Test
    void setsObservedGenerationFromTheRun() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        run.getMetadata().setGeneration(7L);
        step(run, T0, null, null);
        assertThat(run.getStatus().observedGeneration).isEqualTo(7L);
        assertThat(run.getStatus().conditions)
                .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(7L));
        run.getMetadata().setGeneration(8L); // e.g. epochs raised: the status must follow even if nothing else changed
        assertThat(step(run, T0.plusSeconds(1), Fixtures.pending("r-a1"), null)).isPresent();
        assertThat(run.getStatus().observedGeneration).isEqualTo(8L);
    }

    /** kstatus waiters (kubectl wait, Flux, Argo CD health) must not block for the days a trainer runs. */
    @Test
    void reconcilingOnlyWhileConvergingAndSuspendedOnlyOnceThePodIsGone() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        step(run, T0, null, null);
        Instant started = T0.plusSeconds(10);
        step(run, started, Fixtures.running("r-a1", started), null);
        assertThat(run.getStatus().phase).isEqualTo(Phase.Running);
        assertThat(condition(run, "Reconciling").getStatus())
                .as("a training trainer is not converging")
                .isEqualTo("False");

        run.getSpec().suspend = true;
        step(run, T0.plusSeconds(20), Fixtures.running("r-a1", started), null);
        assertThat(run.getStatus().phase).isEqualTo(Phase.Suspended);
        assertThat(condition(run, "Suspended").getStatus())
                .as("the pod still runs")
                .isEqualTo("False");
        assertThat(condition(run, "Suspended").getReason()).isEqualTo("Suspending");
        assertThat(condition(run, "Reconciling").getStatus()).isEqualTo("True");

        step(
                run,
                T0.plusSeconds(30),
                Fixtures.exited("r-a1", 75, "Error", Fixtures.checkpointed(1, 20), null, T0.plusSeconds(25)),
                null);
        assertThat(condition(run, "Suspended").getStatus()).isEqualTo("True");
        assertThat(condition(run, "Reconciling").getStatus()).isEqualTo("False");
    }

    @Test
    void progressUnknownWhileTheTrainerDoesNotAnswerAndAnUnrecoverablePendingReasonIsStalled() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        step(run, T0, null, null);
        PodView waiting = new PodView(
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
                "InvalidImageName",
                "couldn't parse image reference",
                false,
                null);
        step(run, T0.plusSeconds(5), waiting, null);
        assertThat(condition(run, "Stalled").getStatus()).isEqualTo("True");
        assertThat(condition(run, "Stalled").getReason()).isEqualTo("InvalidImageName");
        assertThat(run.getStatus().message).contains("couldn't parse image reference");

        Instant started = T0.plusSeconds(10);
        PodView running = Fixtures.running("r-a1", started);
        Observed unanswered = new Observed(
                T0.plusSeconds(40),
                "r",
                run.getSpec(),
                run.getStatus(),
                null,
                null,
                running,
                Map.of(),
                null,
                null,
                List.of(),
                true);
        run.setStatus(aggregator
                .aggregate(run, unanswered, machine.decide(unanswered))
                .orElseThrow());
        assertThat(condition(run, "ProgressUnknown").getStatus()).isEqualTo("True");
        assertThat(condition(run, "Stalled").getStatus()).isEqualTo("False");
        step(run, T0.plusSeconds(50), running, null); // no poll due: keeps the last verdict
        assertThat(condition(run, "ProgressUnknown").getStatus()).isEqualTo("True");
        step(run, T0.plusSeconds(70), running, Fixtures.progress(1, 10, 400, null, null));
        assertThat(condition(run, "ProgressUnknown").getStatus()).isEqualTo("False");
    }

    @Test
    void conditionTransitionTimesMoveOnlyOnFlips() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        step(run, T0, null, null);
        assertThat(condition(run, "Accepted").getStatus()).isEqualTo("True");
        assertThat(condition(run, "Running").getStatus()).isEqualTo("False");
        assertThat(condition(run, "Reconciling").getStatus()).isEqualTo("True");
        String acceptedSince = condition(run, "Accepted").getLastTransitionTime();

        Instant started = T0.plusSeconds(10);
        step(run, started, Fixtures.running("r-a1", started), null);
        assertThat(condition(run, "Running").getStatus()).isEqualTo("True");
        assertThat(condition(run, "Running").getLastTransitionTime()).isEqualTo(started.toString());
        assertThat(condition(run, "Accepted").getLastTransitionTime()).isEqualTo(acceptedSince);

        Instant done = T0.plusSeconds(100);
        step(run, done, Fixtures.exited("r-a1", 0, "Completed", Fixtures.complete(2, 40), null, done), null);
        assertThat(run.getStatus().phase).isEqualTo(Phase.Succeeded);
        assertThat(condition(run, "Complete").getStatus()).isEqualTo("True");
        assertThat(condition(run, "Complete").getLastTransitionTime()).isEqualTo(done.toString());
        assertThat(condition(run, "Running").getLastTransitionTime()).isEqualTo(done.toString());
        assertThat(condition(run, "Reconciling").getStatus()).isEqualTo("False");
        assertThat(condition(run, "Checkpointed").getStatus()).isEqualTo("True");
        assertThat(run.getStatus().completionTime).isEqualTo(done.toString());
        assertThat(run.getStatus().progress.percent).isEqualTo(100);
        assertThat(run.getStatus().trainingMetrics.loss).isEqualTo(5.1);
        assertThat(run.getStatus().checkpoint.latest.epoch).isEqualTo(2);
        assertThat(step(
                        run,
                        done.plusSeconds(60),
                        Fixtures.exited("r-a1", 0, "Completed", Fixtures.complete(2, 40), null, done),
                        null))
                .isEmpty();
    }

    @Test
    void invalidSpecSetsAcceptedFalseAndStalled() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        Observed o = new Observed(
                T0,
                "r",
                run.getSpec(),
                null,
                new Observed.SpecProblem("spec.training.batchSize", "must be > 0"),
                null,
                Map.of(),
                null);
        DenseCLRunStatus s = aggregator.aggregate(run, o, machine.decide(o)).orElseThrow();
        run.setStatus(s);
        assertThat(s.phase).isEqualTo(Phase.Failed);
        assertThat(condition(run, "Accepted").getStatus()).isEqualTo("False");
        assertThat(condition(run, "Accepted").getMessage()).startsWith("spec.training.batchSize: ");
        assertThat(condition(run, "Stalled").getStatus()).isEqualTo("True");
        assertThat(s.lastFailure.field).isEqualTo("spec.training.batchSize");
    }

    @Test
    void liveProgressIsFolded() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        step(run, T0, null, null);
        Instant t = T0.plusSeconds(40);
        step(run, t, Fixtures.running("r-a1", T0.plusSeconds(10)), Fixtures.progress(1, 10, 40, 1, 8L));
        var p = run.getStatus().progress;
        assertThat(p.percent).isEqualTo(25);
        assertThat(p.epoch).isEqualTo(1);
        assertThat(p.totalEpochs).isEqualTo(2);
        assertThat(p.imagesPerSecond).isEqualTo(80.0);
        assertThat(p.lastAdvanceTime).isEqualTo(t.toString());
        assertThat(run.getStatus().trainingMetrics.lr).isEqualTo(0.01);
        assertThat(run.getStatus().checkpoint.latest.step).isEqualTo(8L);
    }

    @Test
    void totalEpochsAreTheRenderedRunJsonsWithTheRecipeResolved() {
        var spec = Fixtures.spec();
        spec.training.recipe = Recipe.coco;
        spec.training.epochs = null;
        DenseCLRun run = Fixtures.run("r", spec);
        step(run, T0, null, null);
        RunConfig rendered = RunConfigRenderer.config(run, TestSettings.settings(), null);
        Observed o = new Observed(
                T0.plusSeconds(40),
                "r",
                spec,
                run.getStatus(),
                rendered,
                null,
                Fixtures.running("r-a1", T0.plusSeconds(10)),
                Map.of(),
                Fixtures.progress(1, 10, 40, 1, 8L),
                null,
                List.of());
        assertThat(o.epochs()).isEqualTo(800);
        assertThat(aggregator.aggregate(run, o, machine.decide(o)).orElseThrow().progress.totalEpochs)
                .isEqualTo(800);
        spec.training.epochs = 5; // an edit not rendered yet does not count: the rendered run.json is what the pod runs
        assertThat(o.epochs()).isEqualTo(800);
        assertThat(new Observed(T0, "r", spec, null, null, null, Map.of(), null).epochs())
                .as("without a rendered run.json")
                .isEqualTo(5);
    }

    @Test
    void bestEvaluationNamesTaskMetricAndEpoch() {
        var spec = Fixtures.spec();
        spec.evaluations.add(Fixtures.segmentation("seg"));
        DenseCLRunStatus s = new DenseCLRunStatus();
        var e = new io.densecl.operator.api.v1alpha1.EvaluationStatus();
        e.name = "seg";
        e.state = EvaluationState.Succeeded;
        e.checkpointEpoch = 2;
        e.metrics = Map.of("mIoU", 0.41, "pixelAccuracy", 0.8);
        s.evaluations = new java.util.ArrayList<>(List.of(e));
        Observed o = new Observed(T0, "r", spec, s, null, null, Map.of(), null);
        assertThat(StatusAggregator.bestEvaluation(o, s)).isEqualTo("seg mIoU=0.41 (e2)");
    }

    private static Condition condition(DenseCLRun run, String type) {
        return run.getStatus().conditions.stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow();
    }
}
