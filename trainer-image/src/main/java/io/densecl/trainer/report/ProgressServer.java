package io.densecl.trainer.report;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.densecl.contract.ContractJson;
import io.densecl.contract.Progress;
import io.densecl.trainer.train.Liveness;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Serves {@code GET /progress} (JSON), {@code GET /metrics} (Prometheus text) and {@code GET /healthz}
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
    /** No response is larger (the documents are a few hundred bytes; a huge one is a bug, not data). */
    static final int MAX_RESPONSE_BYTES = 64 << 10;
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
    public static ProgressServer start(String host, int port, Supplier<Progress> progress, Health health) throws IOException {
        // read once, when the JDK's server first initialises; an explicit setting wins
        System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", "" + REQUEST_SECONDS));
        System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime", "" + REQUEST_SECONDS));
        HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 64);
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "densecl-progress-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(pool);
        s.createContext("/progress", ex -> reply(ex, 200, "application/json", ContractJson.bytes(progress.get())));
        s.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4",
                prometheus(progress.get()).getBytes(StandardCharsets.UTF_8)));
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

    static String prometheus(Progress p) {
        StringBuilder sb = new StringBuilder();
        gauge(sb, "densecl_epoch", "Epoch in progress (1-based).", p.epoch());
        gauge(sb, "densecl_total_epochs", "Epochs to train.", p.totalEpochs());
        gauge(sb, "densecl_step", "Optimiser steps completed.", p.step());
        gauge(sb, "densecl_total_steps", "Optimiser steps of the whole run.", p.totalSteps());
        gauge(sb, "densecl_loss", "Training loss (last step).", p.loss());
        gauge(sb, "densecl_loss_global", "Global InfoNCE loss, unweighted (last step).", p.lossGlobal());
        gauge(sb, "densecl_loss_dense", "Dense InfoNCE loss, unweighted (last step).", p.lossDense());
        gauge(sb, "densecl_loss_contra_single", "(1-lambda) x global loss, the official log's loss_contra_single (last step).", p.lossContraSingle());
        gauge(sb, "densecl_loss_contra_dense", "lambda x dense loss, the official log's loss_contra_dense (last step).", p.lossContraDense());
        gauge(sb, "densecl_learning_rate", "Current learning rate.", p.lr());
        gauge(sb, "densecl_images_per_second", "Training throughput.", p.imagesPerSecond());
        gauge(sb, "densecl_eta_seconds", "Estimated time to completion.", p.etaSeconds());
        gauge(sb, "densecl_skipped_files", "Unreadable input files skipped.", p.skippedFiles());
        gauge(sb, "densecl_attempt", "Attempt index of this process.", p.attempt());
        if (p.lastCheckpoint() != null) {
            gauge(sb, "densecl_checkpoint_step", "Global step of the newest checkpoint.", p.lastCheckpoint().step());
        }
        return sb.toString();
    }

    private static void gauge(StringBuilder sb, String name, String help, Number value) {
        if (value == null) {
            return;
        }
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        sb.append(name).append(' ').append(String.format(Locale.ROOT, "%s", value)).append('\n');
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
