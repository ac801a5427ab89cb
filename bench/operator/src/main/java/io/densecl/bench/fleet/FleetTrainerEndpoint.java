package io.densecl.bench.fleet;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * Stands in for every fake trainer pod's {@code GET /progress} (all pods get IP 127.0.0.1 and the operator's
 * {@code densecl.progress.port} points here). Answers after {@code delayMs}; the step advances with wall time, so
 * every successful poll changes the run's status.
 */
final class FleetTrainerEndpoint implements AutoCloseable {
    final LongAdder requests = new LongAdder();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final long started = System.nanoTime();

    FleetTrainerEndpoint(long delayMs) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(pool);
        server.createContext("/progress", exchange -> {
            requests.increment();
            try {
                if (delayMs > 0) {
                    Thread.sleep(delayMs);
                }
                long step = (System.nanoTime() - started) / 1_000_000_000L;
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
                // the operator gave up (poll timeout): nothing to answer
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
