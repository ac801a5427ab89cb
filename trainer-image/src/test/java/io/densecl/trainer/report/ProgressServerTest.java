package io.densecl.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.contract.Progress;
import io.densecl.trainer.train.Liveness;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 18: the endpoints answer while clients stall, are bounded, and {@code /healthz} reports a hung trainer. */
class ProgressServerTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static HttpResponse<String> get(ProgressServer s, String path) throws Exception {
        return get(s, path, 2);
    }

    private static HttpResponse<String> get(ProgressServer s, String path, int timeoutSeconds) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                        .timeout(Duration.ofSeconds(timeoutSeconds))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Before: one handler thread, no request timeout: a client that sent "G" blocked all three endpoints for as long as it liked. */
    @Test
    void clientsThatSendOneByteAndStallBlockNobody() throws Exception {
        try (ProgressServer s = ProgressServer.start("127.0.0.1", 0, () -> Progress.starting(3))) {
            List<Socket> stalled = stall(s, ProgressServer.THREADS - 1);
            for (int round = 0; round < 3; round++) { // at once, within the operator's 2 s poll timeout
                assertThat(get(s, "/progress", 2).body()).contains("\"attempt\":3");
                assertThat(get(s, "/metrics", 2).body()).contains("densecl_attempt 3");
                assertThat(get(s, "/healthz", 2).statusCode()).isEqualTo(200);
            }
            // a stalled connection is closed by the server after its request time
            Socket first = stalled.get(0);
            first.setSoTimeout((ProgressServer.REQUEST_SECONDS + 5) * 1000);
            assertThat(first.getInputStream().read())
                    .as("server closed the stalled connection")
                    .isEqualTo(-1);
            for (Socket c : stalled) c.close();
        }
    }

    /** More stalled clients than threads delay the others by the request time at most, never indefinitely. */
    @Test
    void evenMoreStalledClientsThanThreadsDelayOthersOnlyUntilTheyAreCutOff() throws Exception {
        try (ProgressServer s = ProgressServer.start("127.0.0.1", 0, () -> Progress.starting(4))) {
            List<Socket> stalled = stall(s, ProgressServer.THREADS + 2);
            long t0 = System.nanoTime();
            assertThat(get(s, "/progress", ProgressServer.REQUEST_SECONDS + 3).body())
                    .contains("\"attempt\":4");
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(ProgressServer.REQUEST_SECONDS + 3);
            for (Socket c : stalled) c.close();
        }
    }

    private static List<Socket> stall(ProgressServer s, int n) throws Exception {
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket c = new Socket(InetAddress.getLoopbackAddress(), s.port());
            OutputStream out = c.getOutputStream();
            out.write('G');
            out.flush();
            stalled.add(c);
        }
        Thread.sleep(300); // each is now being read by a handler thread
        return stalled;
    }

    @Test
    void healthzFailsOnlyWhenTrainingIsStale() throws Exception {
        Liveness live = new Liveness();
        long[] staleSeconds = {1};
        try (ProgressServer s = ProgressServer.start(
                "127.0.0.1", 0, () -> Progress.starting(0), () -> live.check(System.nanoTime(), staleSeconds[0]))) {
            assertThat(get(s, "/healthz").statusCode())
                    .as("starting: no step yet")
                    .isEqualTo(200);
            live.stepped();
            assertThat(get(s, "/healthz").statusCode()).isEqualTo(200);
            Thread.sleep(2100);
            HttpResponse<String> stale = get(s, "/healthz");
            assertThat(stale.statusCode()).isEqualTo(503);
            assertThat(stale.body()).contains("no training step for 2 s").contains("healthzStaleSeconds 1");
            live.writeStarted();
            assertThat(get(s, "/healthz").statusCode())
                    .as("while a checkpoint is written")
                    .isEqualTo(200);
            live.writeEnded();
            assertThat(get(s, "/healthz").statusCode())
                    .as("the clock restarts after a write")
                    .isEqualTo(200);
            staleSeconds[0] = 0;
            Thread.sleep(2100);
            assertThat(get(s, "/healthz").statusCode())
                    .as("0 disables the check")
                    .isEqualTo(200);
        }
    }

    @Test
    void livenessRules() {
        Liveness l = new Liveness();
        long now = System.nanoTime();
        assertThat(l.check(now + 10_000_000_000_000L, 60).healthy())
                .as("never stepped")
                .isTrue();
        l.stepped();
        assertThat(l.check(System.nanoTime() + 59_000_000_000L, 60).healthy()).isTrue();
        assertThat(l.check(System.nanoTime() + 62_000_000_000L, 60).healthy()).isFalse();
        l.writeStarted();
        l.writeStarted();
        l.writeEnded();
        assertThat(l.check(System.nanoTime() + 62_000_000_000L, 60).healthy())
                .as("one write still running")
                .isTrue();
        l.writeEnded();
        assertThat(l.check(System.nanoTime() + 62_000_000_000L, 60).healthy()).isFalse();
    }

    @Test
    void responsesAreBounded() throws Exception {
        Progress huge = new Progress(
                Progress.Phase.Training,
                null,
                0,
                1,
                1,
                1L,
                1L,
                1,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                new Progress.LastCheckpoint("/c/" + "x".repeat(ProgressServer.MAX_RESPONSE_BYTES), 1, 1L, "t"),
                null,
                0);
        try (ProgressServer s = ProgressServer.start("127.0.0.1", 0, () -> huge)) {
            HttpResponse<String> r = get(s, "/progress");
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.body()).isEmpty();
            assertThat(get(s, "/metrics").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void bindsThePodAddressWhenKnown() {
        assertThat(ProgressServer.host(Map.of("DENSECL_PROGRESS_HOST", "10.1.2.3", "POD_IP", "10.9.9.9")))
                .isEqualTo("10.1.2.3");
        assertThat(ProgressServer.host(Map.of("POD_IP", "10.9.9.9"))).isEqualTo("10.9.9.9");
        assertThat(ProgressServer.host(Map.of("POD_IP", " "))).isEqualTo("0.0.0.0");
    }
}
