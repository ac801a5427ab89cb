package io.densecl.operator.reconciler;

import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.state.AttemptOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Operator metrics: runs by phase (gauge), restarts by kind and reason (counter), reconcile latency
 * (timer). Exposed by quarkus-micrometer-registry-prometheus at /q/metrics.
 */
public class OperatorMetrics {

    private final MeterRegistry registry;
    private final Map<String, Phase> phases = new ConcurrentHashMap<>();
    private final Timer reconcile;

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Phase phase : Phase.values()) {
            Gauge.builder("densecl.runs", phases, m -> m.values().stream().filter(phase::equals).count())
                    .description("DenseCLRuns by phase").tag("phase", phase.name()).register(registry);
        }
        this.reconcile = Timer.builder("densecl.reconcile").description("Reconcile latency").register(registry);
    }

    public void phase(String runKey, Phase phase) {
        phases.put(runKey, phase);
    }

    public void forget(String runKey) {
        phases.remove(runKey);
    }

    public void attemptEnded(AttemptOutcome outcome) {
        if (outcome.kind() == AttemptOutcome.Kind.SUCCESS) {
            return;
        }
        Counter.builder("densecl.restarts").description("Ended trainer attempts by kind and reason")
                .tag("kind", outcome.kindLabel()).tag("reason", outcome.reason()).register(registry).increment();
    }

    public Timer reconcileTimer() {
        return reconcile;
    }
}
