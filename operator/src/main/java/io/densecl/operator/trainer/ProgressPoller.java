package io.densecl.operator.trainer;

import io.densecl.contract.Progress;
import io.densecl.operator.resources.OperatorSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

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

    /** The poller the operator's settings describe. */
    public static ProgressPoller of(ProgressClient client, Clock clock, OperatorSettings settings) {
        return new ProgressPoller(
                client, clock, settings.progressInterval(), settings.progressMaxConcurrent(), settings.progressPort());
    }

    public ProgressPoller(ProgressClient client, Clock clock, Duration interval, int maxConcurrent, int port) {
        this.client = client;
        this.clock = clock;
        this.interval = interval;
        this.port = port;
        this.permits = new Semaphore(Math.max(1, maxConcurrent));
    }

    /**
     * One poll's outcome: the fresh progress (null when not polled or unreachable), when the poll was due but
     * every slot was busy how soon to try again (null otherwise), and whether a poll was made and got no answer.
     */
    public record Poll(Progress progress, Duration retryAfter, boolean unanswered) {

        /** A poll that was not made, or was deferred. */
        public Poll(Progress progress, Duration retryAfter) {
            this(progress, retryAfter, false);
        }
    }

    /**
     * Polls the pod unless this run was polled within the interval or too many polls are in flight; in the latter
     * case says when to try again.
     */
    public Poll pollOrDefer(String runKey, String podIp) {
        if (podIp == null || podIp.isBlank()) {
            return new Poll(null, null);
        }
        Instant now = clock.instant();
        Instant previous = lastPoll.get(runKey);
        if (previous != null && now.isBefore(previous.plus(interval))) {
            return new Poll(null, null);
        }
        if (!permits.tryAcquire()) {
            return new Poll(null, retryDelay()); // never queue up a reconciler thread: retry soon instead
        }
        try {
            lastPoll.put(runKey, now);
            Progress answer = client.fetch(podIp, port).orElse(null);
            return new Poll(answer, null, answer == null);
        } finally {
            permits.release();
        }
    }

    /**
     * A tenth to a fifth of the interval (3-6 s at 30 s), random so that a burst of deferred runs does not come back
     * as the same burst; long enough that with every trainer hung the retries stay a few hundred cheap reconciles per
     * second at 1,000 runs.
     */
    private Duration retryDelay() {
        long tenth = Math.max(1, interval.toMillis() / 10);
        return Duration.ofMillis(tenth + ThreadLocalRandom.current().nextLong(tenth + 1));
    }

    /** Forgets a deleted run. */
    public void forget(String runKey) {
        lastPoll.remove(runKey);
    }
}
