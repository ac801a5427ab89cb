package io.densecl.local;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Kueue manager (built by {@code tools/kube/build.sh --with-kueue}) as a host process against a local
 * cluster: its CRDs installed, the plain-Pod integration on for namespaces labelled {@value #MANAGED_LABEL}, its
 * webhooks served with a self-signed certificate and registered by URL (the API server has no Service route to a
 * host process), RBAC by the admin kubeconfig.
 */
final class KueueManager implements AutoCloseable {
    static final String MANAGED_LABEL = "kueue-managed";
    private final Process process;
    private final Path log;
    private final KubernetesClient client;

    private KueueManager(Process process, Path log, KubernetesClient client) {
        this.process = process;
        this.log = log;
        this.client = client;
    }

    /** The Kueue cache directory (bin/kueue, crds/, webhook-manifests.yaml): DENSECL_KUEUE_DIR or build.sh --with-kueue. */
    static Path locate(Path repo) throws IOException, InterruptedException {
        String dir = System.getenv("DENSECL_KUEUE_DIR");
        if (dir != null && !dir.isBlank()) return Path.of(dir);
        Process p = new ProcessBuilder(
                        "bash", repo.resolve("tools/kube/build.sh").toString(), "--with-kueue")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0)
            throw new IOException("tools/kube/build.sh --with-kueue failed (exit " + p.exitValue() + ")");
        return Path.of(out.substring(out.lastIndexOf('\n') + 1).trim());
    }

    static KueueManager start(Path kueueDir, KubernetesClient client, Path kubeconfig, Path state) throws Exception {
        Files.createDirectories(state);
        installCrds(client, kueueDir.resolve("crds"));
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("kueue-system")
                        .endMetadata()
                        .build())
                .createOr(NonDeletingOperation::update);
        Path certs = Files.createDirectories(state.resolve("certs"));
        // a self-signed serving certificate for 127.0.0.1: Kueue's own cert rotator would want a Service and a Secret
        run(List.of(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=kueue-webhook",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                certs.resolve("tls.key").toString(),
                "-out",
                certs.resolve("tls.crt").toString()));
        int webhookPort = freePort();
        int healthPort = freePort();
        Path config = state.resolve("kueue-config.yaml");
        Files.writeString(config, """
                apiVersion: config.kueue.x-k8s.io/v1beta2
                kind: Configuration
                namespace: kueue-system
                managedJobsNamespaceSelector:
                  matchLabels: {%s: "true"}
                internalCertManagement: {enable: false}
                leaderElection: {leaderElect: false}
                webhook: {port: %d, host: 127.0.0.1, certDir: %s}
                health: {healthProbeBindAddress: "127.0.0.1:%d"}
                metrics: {bindAddress: "127.0.0.1:%d"}
                integrations:
                  frameworks: ["pod"]
                """.formatted(MANAGED_LABEL, webhookPort, certs, healthPort, freePort()));
        Path log = state.resolve("kueue.log");
        // Without internal cert management Kueue v0.17 reads its metrics certificate from the fixed path
        // /etc/kueue/metrics/certs. The host's /etc is not ours to write: the manager runs in a private mount
        // namespace whose /etc is an overlay adding just that directory (needs root, as the test machine has).
        Path upper = Files.createDirectories(state.resolve("etc-overlay/upper/kueue/metrics/certs"));
        Files.copy(
                certs.resolve("tls.crt"), upper.resolve("tls.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
                certs.resolve("tls.key"), upper.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path work = Files.createDirectories(state.resolve("etc-overlay/work"));
        String mount = "mount -t overlay overlay -o lowerdir=/etc,upperdir=" + state.resolve("etc-overlay/upper")
                + ",workdir=" + work + " /etc && exec \"$0\" \"$@\"";
        Process p = new ProcessBuilder(
                        "unshare",
                        "--mount",
                        "--propagation",
                        "private",
                        "sh",
                        "-c",
                        mount,
                        kueueDir.resolve("bin/kueue").toString(),
                        "--config=" + config,
                        "--kubeconfig=" + kubeconfig,
                        "--visibility-server-port=" + freePort(),
                        // the on-demand visibility API server wants its own certificate at /visibility; nothing here
                        // reads it
                        "--feature-gates=VisibilityOnDemand=false",
                        "--zap-log-level=2")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        KueueManager m = new KueueManager(p, log, client);
        try {
            m.awaitReady(healthPort, Duration.ofMinutes(2));
            m.registerWebhooks(
                    kueueDir.resolve("webhook-manifests.yaml"),
                    webhookPort,
                    Files.readString(certs.resolve("tls.crt")));
            return m;
        } catch (Exception e) {
            m.close();
            throw e;
        }
    }

    private static void installCrds(KubernetesClient client, Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    CustomResourceDefinition crd =
                            client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
                    client.apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .resource(crd)
                            .createOr(NonDeletingOperation::update);
                    names.add(crd.getMetadata().getName());
                }
            }
        }
        for (String n : names) {
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(n)
                    .waitUntilCondition(
                            c -> c != null
                                    && c.getStatus() != null
                                    && c.getStatus().getConditions() != null
                                    && c.getStatus().getConditions().stream()
                                            .anyMatch(x ->
                                                    "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                            60,
                            TimeUnit.SECONDS);
        }
    }

    private void awaitReady(int healthPort, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive())
                throw new IOException("kueue exited (" + process.exitValue() + "); see " + log + ":\n" + tail());
            try {
                var r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/readyz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IOException("kueue not ready within " + timeout + "; see " + log + ":\n" + tail());
    }

    /**
     * Kueue's own webhook configurations, limited to what a pod-only install serves (pods and Kueue's API) and
     * pointed at the host process; pod webhooks only for the managed namespaces (as Kueue's install excludes its own).
     */
    private void registerWebhooks(Path manifests, int port, String caPem) throws IOException {
        String ca = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        List<HasMetadata> items;
        try (InputStream in = Files.newInputStream(manifests)) {
            items = client.load(in).items();
        }
        for (HasMetadata item : items) {
            item.getMetadata().setName("kueue-" + item.getMetadata().getName());
            if (item instanceof MutatingWebhookConfiguration m) {
                m.getWebhooks().removeIf(w -> !served(w.getClientConfig()));
                m.getWebhooks().forEach(w -> {
                    w.setClientConfig(rewrite(w.getClientConfig(), port, ca));
                    if (w.getClientConfig().getUrl().contains("-v1-pod")) w.setNamespaceSelector(managed());
                });
            } else if (item instanceof ValidatingWebhookConfiguration v) {
                v.getWebhooks().removeIf(w -> !served(w.getClientConfig()));
                v.getWebhooks().forEach(w -> {
                    w.setClientConfig(rewrite(w.getClientConfig(), port, ca));
                    if (w.getClientConfig().getUrl().contains("-v1-pod")) w.setNamespaceSelector(managed());
                });
            }
            client.resource(item).createOr(NonDeletingOperation::update);
        }
    }

    private static io.fabric8.kubernetes.api.model.LabelSelector managed() {
        return new LabelSelectorBuilder()
                .addToMatchLabels(MANAGED_LABEL, "true")
                .build();
    }

    private static boolean served(WebhookClientConfig c) {
        String path = c.getService().getPath();
        return path.endsWith("--v1-pod") || path.contains("-kueue-x-k8s-io-");
    }

    private static WebhookClientConfig rewrite(WebhookClientConfig c, int port, String ca) {
        WebhookClientConfig out = new WebhookClientConfig();
        out.setUrl("https://127.0.0.1:" + port + c.getService().getPath());
        out.setCaBundle(ca);
        return out;
    }

    boolean alive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    String tail() {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        // the webhooks first: with the server gone, failurePolicy Fail would refuse every pod in the namespace
        try {
            client.admissionRegistration()
                    .v1()
                    .mutatingWebhookConfigurations()
                    .withName("kueue-mutating-webhook-configuration")
                    .delete();
            client.admissionRegistration()
                    .v1()
                    .validatingWebhookConfigurations()
                    .withName("kueue-validating-webhook-configuration")
                    .delete();
        } catch (RuntimeException ignored) {
            // the cluster may be gone already
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
