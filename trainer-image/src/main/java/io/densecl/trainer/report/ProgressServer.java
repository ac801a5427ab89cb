package io.densecl.trainer.report;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.densecl.contract.ContractJson;
import io.densecl.contract.Progress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves {@code GET /progress} (JSON) and {@code GET /metrics} (Prometheus text) from a daemon
 * thread. It only reads an immutable snapshot, so a slow or stuck client can never stall training.
 */
public final class ProgressServer implements AutoCloseable {
    private final HttpServer server;

    private ProgressServer(HttpServer server) {
        this.server = server;
    }

    /** Binds {@code host:port} (port 0 picks a free port); returns null when disabled (port < 0). */
    public static ProgressServer start(String host, int port, Supplier<Progress> progress) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 16);
        s.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "densecl-progress");
            t.setDaemon(true);
            return t;
        }));
        s.createContext("/progress", ex -> reply(ex, "application/json", ContractJson.bytes(progress.get())));
        s.createContext("/metrics", ex -> reply(ex, "text/plain; version=0.0.4", prometheus(progress.get()).getBytes(StandardCharsets.UTF_8)));
        s.createContext("/healthz", ex -> reply(ex, "text/plain", "ok".getBytes(StandardCharsets.UTF_8)));
        s.start();
        return new ProgressServer(s);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, String type, byte[] body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(200, body.length);
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
    }
}
