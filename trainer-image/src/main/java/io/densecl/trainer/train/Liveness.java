package io.densecl.trainer.train;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether training is still moving, for {@code GET /healthz} (a liveness probe restarts a hung
 * trainer). Stale means: training has stepped at least once, no step has completed for longer than
 * the threshold, and no checkpoint write is in progress. Starting, resuming, the first step and
 * checkpoint writes may take as long as they take; the clock restarts when a write ends.
 */
public final class Liveness {
    private volatile long lastActivityNanos;
    private volatile boolean stepped;
    private final AtomicInteger writing = new AtomicInteger();

    /** The verdict: healthy, or stale with the reason. */
    public record Verdict(boolean healthy, String reason) {}

    /** A training step has completed. */
    public void stepped() {
        lastActivityNanos = System.nanoTime();
        stepped = true;
    }

    /** A checkpoint write starts (training waits for it legitimately). */
    public void writeStarted() {
        writing.incrementAndGet();
    }

    /** A checkpoint write has ended, successfully or not. */
    public void writeEnded() {
        lastActivityNanos = System.nanoTime();
        writing.decrementAndGet();
    }

    /** Stale once {@code staleSeconds} (> 0) pass without a step after the first one; 0 disables. */
    public Verdict check(long nowNanos, long staleSeconds) {
        if (staleSeconds <= 0 || !stepped || writing.get() > 0) {
            return new Verdict(true, "ok");
        }
        long idle = (nowNanos - lastActivityNanos) / 1_000_000_000L;
        return idle > staleSeconds
                ? new Verdict(false, "no training step for " + idle + " s (healthzStaleSeconds " + staleSeconds + ")")
                : new Verdict(true, "ok");
    }
}
