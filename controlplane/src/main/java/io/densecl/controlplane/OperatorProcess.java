package io.densecl.controlplane;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator ({@code operator/target/quarkus-app/quarkus-run.jar}) as a child process pointed at an
 * API server: credentials through a kubeconfig file (or, for a server that authenticates nobody, just its URL),
 * configuration overrides through environment variables, its output into a log file, its HTTP server (/q/metrics,
 * /q/health) onto a loopback port that is not 8080 (trainer pods' progress port in local mode).
 */
public final class OperatorProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int httpPort;

    private OperatorProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** The operator jar of a repository checkout (built by {@code mvn -pl operator -am package}). */
    public static Path packagedJar(Path repositoryRoot) {
        return repositoryRoot.resolve("operator/target/quarkus-app/quarkus-run.jar");
    }

    public static Builder builder(Path jar) {
        return new Builder(jar);
    }

    /** Where the operator connects, as whom, and with which configuration. */
    public static final class Builder {
        private final Path jar;
        private String apiServer;
        private Path kubeconfig;
        private boolean trustCerts;
        private String namespace = "default";
        private int httpPort;
        private Path log;
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx512m"));
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder(Path jar) {
            this.jar = jar;
        }

        /**
         * Connect with this kubeconfig (server, CA bundle, credentials): the way to pass a token, which then never
         * appears in the operator's environment or log (Quarkus logs the runtime values of its kubernetes-client
         * properties, QUARKUS_KUBERNETES_CLIENT_TOKEN included, as "build time property cannot be changed").
         */
        public Builder kubeconfig(Path file) {
            this.kubeconfig = file.toAbsolutePath();
            return this;
        }

        /** Connect to this URL without credentials (an API server that authenticates nobody, as local mode's). */
        public Builder apiServer(String url) {
            this.apiServer = url;
            return this;
        }

        /** Trust any server certificate: only for a test server on loopback whose certificate is throw-away. */
        public Builder trustCerts() {
            this.trustCerts = true;
            return this;
        }

        /** The client's default namespace (leader-election Lease, nothing else: the operator watches all). */
        public Builder namespace(String ns) {
            this.namespace = ns;
            return this;
        }

        /** Port of the operator's HTTP server on 127.0.0.1; 0 picks a free one. */
        public Builder httpPort(int port) {
            this.httpPort = port;
            return this;
        }

        /** The log file (appended to). */
        public Builder log(Path file) {
            this.log = file;
            return this;
        }

        /** Replaces the JVM options (default {@code -Xmx512m}). */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.clear();
            jvmOptions.addAll(options);
            return this;
        }

        /** A configuration override, e.g. {@code DENSECL_PROGRESS_INTERVAL=5s}. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        public OperatorProcess start() throws IOException {
            if (!Files.isRegularFile(jar)) {
                throw new IOException(
                        "operator not built: " + jar + " (run: mvn -B -pl operator -am package -DskipTests)");
            }
            if ((apiServer == null) == (kubeconfig == null) || log == null) {
                throw new IllegalStateException("a log and either a kubeconfig or an API server URL are required");
            }
            int port = httpPort != 0 ? httpPort : ControlPlane.freePort();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder pb = new ProcessBuilder(command);
            Map<String, String> e = pb.environment();
            // Nothing from the developer's own cluster configuration may leak in: only the given kubeconfig, if any.
            e.remove("KUBECONFIG");
            e.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
            if (kubeconfig != null) {
                e.put("KUBECONFIG", kubeconfig.toString());
                e.put("KUBERNETES_AUTH_TRYKUBECONFIG", "true");
            } else {
                e.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
                e.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", apiServer);
                e.put("QUARKUS_KUBERNETES_CLIENT_NAMESPACE", namespace);
            }
            if (trustCerts) {
                e.put("QUARKUS_KUBERNETES_CLIENT_TRUST_CERTS", "true");
            }
            e.put("QUARKUS_HTTP_HOST", "127.0.0.1");
            e.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            e.putAll(env);
            Files.createDirectories(log.toAbsolutePath().getParent());
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            return new OperatorProcess(pb.start(), log, port);
        }
    }

    /** Waits until /q/health/ready answers 200 (informers synced); fails early if the process exits. */
    public OperatorProcess awaitReady(Duration timeout) throws IOException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the operator exited with code " + process.exitValue() + ":\n" + logTail(40));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the operator", e);
            }
            sleep(200);
        }
        throw new IOException("the operator was not ready after " + timeout.toSeconds() + " s:\n" + logTail(40));
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public int httpPort() {
        return httpPort;
    }

    public Path log() {
        return log;
    }

    /** The whole log so far. */
    public String logText() throws IOException {
        return Files.readString(log);
    }

    /** The last lines of the log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** SIGKILL: the operator gets no chance to finish anything (a crash, an OOM kill, a node loss). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /** SIGTERM (Quarkus shuts down gracefully), SIGKILL after 20 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
