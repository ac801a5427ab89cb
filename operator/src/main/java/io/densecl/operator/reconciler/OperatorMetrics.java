package io.densecl.operator.reconciler;

import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.state.AttemptOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Operator metrics, exposed by quarkus-micrometer-registry-prometheus at /q/metrics under the names the
 * Helm chart's dashboard uses: {@code densecl_operator_runs{phase}} (gauge),
 * {@code densecl_operator_restarts_total{kind,reason}} (counter), {@code densecl_operator_reconcile_seconds}
 * (timer) and {@code densecl_operator_checkpoint_timestamp_seconds{namespace,run}} (gauge, Unix seconds of the
 * newest checkpoint). Per-run entries are removed by {@link #forget} when the run is deleted.
 */
public class OperatorMetrics {

    public static final String RUNS = "densecl.operator.runs";
    public static final String RESTARTS = "densecl.operator.restarts";
    public static final String RECONCILE = "densecl.operator.reconcile";
    public static final String CHECKPOINT_TIMESTAMP = "densecl.operator.checkpoint.timestamp";

    private final MeterRegistry registry;
    private final Map<String, Phase> phases = new ConcurrentHashMap<>();
    /** Run key -> Unix seconds of its newest checkpoint; the gauges read from here. */
    private final Map<String, Double> checkpointTimes = new ConcurrentHashMap<>();

    private final Map<String, Gauge> checkpointGauges = new ConcurrentHashMap<>();
    private final Timer reconcile;

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Phase phase : Phase.values()) {
            Gauge.builder(
                            RUNS,
                            phases,
                            m -> m.values().stream().filter(phase::equals).count())
                    .description("DenseCLRuns by phase")
                    .tag("phase", phase.name())
                    .register(registry);
        }
        this.reconcile =
                Timer.builder(RECONCILE).description("Reconcile latency").register(registry);
    }

    public void phase(String namespace, String name, Phase phase) {
        phases.put(key(namespace, name), phase);
    }

    /** Records the time of the run's newest checkpoint (ISO-8601 from status.checkpoint.latest.time); null or unparsable: no change. */
    public void checkpoint(String namespace, String name, String time) {
        Instant at;
        try {
            at = time == null ? null : Instant.parse(time);
        } catch (RuntimeException e) {
            at = null;
        }
        if (at == null) {
            return;
        }
        String key = key(namespace, name);
        checkpointTimes.put(key, at.getEpochSecond() + at.getNano() / 1e9);
        checkpointGauges.computeIfAbsent(
                key,
                k -> Gauge.builder(CHECKPOINT_TIMESTAMP, checkpointTimes, m -> m.getOrDefault(k, Double.NaN))
                        .description("Time of the run's newest valid checkpoint")
                        .baseUnit("seconds")
                        .tag("namespace", namespace)
                        .tag("run", name)
                        .register(registry));
    }

    /** Drops everything kept for a deleted run: its phase and its checkpoint gauge. */
    public void forget(String namespace, String name) {
        String key = key(namespace, name);
        phases.remove(key);
        checkpointTimes.remove(key);
        Gauge gauge = checkpointGauges.remove(key);
        if (gauge != null) {
            registry.remove(gauge);
        }
    }

    public void attemptEnded(AttemptOutcome outcome) {
        if (outcome.kind() == AttemptOutcome.Kind.SUCCESS) {
            return;
        }
        Counter.builder(RESTARTS)
                .description("Ended trainer attempts by kind and reason")
                .tag("kind", outcome.kindLabel())
                .tag("reason", outcome.reason())
                .register(registry)
                .increment();
    }

    public Timer reconcileTimer() {
        return reconcile;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
