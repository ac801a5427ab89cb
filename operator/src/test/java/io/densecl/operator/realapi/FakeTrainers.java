package io.densecl.operator.realapi;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code GET /progress} endpoints of fake trainer pods: each pod gets its own loopback address (127.0.0.N,
 * its pod IP) and an HTTP server there on the operator's progress port, answering the document the test set for
 * it. Every 127/8 address is the loopback interface on Linux, so no network is involved.
 */
final class FakeTrainers implements AutoCloseable {

    private static final AtomicInteger NEXT = new AtomicInteger(10);

    private final int port;
    private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "fake-trainer-http");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, HttpServer> servers = new ConcurrentHashMap<>();
    private final Map<String, String> documents = new ConcurrentHashMap<>();

    FakeTrainers(int port) {
        this.port = port;
    }

    int port() {
        return port;
    }

    /** A new pod IP with a /progress endpoint (404 until {@link #progress} sets a document). */
    String newEndpoint() {
        String ip = "127.0.0." + NEXT.getAndIncrement();
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 16);
            server.setExecutor(pool);
            server.createContext("/progress", exchange -> {
                String doc = documents.get(ip);
                byte[] body = (doc == null ? "{}" : doc).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(doc == null ? 404 : 200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            servers.put(ip, server);
            return ip;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve /progress on " + ip + ":" + port, e);
        }
    }

    /** What the trainer at {@code ip} reports from now on (the trainer contract's JSON). */
    void progress(String ip, String json) {
        documents.put(ip, json);
    }

    /** The trainer process ended: its endpoint goes away. */
    void stop(String ip) {
        HttpServer server = servers.remove(ip);
        if (server != null) {
            server.stop(0);
        }
    }

    @Override
    public void close() {
        servers.keySet().forEach(this::stop);
        pool.shutdownNow();
    }

    /** A progress document: epoch/step of totalSteps, optionally with a checkpoint written at epoch ckptEpoch. */
    static String document(
            int epoch,
            int totalEpochs,
            long step,
            long totalSteps,
            String checkpointPath,
            Integer ckptEpoch,
            Long ckptStep) {
        String checkpoint = checkpointPath == null
                ? ""
                : ",\"lastCheckpoint\":{\"path\":\"" + checkpointPath + "\",\"epoch\":" + ckptEpoch + ",\"step\":"
                        + ckptStep + ",\"time\":\"2026-12-01T00:00:00Z\"}";
        return "{\"phase\":\"Training\",\"attempt\":1,\"epoch\":" + epoch + ",\"totalEpochs\":" + totalEpochs
                + ",\"step\":" + step + ",\"totalSteps\":" + totalSteps + ",\"stepsPerEpoch\":"
                + (totalSteps / totalEpochs)
                + ",\"loss\":4.5,\"lossGlobal\":4.0,\"lossDense\":5.0,\"lr\":0.03,\"imagesPerSecond\":80.0,\"etaSeconds\":60"
                + checkpoint + "}";
    }
}
