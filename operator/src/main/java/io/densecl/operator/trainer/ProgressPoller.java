package io.densecl.operator.trainer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Throttles progress polls to one per run per interval and bounds how many run at once, so a
 * reconcile storm cannot turn into an HTTP storm against trainer pods.
 */
public final class ProgressPoller {

    private final ProgressClient client;
    private final Clock clock;
    private final Duration interval;
    private final int port;
    private final Semaphore permits;
    private final Map<String, Instant> lastPoll = new ConcurrentHashMap<>();

    public ProgressPoller(ProgressClient client, Clock clock, Duration interval, int maxConcurrent, int port) {
        this.client = client;
        this.clock = clock;
        this.interval = interval;
        this.port = port;
        this.permits = new Semaphore(Math.max(1, maxConcurrent));
    }

    /** Polls the pod unless this run was polled within the interval or too many polls are in flight. */
    public Optional<TrainerProgress> poll(String runKey, String podIp) {
        if (podIp == null || podIp.isBlank()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant previous = lastPoll.get(runKey);
        if (previous != null && now.isBefore(previous.plus(interval))) {
            return Optional.empty();
        }
        if (!permits.tryAcquire()) {
            return Optional.empty(); // try again on the next reconcile rather than queue up
        }
        try {
            lastPoll.put(runKey, now);
            return client.fetch(podIp, port);
        } finally {
            permits.release();
        }
    }

    /** Forgets a deleted run. */
    public void forget(String runKey) {
        lastPoll.remove(runKey);
    }

    public Duration interval() {
        return interval;
    }
}
