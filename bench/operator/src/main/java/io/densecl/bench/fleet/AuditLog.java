package io.densecl.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The real API server's audit log (Metadata level, one JSON event per line) read into a {@link RequestLog}: each
 * request once (by auditID; a watch logs ResponseStarted, and ResponseComplete only when it ends), by client (user
 * name mapped to operator, bench, kubelets, scheduler, controller-manager, ...), method and resource in the mock's
 * notation, and response code.
 */
final class AuditLog {
    /** Kubernetes verbs as HTTP methods, so the figures read like the mock's. */
    private static final Map<String, String> METHOD = Map.of(
            "create",
            "POST",
            "get",
            "GET",
            "list",
            "GET",
            "watch",
            "GET",
            "update",
            "PUT",
            "patch",
            "PATCH",
            "delete",
            "DELETE",
            "deletecollection",
            "DELETE");
    /** The policy: every request at Metadata level, no RequestReceived stage (the receive time is in every event). */
    static final String POLICY = """
            apiVersion: audit.k8s.io/v1
            kind: Policy
            omitStages: ["RequestReceived"]
            rules:
            - level: Metadata
            """;

    private final Path file;
    private final Map<String, String> clients;

    /** {@code clients}: user name -> client name; other users are grouped by {@link #client}. */
    AuditLog(Path file, Map<String, String> clients) {
        this.file = file;
        this.clients = clients;
    }

    RequestLog read() throws IOException {
        RequestLog log = new RequestLog();
        ObjectMapper json = new ObjectMapper();
        Set<String> seen = new HashSet<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode e = json.readTree(line);
                if (!seen.add(e.path("auditID").asText())) {
                    continue;
                }
                log.add(new RequestLog.Request(
                        Instant.parse(e.path("requestReceivedTimestamp").asText()),
                        client(e.path("user").path("username").asText()),
                        method(e),
                        resource(e),
                        e.path("responseStatus").path("code").asInt(0)));
            }
        }
        return log;
    }

    private String client(String user) {
        String known = clients.get(user);
        if (known != null) {
            return known;
        }
        if (user.startsWith("system:node:")) {
            return "kubelets";
        }
        if (user.equals("system:kube-controller-manager") || user.startsWith("system:serviceaccount:kube-system:")) {
            return "controller-manager";
        }
        return user.equals("system:kube-scheduler") ? "scheduler" : user;
    }

    private static String method(JsonNode e) {
        String verb = e.path("verb").asText();
        return METHOD.getOrDefault(verb, verb.toUpperCase(java.util.Locale.ROOT));
    }

    /** "pods", "pods/{name}", "pods/{name}/status", "pods (watch)", or the path of a non-resource request. */
    private static String resource(JsonNode e) {
        JsonNode ref = e.path("objectRef");
        if (ref.isMissingNode()) {
            String uri = e.path("requestURI").asText();
            int q = uri.indexOf('?');
            return q < 0 ? uri : uri.substring(0, q);
        }
        String verb = e.path("verb").asText();
        String sub = ref.path("subresource").asText();
        // as in a request path: a create names its object only when it posts to a subresource (pods/NAME/binding)
        boolean named = !ref.path("name").asText().isEmpty()
                && !verb.equals("list")
                && !verb.equals("watch")
                && (!verb.equals("create") || !sub.isEmpty());
        return ref.path("resource").asText()
                + (named ? "/{name}" : "")
                + (sub.isEmpty() ? "" : "/" + sub)
                + (verb.equals("watch") ? " (watch)" : "");
    }
}
