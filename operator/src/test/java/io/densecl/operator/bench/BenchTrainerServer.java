package io.densecl.operator.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * Stands in for every trainer's {@code GET /progress} endpoint in the fleet benchmark: all fake pods get the pod IP
 * 127.0.0.1 and the operator's {@code densecl.progress.port} points here, so the real {@code HttpProgressClient}
 * (connect, request, timeout, JSON) is exercised. {@code -Ddensecl.bench.progress-delay-ms} (default 20) delays each
 * answer: set it above {@code densecl.progress.timeout} to measure polling of hung trainers. The step advances with
 * wall time, so every successful poll changes the run's status (one status patch per run per poll interval).
 */
final class BenchTrainerServer {

    static final long DELAY_MS = Long.getLong("densecl.bench.progress-delay-ms", 20);
    static final LongAdder REQUESTS = new LongAdder();
    private static HttpServer server;
    private static final long STARTED = System.nanoTime();

    private BenchTrainerServer() {
    }

    static synchronized int port() {
        if (server == null) {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.setExecutor(Executors.newFixedThreadPool(8, r -> {
                Thread t = new Thread(r, "bench-trainer-http");
                t.setDaemon(true);
                return t;
            }));
            server.createContext("/progress", exchange -> {
                REQUESTS.increment();
                try {
                    if (DELAY_MS > 0) {
                        Thread.sleep(DELAY_MS);
                    }
                    long step = (System.nanoTime() - STARTED) / 1_000_000_000L;
                    byte[] body = ("{\"phase\":\"Training\",\"attempt\":1,\"epoch\":0,\"totalEpochs\":2,\"step\":" + step
                            + ",\"totalSteps\":100000,\"stepsPerEpoch\":50000,\"loss\":5.0,\"lossGlobal\":4.0,"
                            + "\"lossDense\":6.0,\"lr\":0.01,\"imagesPerSecond\":80.0,\"etaSeconds\":3600}")
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    // the operator gave up (timeout): nothing to answer
                } finally {
                    exchange.close();
                }
            });
            server.start();
        }
        return server.getAddress().getPort();
    }
}
