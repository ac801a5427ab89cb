package io.densecl.bench.fleet;

import java.time.Instant;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The API requests of one bench run, from the mock server's recorded requests or the real server's audit log: when
 * each was received, by which client, its method and resource ("PATCH denseclruns/{name}/status") and the response
 * code (0 where the source does not know it). Counted over time windows, so the burst and the steady state split.
 */
final class RequestLog {
    /** One request. */
    record Request(Instant received, String client, String method, String resource, int code) {
        String kind() {
            return method + " " + resource;
        }
    }

    private final Queue<Request> requests = new ConcurrentLinkedQueue<>();

    void add(Request r) {
        requests.add(r);
    }

    /** Requests of {@code client} received in [from, to), by method and resource. */
    Map<String, Long> byKind(String client, Instant from, Instant to) {
        return count(r -> r.client().equals(client), from, to, Request::kind);
    }

    /** Requests of {@code client} received in [from, to), by response code ("201", "409", "429", ...). */
    Map<String, Long> byCode(String client, Instant from, Instant to) {
        return count(r -> r.client().equals(client) && r.code() != 0, from, to, r -> Integer.toString(r.code()));
    }

    /** Requests received in [from, to) by client. */
    Map<String, Long> byClient(Instant from, Instant to) {
        return count(r -> true, from, to, Request::client);
    }

    long total(String client, Instant from, Instant to) {
        return byKind(client, from, to).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    private Map<String, Long> count(
            Predicate<Request> filter, Instant from, Instant to, Function<Request, String> key) {
        Map<String, Long> out = new TreeMap<>();
        for (Request r : requests) {
            if (filter.test(r) && !r.received().isBefore(from) && r.received().isBefore(to)) {
                out.merge(key.apply(r), 1L, Long::sum);
            }
        }
        return out;
    }

    /** "pods", "pods/{name}", "denseclruns/{name}/status", "... (watch)" from a request path. */
    static String resource(String path) {
        path = path == null ? "" : path;
        boolean watch = path.contains("watch=true");
        int q = path.indexOf('?');
        String[] seg = (q < 0 ? path : path.substring(0, q)).split("/");
        int ns = java.util.Arrays.asList(seg).indexOf("namespaces");
        String resource;
        if (ns >= 0 && seg.length > ns + 2) {
            resource = seg[ns + 2]
                    + (seg.length > ns + 3 ? "/{name}" : "")
                    + (seg.length > ns + 4 ? "/" + seg[ns + 4] : "");
        } else {
            resource = seg.length > 0 ? seg[seg.length - 1] : path;
        }
        return resource + (watch ? " (watch)" : "");
    }
}
