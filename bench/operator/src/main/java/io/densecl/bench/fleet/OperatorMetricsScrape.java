package io.densecl.bench.fleet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads the operator's reconcile counter from its Prometheus endpoint ({@code /q/metrics}). */
final class OperatorMetricsScrape {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI uri;

    OperatorMetricsScrape(int port) {
        this.uri = URI.create("http://127.0.0.1:" + port + "/q/metrics");
    }

    /** The metrics text, or null while the operator is not answering yet. */
    String text() {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** densecl_operator_reconcile_seconds_count (0 before the first reconcile). */
    long reconciles() {
        String text = text();
        if (text == null) {
            throw new IllegalStateException("operator metrics not answering at " + uri);
        }
        return (long) PrometheusText.sum(text, "densecl_operator_reconcile_seconds_count");
    }
}
