package io.densecl.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.state.AttemptOutcome;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The Prometheus names the Helm chart's dashboard and README use, and that a deleted run leaves nothing behind. */
class OperatorMetricsTest {

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final OperatorMetrics metrics = new OperatorMetrics(registry);

    @Test
    void exposesTheDashboardNames() {
        metrics.phase("ml", "a", Phase.Running);
        metrics.phase("ml", "b", Phase.Running);
        metrics.phase("ml", "c", Phase.Succeeded);
        metrics.attemptEnded(AttemptOutcome.disruption("PreemptionByScheduler", 137, null));
        metrics.reconcileTimer().record(() -> {});
        metrics.checkpoint("ml", "a", "2026-11-28T03:00:00Z");

        String text = registry.scrape();
        assertThat(text)
                .contains("densecl_operator_runs{phase=\"Running\",} 2.0")
                .contains("densecl_operator_runs{phase=\"Succeeded\",} 1.0")
                .contains("densecl_operator_runs{phase=\"Failed\",} 0.0")
                .containsPattern(
                        "densecl_operator_restarts_total\\{kind=\"Disruption\",reason=\"PreemptionByScheduler\",} 1\\.0")
                .contains("densecl_operator_reconcile_seconds_count 1.0")
                .contains("densecl_operator_reconcile_seconds_sum")
                .contains("densecl_operator_reconcile_seconds_max")
                .contains("densecl_operator_checkpoint_timestamp_seconds{namespace=\"ml\",run=\"a\",} 1.7958348E9");
    }

    @Test
    void newerCheckpointMovesTheGaugeAndBadTimesAreIgnored() {
        metrics.checkpoint("ml", "a", "2026-11-28T03:00:00Z");
        metrics.checkpoint("ml", "a", "not a time");
        metrics.checkpoint("ml", "a", null);
        assertThat(gauge("a")).isEqualTo(1.7958348E9);
        metrics.checkpoint("ml", "a", "2026-11-28T03:00:01.5Z");
        assertThat(gauge("a")).isEqualTo(1.7958348015E9);
        assertThat(registry.find(OperatorMetrics.CHECKPOINT_TIMESTAMP).gauges()).hasSize(1);
    }

    @Test
    void forgettingADeletedRunRemovesItsGaugeAndPhase() {
        metrics.phase("ml", "a", Phase.Running);
        metrics.checkpoint("ml", "a", "2026-11-28T03:00:00Z");
        metrics.checkpoint("ml", "b", "2026-11-28T03:00:00Z");
        metrics.forget("ml", "a");

        assertThat(registry.find(OperatorMetrics.CHECKPOINT_TIMESTAMP)
                        .tag("run", "a")
                        .gauge())
                .isNull();
        assertThat(registry.find(OperatorMetrics.CHECKPOINT_TIMESTAMP)
                        .tag("run", "b")
                        .gauge())
                .isNotNull();
        assertThat(registry.find(OperatorMetrics.RUNS)
                        .tag("phase", "Running")
                        .gauge()
                        .value())
                .isZero();
        assertThat(registry.scrape()).doesNotContain("run=\"a\"");
        // A run re-created under the same name gets a fresh gauge.
        metrics.checkpoint("ml", "a", "2026-11-28T03:00:00Z");
        assertThat(gauge("a")).isEqualTo(1.7958348E9);
    }

    private double gauge(String run) {
        return registry.find(OperatorMetrics.CHECKPOINT_TIMESTAMP)
                .tag("run", run)
                .gauge()
                .value();
    }
}
