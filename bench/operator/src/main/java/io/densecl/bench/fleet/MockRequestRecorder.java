package io.densecl.bench.fleet;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Instant;

/**
 * Records the mock API server's requests into a {@link RequestLog} by client (the bench's own User-Agent vs the
 * operator), method and resource. Draining the server's queue of recorded requests (never trimmed by the library)
 * also keeps it from growing.
 */
final class MockRequestRecorder implements AutoCloseable {
    private final Thread drain;

    MockRequestRecorder(KubernetesMockServer mock, String benchAgent, RequestLog log) {
        drain = new Thread(
                () -> {
                    while (true) {
                        RecordedRequest r;
                        try {
                            r = mock.takeRequest();
                        } catch (InterruptedException e) {
                            return;
                        }
                        String client =
                                benchAgent.equals(r.getHeader("User-Agent")) ? FleetApi.BENCH : FleetApi.OPERATOR;
                        log.add(new RequestLog.Request(
                                Instant.now(), client, r.getMethod(), RequestLog.resource(r.getPath()), 0));
                    }
                },
                "bench-request-drain");
        drain.setDaemon(true);
        drain.start();
    }

    @Override
    public void close() {
        drain.interrupt();
    }
}
