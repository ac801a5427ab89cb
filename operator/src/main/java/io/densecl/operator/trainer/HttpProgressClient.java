package io.densecl.operator.trainer;

import io.densecl.contract.ContractJson;
import io.densecl.contract.Progress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Polls the trainer's /progress endpoint over plain HTTP with a short timeout. */
public final class HttpProgressClient implements ProgressClient {

    private static final Logger LOG = Logger.getLogger(HttpProgressClient.class);

    private final HttpClient http;
    private final Duration timeout;

    public HttpProgressClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Optional<Progress> fetch(String podIp, int port) {
        String host = podIp.contains(":") ? "[" + podIp + "]" : podIp;
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/progress"))
                .timeout(timeout)
                .GET()
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            return Optional.of(ContractJson.read(response.body(), Progress.class));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            // A trainer that is still loading data or already exiting is not an error worth more than debug.
            LOG.debugf("progress poll of %s failed: %s", podIp, e.toString());
            return Optional.empty();
        }
    }
}
