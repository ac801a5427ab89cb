package io.densecl.operator.reconciler;

import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.resources.OperatorSettings;
import io.densecl.operator.resources.PodFactory;
import io.densecl.operator.resources.TrainerPolicySettings;
import io.densecl.operator.state.Decision;
import io.densecl.operator.state.Observed;
import io.densecl.operator.state.RunStateMachine;
import io.densecl.operator.trainer.ProgressPoller;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * One reconcile of one run: observe -> decide -> act -> aggregate status. Independent of JOSDK so the
 * reconcile loop can be driven directly in tests against the mock API server.
 */
public class RunController {

    /** The new status (null when unchanged, so nothing is written) and when to look again (null: on events only). */
    public record Result(DenseCLRunStatus status, Duration requeueAfter) {}

    private final RunObserver observer;
    private final RunStateMachine stateMachine;
    private final Actuator actuator;
    private final StatusAggregator aggregator;
    private final EventRecorder events;
    private final OperatorMetrics metrics;

    /** A controller of its parts: the one assembly of the operator's classes (CDI wiring and the test loop harness). */
    public static RunController create(
            KubernetesClient client,
            OperatorSettings settings,
            ProgressPoller poller,
            Clock clock,
            MeterRegistry registry) {
        return create(client, settings, TrainerPolicySettings.DISABLED, poller, clock, registry);
    }

    /** As {@link #create(KubernetesClient, OperatorSettings, ProgressPoller, Clock, MeterRegistry)}, with trainer NetworkPolicies. */
    public static RunController create(
            KubernetesClient client,
            OperatorSettings settings,
            TrainerPolicySettings trainerPolicy,
            ProgressPoller poller,
            Clock clock,
            MeterRegistry registry) {
        ClusterLookup lookup = new ClusterLookup(client);
        RunObserver observer = new RunObserver(poller, lookup, new ResumeSources(lookup), settings, clock);
        return new RunController(
                observer,
                new RunStateMachine(settings.progressInterval()),
                new Actuator(client, new PodFactory(settings), trainerPolicy),
                new StatusAggregator(),
                new EventRecorder(client),
                new OperatorMetrics(registry));
    }

    public RunController(
            RunObserver observer,
            RunStateMachine stateMachine,
            Actuator actuator,
            StatusAggregator aggregator,
            EventRecorder events,
            OperatorMetrics metrics) {
        this.observer = observer;
        this.stateMachine = stateMachine;
        this.actuator = actuator;
        this.aggregator = aggregator;
        this.events = events;
        this.metrics = metrics;
    }

    public Result reconcile(DenseCLRun run, Collection<Pod> pods) {
        return metrics.reconcileTimer().record(() -> reconcileTimed(run, pods));
    }

    private Result reconcileTimed(DenseCLRun run, Collection<Pod> pods) {
        Observed observed = observer.observe(run, pods);
        Decision decision = stateMachine.decide(observed);
        Optional<Actuator.Failure> refused = actuator.perform(run, decision);
        if (refused.isPresent()) {
            // Nothing the decision meant to record happened: keep the last status (a next attempt that was never
            // created must not be recorded, or it would later count as lost), say why, and retry with back-off.
            events.actionFailed(run, refused.get(), observed.now());
            return new Result(
                    aggregator.actionFailed(run, refused.get(), observed.now()).orElse(null), actuator.retryAfter(run));
        }
        Optional<DenseCLRunStatus> next = aggregator.aggregate(run, observed, decision);
        Phase before = run.getStatus() == null ? null : run.getStatus().phase;
        if (before != decision.phase()) {
            events.phaseChanged(run, before, decision.phase(), decision.reason(), decision.message(), observed.now());
        }
        if (decision.outcome() != null) {
            metrics.attemptEnded(decision.outcome());
        }
        String ns = run.getMetadata().getNamespace();
        String name = run.getMetadata().getName();
        metrics.phase(ns, name, decision.phase());
        DenseCLRunStatus current = next.orElse(run.getStatus());
        if (current != null && current.checkpoint != null && current.checkpoint.latest != null) {
            metrics.checkpoint(ns, name, current.checkpoint.latest.time);
        }
        return new Result(next.orElse(null), decision.requeueAfter());
    }

    /** Removes the finalizer earlier operator versions put on runs; a no-op for runs without it. */
    public void dropLegacyFinalizer(DenseCLRun run) {
        actuator.dropLegacyFinalizer(run);
    }

    /** Forgets a deleted run: its metrics (phase, checkpoint gauge), progress throttle and ensured children. */
    public void forget(DenseCLRun run) {
        metrics.forget(run.getMetadata().getNamespace(), run.getMetadata().getName());
        observer.forget(run);
        actuator.forget(run.getMetadata().getUid());
    }
}
