package io.densecl.trainer.report;

import io.densecl.trainer.report.metrics.StepMetrics;

/**
 * Images per second (exponential moving average over step wall times, loading included) and ETA; every step
 * also goes to this process's Prometheus counters ({@link StepMetrics}).
 */
public final class ThroughputMeter {
    private static final int WARMUP_STEPS = 3;
    private final int batchSize;
    private long lastEnd = -1;
    private long stepStart;
    private double avgStepSeconds = -1;
    private int steps;

    public ThroughputMeter(int batchSize) {
        this.batchSize = batchSize;
    }

    public void stepStarted() {
        stepStart = System.nanoTime();
    }

    public void stepEnded() {
        long now = System.nanoTime();
        // from the end of the previous step, so time spent waiting for data counts too
        double seconds = ((lastEnd < 0 ? stepStart : lastEnd) - now) / -1e9;
        lastEnd = now;
        StepMetrics.PROCESS.stepEnded(seconds, batchSize);
        // the first steps of a process pay for JIT, allocator and libtorch warm-up: they only seed the average
        avgStepSeconds = ++steps <= WARMUP_STEPS ? seconds : 0.9 * avgStepSeconds + 0.1 * seconds;
    }

    public double imagesPerSecond() {
        return avgStepSeconds <= 0 ? 0 : batchSize / avgStepSeconds;
    }

    public long etaSeconds(long remainingSteps) {
        return avgStepSeconds <= 0 ? 0 : Math.round(remainingSteps * avgStepSeconds);
    }
}
