package io.densecl.trainer.report.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * What this process has trained, as Prometheus counters and a histogram (they count from 0 in each process;
 * {@code rate()} and {@code increase()} handle the reset when an attempt restarts). One trainer per process.
 */
public final class StepMetrics {
    /** The process's instance: the training loop counts into it, every registry exposes it. */
    public static final StepMetrics PROCESS = new StepMetrics();

    final Counter steps = Counter.builder()
            .name("densecl_steps_total")
            .help("Optimiser steps completed by this process.")
            .build();
    final Counter images = Counter.builder()
            .name("densecl_images_total")
            .help("Training images (two views each) consumed by this process.")
            .build();
    final Histogram stepSeconds = Histogram.builder()
            .name("densecl_step_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Wall time of an optimiser step, from the end of the previous one (waiting for data included).")
            .classicOnly()
            .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
            .build();

    private StepMetrics() {}

    /** One optimiser step of {@code batchSize} images that took {@code seconds}. */
    public void stepEnded(double seconds, int batchSize) {
        steps.inc();
        images.inc(batchSize);
        stepSeconds.observe(seconds);
    }
}
