package io.densecl.trainer.report.metrics;

import io.densecl.contract.Progress;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The trainer's {@code /metrics}, through the Prometheus Java client: gauges read from the latest progress
 * snapshot at scrape time (the names the Grafana dashboard uses), this process's counters ({@link StepMetrics}),
 * and the client's JVM and process collectors ({@code jvm_*}, {@code process_*}). Text format 0.0.4, or
 * OpenMetrics when the scraper asks for it.
 */
public final class TrainerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();

    /** A registry over {@code progress} (read on every scrape; it must be cheap and never block). */
    public TrainerMetrics(Supplier<Progress> progress) {
        gauge(progress, "densecl_epoch", "Epoch in progress (1-based).", null, Progress::epoch);
        gauge(progress, "densecl_total_epochs", "Epochs to train.", null, Progress::totalEpochs);
        gauge(
                progress,
                "densecl_step",
                "Global optimiser steps completed (the run's, across attempts).",
                null,
                Progress::step);
        gauge(progress, "densecl_total_steps", "Optimiser steps of the whole run.", null, Progress::totalSteps);
        gauge(progress, "densecl_loss", "Training loss (last step).", null, Progress::loss);
        gauge(
                progress,
                "densecl_loss_global",
                "Global InfoNCE loss, unweighted (last step).",
                null,
                Progress::lossGlobal);
        gauge(progress, "densecl_loss_dense", "Dense InfoNCE loss, unweighted (last step).", null, Progress::lossDense);
        gauge(
                progress,
                "densecl_loss_contra_single",
                "(1-lambda) x global loss, the official log's loss_contra_single (last step).",
                null,
                Progress::lossContraSingle);
        gauge(
                progress,
                "densecl_loss_contra_dense",
                "lambda x dense loss, the official log's loss_contra_dense (last step).",
                null,
                Progress::lossContraDense);
        gauge(progress, "densecl_learning_rate", "Current learning rate.", null, Progress::lr);
        gauge(
                progress,
                "densecl_images_per_second",
                "Training throughput (moving average).",
                null,
                Progress::imagesPerSecond);
        gauge(progress, "densecl_eta_seconds", "Estimated time to completion.", Unit.SECONDS, Progress::etaSeconds);
        gauge(progress, "densecl_attempt", "Attempt index of this process.", null, Progress::attempt);
        gauge(
                progress,
                "densecl_checkpoint_step",
                "Global step of the newest checkpoint.",
                null,
                p -> p.lastCheckpoint() == null ? null : p.lastCheckpoint().step());
        gauge(
                progress,
                "densecl_checkpoint_timestamp_seconds",
                "When the newest checkpoint was committed (Unix time).",
                Unit.SECONDS,
                p -> p.lastCheckpoint() == null
                        ? null
                        : epochSeconds(p.lastCheckpoint().time()));
        CounterWithCallback.builder()
                .name("densecl_skipped_files_total")
                .help("Unreadable input files skipped by this process.")
                .callback(cb -> {
                    Integer n = progress.get().skippedFiles();
                    if (n != null) cb.call(n);
                })
                .register(registry);
        registry.register(StepMetrics.PROCESS.steps);
        registry.register(StepMetrics.PROCESS.images);
        registry.register(StepMetrics.PROCESS.stepSeconds);
        JvmMetrics.builder().register(registry);
    }

    private void gauge(
            Supplier<Progress> progress, String name, String help, Unit unit, Function<Progress, Number> value) {
        GaugeWithCallback.Builder b = GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .callback(cb -> {
                    Number v = value.apply(progress.get());
                    if (v != null) cb.call(v.doubleValue());
                });
        if (unit != null) b.unit(unit);
        b.register(registry);
    }

    private static Double epochSeconds(String isoTime) {
        try {
            return isoTime == null ? null : Instant.parse(isoTime).toEpochMilli() / 1000.0;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A rendered scrape: the body and its content type. */
    public record Scrape(byte[] body, String contentType) {}

    /** Renders every metric in the format the {@code Accept} header asks for (null: Prometheus text 0.0.4). */
    public Scrape scrape(String accept) throws IOException {
        ExpositionFormatWriter w = formats.findWriter(accept);
        if (!w.isAvailable()) w = formats.getPrometheusTextFormatWriter(); // protobuf needs a library we do not ship
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
        w.write(out, registry.scrape());
        return new Scrape(out.toByteArray(), w.getContentType());
    }
}
