package io.densecl.controlplane;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A minimal HTTPS client for the launcher's own needs (readiness, a few bootstrap objects), verifying the
 * API server against its CA bundle; everything else talks to the server through a real Kubernetes client.
 */
final class ApiServerClient {

    private final HttpClient http;
    private final String server;
    private final String token;

    ApiServerClient(String server, String caPem, String token) throws IOException {
        this.server = server;
        this.token = token;
        this.http = HttpClient.newBuilder()
                .sslContext(trusting(caPem))
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /** GET {@code path}; returns the status code (0 when the server is not reachable yet) and body. */
    Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(server + path)).GET());
    }

    /** POST a JSON body to {@code path}. */
    Response post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(server + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(
                    request.header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Response(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(0, "interrupted");
        }
    }

    /** An HTTP status and body. */
    record Response(int status, String body) {}

    private static SSLContext trusting(String caPem) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)))) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the API server's certificate bundle", e);
        }
    }
}
