package io.densecl.operator.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.Fixtures;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Throttle per run, bounded concurrency, and a soon-but-spread retry when every poll slot is busy. */
class ProgressPollerTest {

    final Clock clock = Clock.fixed(Fixtures.T0, ZoneOffset.UTC);

    @Test
    void pollsOncePerIntervalPerRun() {
        ProgressPoller poller = new ProgressPoller(
                (ip, port) -> Optional.of(Fixtures.progress(1, 5, 40, null, null)),
                clock,
                Duration.ofSeconds(30),
                4,
                8080);
        assertThat(poller.pollOrDefer("ns/a", "10.0.0.1").progress()).isNotNull();
        ProgressPoller.Poll again = poller.pollOrDefer("ns/a", "10.0.0.1");
        assertThat(again.progress()).isNull();
        assertThat(again.retryAfter())
                .as("throttled, not deferred: the normal interval applies")
                .isNull();
        assertThat(poller.pollOrDefer("ns/b", "10.0.0.2").progress()).isNotNull();
    }

    @Test
    void aDuePollWithEverySlotBusyIsDeferredByATenthToAFifthOfTheInterval() {
        AtomicReference<ProgressPoller.Poll> whileBusy = new AtomicReference<>();
        AtomicReference<ProgressPoller> self = new AtomicReference<>();
        // The only slot is held while run a's poll is in flight; run b's poll comes in meanwhile.
        ProgressPoller poller = new ProgressPoller(
                (ip, port) -> {
                    if (ip.equals("10.0.0.1")) {
                        whileBusy.set(self.get().pollOrDefer("ns/b", "10.0.0.2"));
                    }
                    return Optional.of(Fixtures.progress(1, 5, 40, null, null));
                },
                clock,
                Duration.ofSeconds(30),
                1,
                8080);
        self.set(poller);
        poller.pollOrDefer("ns/a", "10.0.0.1");
        assertThat(whileBusy.get().progress()).isNull();
        assertThat(whileBusy.get().retryAfter()).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(6));
        assertThat(poller.pollOrDefer("ns/b", "10.0.0.2").progress())
                .as("b was not marked as polled")
                .isNotNull();
    }
}
