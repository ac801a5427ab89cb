package io.densecl.trainer.report;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.densecl.contract.ContractJson;
import io.densecl.contract.Progress;
import io.densecl.trainer.report.metrics.TrainerMetrics;
import io.densecl.trainer.train.Liveness;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Serves {@code GET /progress} (JSON), {@code GET /metrics} ({@link TrainerMetrics}: Prometheus text or
 * OpenMetrics) and {@code GET /healthz}
 * from daemon threads. It only reads immutable snapshots, so no client can stall training; and a slow
 * client cannot stall the others: {@link #THREADS} handler threads, and a connection whose request (or
 * response) takes longer than {@link #REQUEST_SECONDS} is closed by the server, so one that sends a
 * byte and waits holds one thread for seconds, not forever (it takes {@link #THREADS} such clients at
 * once to delay the others, by at most that long). Responses are bounded in size.
 *
 * <p>{@code /healthz} answers 200 {@code ok}, or 503 with the reason once {@link Liveness} finds the
 * training stale (no step for longer than {@code healthzStaleSeconds}, not counting start-up, resume
 * and checkpoint writes): a liveness probe on it restarts a hung trainer.
 */
public final class ProgressServer implements AutoCloseable {
    /** Seconds a request may take to arrive, and a response to be taken, before the connection is closed. */
    static final int REQUEST_SECONDS = 5;
    /** Handler threads: the operator's poll, Prometheus and the kubelet's probe never wait for each other. */
    static final int THREADS = 8;
    /** No response is larger (progress is a few hundred bytes, /metrics with the JVM's some 20 KiB; a huge one is a bug, not data). */
    static final int MAX_RESPONSE_BYTES = 256 << 10;

    private final HttpServer server;
    private final ExecutorService pool;

    private ProgressServer(HttpServer server, ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    /** The verdict {@code /healthz} reports. */
    public interface Health extends Supplier<Liveness.Verdict> {
        Health ALWAYS = () -> new Liveness.Verdict(true, "ok");
    }

    /**
     * The address to bind: {@code DENSECL_PROGRESS_HOST}, else the pod IP ({@code POD_IP}, from the
     * downward API), else every interface.
     */
    public static String host(Map<String, String> env) {
        for (String key : new String[] {"DENSECL_PROGRESS_HOST", "POD_IP"}) {
            String v = env.get(key);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return "0.0.0.0";
    }

    /** Binds {@code host:port} (port 0 picks a free port); {@code /healthz} always answers ok. */
    public static ProgressServer start(String host, int port, Supplier<Progress> progress) throws IOException {
        return start(host, port, progress, Health.ALWAYS);
    }

    /** Binds {@code host:port} (port 0 picks a free port). */
    public static ProgressServer start(String host, int port, Supplier<Progress> progress, Health health)
            throws IOException {
        // read once, when the JDK's server first initialises; an explicit setting wins
        System.setProperty(
                "sun.net.httpserver.maxReqTime",
                System.getProperty("sun.net.httpserver.maxReqTime", "" + REQUEST_SECONDS));
        System.setProperty(
                "sun.net.httpserver.maxRspTime",
                System.getProperty("sun.net.httpserver.maxRspTime", "" + REQUEST_SECONDS));
        HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 64);
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "densecl-progress-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(pool);
        s.createContext("/progress", ex -> reply(ex, 200, "application/json", ContractJson.bytes(progress.get())));
        TrainerMetrics metrics = new TrainerMetrics(progress);
        s.createContext("/metrics", ex -> {
            TrainerMetrics.Scrape scrape = metrics.scrape(ex.getRequestHeaders().getFirst("Accept"));
            reply(ex, 200, scrape.contentType(), scrape.body());
        });
        s.createContext("/healthz", ex -> {
            Liveness.Verdict v = health.get();
            reply(ex, v.healthy() ? 200 : 503, "text/plain", v.reason().getBytes(StandardCharsets.UTF_8));
        });
        s.start();
        return new ProgressServer(s, pool);
    }

    /** As {@link #start}, but a port that cannot be bound is a warning: progress is a convenience, it must not stop a run. */
    public static ProgressServer startOrWarn(String host, int port, Supplier<Progress> progress, Health health) {
        try {
            ProgressServer s = start(host, port, progress, health);
            System.err.printf("INFO progress on http://%s:%d/progress%n", host, s.port());
            return s;
        } catch (IOException | RuntimeException e) { // also an unresolvable host
            System.err.printf("WARN progress endpoint %s:%d unavailable: %s%n", host, port, e.getMessage());
            return null;
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (body.length > MAX_RESPONSE_BYTES) {
                ex.sendResponseHeaders(500, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
