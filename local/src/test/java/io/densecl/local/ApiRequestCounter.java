package io.densecl.local;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the mock API server's requests by client (the bench's own User-Agent vs the operator), method and resource.
 * Draining the server's queue of recorded requests (never trimmed by the library) also keeps it from growing.
 */
final class ApiRequestCounter implements AutoCloseable {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Thread drain;

    ApiRequestCounter(KubernetesMockServer mock, String benchAgent) {
        drain = new Thread(() -> {
            while (true) {
                RecordedRequest r;
                try {
                    r = mock.takeRequest();
                } catch (InterruptedException e) {
                    return;
                }
                String agent = benchAgent.equals(r.getHeader("User-Agent")) ? "bench" : "operator";
                counts.computeIfAbsent(agent + " " + r.getMethod() + " " + resource(r.getPath()), k -> new LongAdder())
                        .increment();
            }
        }, "bench-request-drain");
        drain.setDaemon(true);
        drain.start();
    }

    void reset() {
        counts.clear();
    }

    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    long total(String agent) {
        return snapshot().entrySet().stream().filter(e -> e.getKey().startsWith(agent + " "))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** "pods", "pods/{name}", "denseclruns/{name}/status", "... (watch)". */
    static String resource(String path) {
        path = path == null ? "" : path;
        boolean watch = path.contains("watch=true");
        int q = path.indexOf('?');
        String[] seg = (q < 0 ? path : path.substring(0, q)).split("/");
        int ns = Arrays.asList(seg).indexOf("namespaces");
        String resource;
        if (ns >= 0 && seg.length > ns + 2) {
            resource = seg[ns + 2] + (seg.length > ns + 3 ? "/{name}" : "") + (seg.length > ns + 4 ? "/" + seg[ns + 4] : "");
        } else {
            resource = seg.length > 0 ? seg[seg.length - 1] : path;
        }
        return resource + (watch ? " (watch)" : "");
    }

    @Override
    public void close() {
        drain.interrupt();
    }
}
