package io.densecl.controlplane;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Kubernetes control plane on this machine: etcd and kube-apiserver, optionally
 * kube-controller-manager (garbage collector, node lifecycle, service accounts, PV binding, ...) and
 * kube-scheduler, built from the Go module proxy ({@link KubeBinaries}). Authentication by static tokens
 * ({@link Identity}) and service-account tokens, authorisation Node + RBAC, the default admission plugins
 * plus NodeRestriction: what a production cluster does, minus the kubelets (local mode brings its own).
 */
public final class ControlPlane implements AutoCloseable {

    private final Path state;
    private final boolean ephemeral;
    private final KubeBinaries binaries;
    private final String url;
    private final String caPem;
    private final Map<String, Identity> identities;
    private final List<ManagedProcess> processes;
    /** Stops the components when the JVM exits without close() (Ctrl-C, a failed test run). */
    private final Thread shutdownHook = new Thread(this::stopProcesses, "control-plane-stop");

    private ControlPlane(Builder b, KubeBinaries binaries, String url, String caPem, List<ManagedProcess> processes) {
        this.state = b.state;
        this.ephemeral = b.ephemeral;
        this.binaries = binaries;
        this.url = url;
        this.caPem = caPem;
        this.identities = b.identities;
        this.processes = processes;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What to start and where. */
    public static final class Builder {
        private Path state;
        private boolean ephemeral;
        private boolean controllerManager;
        private boolean scheduler;
        private Duration nodeMonitorGracePeriod = Duration.ofSeconds(50);
        private final Map<String, Identity> identities = new LinkedHashMap<>();
        private final List<String> apiServerFlags = new ArrayList<>();

        private Builder() {
            identity(Identity.admin());
            identity(Identity.of("system:kube-controller-manager"));
            identity(Identity.of("system:kube-scheduler"));
        }

        /** Data, logs, keys and kubeconfigs go here and are kept; without it, a temporary directory removed on close. */
        public Builder state(Path dir) {
            this.state = dir.toAbsolutePath().normalize();
            return this;
        }

        public Builder withControllerManager() {
            this.controllerManager = true;
            return this;
        }

        public Builder withScheduler() {
            this.scheduler = true;
            return this;
        }

        /** How long a node may miss heartbeats before the node lifecycle controller marks it unreachable. */
        public Builder nodeMonitorGracePeriod(Duration d) {
            this.nodeMonitorGracePeriod = d;
            return this;
        }

        /** A kubelet identity for node {@code name} (system:node:name in system:nodes). */
        public Builder node(String name) {
            return identity(Identity.node(name));
        }

        /** Another static-token user. */
        public Builder identity(Identity id) {
            identities.put(id.user(), id);
            return this;
        }

        /** An extra kube-apiserver flag, e.g. {@code --max-requests-inflight=800}. */
        public Builder apiServerFlag(String flag) {
            apiServerFlags.add(flag);
            return this;
        }

        public ControlPlane start() throws IOException {
            if (state == null) {
                state = Files.createTempDirectory("densecl-controlplane-");
                ephemeral = true;
            }
            Files.createDirectories(state);
            return Launcher.launch(this);
        }
    }

    /** Starts the components in dependency order and waits for each to be ready. */
    private static final class Launcher {
        static ControlPlane launch(Builder b) throws IOException {
            KubeBinaries bin = KubeBinaries.locate();
            List<ManagedProcess> started = new ArrayList<>();
            try {
                Path pki = b.state.resolve("pki");
                ServiceAccountKeys sa = ServiceAccountKeys.in(pki);
                Path tokens = pki.resolve("tokens.csv");
                Files.writeString(
                        tokens,
                        String.join(
                                        "\n",
                                        b.identities.values().stream()
                                                .map(Identity::tokenFileLine)
                                                .toList()) + "\n");
                int etcdPort = freePort();
                started.add(ManagedProcess.start(
                        "etcd",
                        b.state,
                        ManagedProcess.command(
                                bin.binary("etcd"),
                                "--name=densecl",
                                "--data-dir=" + b.state.resolve("etcd"),
                                "--listen-client-urls=http://127.0.0.1:" + etcdPort,
                                "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
                                "--listen-peer-urls=http://127.0.0.1:" + freePort(),
                                // a test and laptop control plane: durability against power loss is not worth the
                                // fsyncs
                                "--unsafe-no-fsync",
                                "--log-level=warn")));
                int port = freePort();
                List<String> api = new ArrayList<>(ManagedProcess.command(
                        bin.binary("kube-apiserver"),
                        "--etcd-servers=http://127.0.0.1:" + etcdPort,
                        "--bind-address=127.0.0.1",
                        "--advertise-address=127.0.0.1",
                        "--secure-port=" + port,
                        "--cert-dir=" + pki.resolve("apiserver"),
                        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                        "--api-audiences=https://kubernetes.default.svc.cluster.local",
                        "--service-account-key-file=" + sa.publicKey(),
                        "--service-account-signing-key-file=" + sa.privateKey(),
                        "--service-cluster-ip-range=10.96.0.0/16",
                        "--token-auth-file=" + tokens,
                        "--authorization-mode=Node,RBAC",
                        // the kubernetes Service cannot point at a loopback address; nothing in-cluster needs it
                        "--endpoint-reconciler-type=none",
                        "--enable-admission-plugins=NodeRestriction",
                        "--profiling=false",
                        "--v=1"));
                api.addAll(b.apiServerFlags);
                ManagedProcess apiServer = ManagedProcess.start("kube-apiserver", b.state, api);
                started.add(apiServer);
                String url = "https://127.0.0.1:" + port;
                String ca = awaitCertificate(pki.resolve("apiserver/apiserver.crt"), apiServer);
                ApiServerClient client = new ApiServerClient(
                        url, ca, b.identities.get(Identity.ADMIN).token());
                awaitReady(client, apiServer, Duration.ofSeconds(120));
                ControlPlane cp = new ControlPlane(b, bin, url, ca, started);
                if (b.controllerManager) {
                    Path kubeconfig = cp.kubeconfig("system:kube-controller-manager");
                    Files.writeString(pki.resolve("ca.crt"), ca);
                    started.add(ManagedProcess.start(
                            "kube-controller-manager",
                            b.state,
                            ManagedProcess.command(
                                    bin.binary("kube-controller-manager"),
                                    "--kubeconfig=" + kubeconfig,
                                    "--authentication-kubeconfig=" + kubeconfig,
                                    "--authorization-kubeconfig=" + kubeconfig,
                                    "--bind-address=127.0.0.1",
                                    "--secure-port=" + freePort(),
                                    "--service-account-private-key-file=" + sa.privateKey(),
                                    "--root-ca-file=" + pki.resolve("ca.crt"),
                                    "--use-service-account-credentials=true",
                                    "--leader-elect=false",
                                    "--cluster-name=densecl",
                                    "--node-monitor-period=2s",
                                    "--node-monitor-grace-period=" + b.nodeMonitorGracePeriod.toSeconds() + "s",
                                    "--v=1")));
                }
                if (b.scheduler) {
                    Path kubeconfig = cp.kubeconfig("system:kube-scheduler");
                    started.add(ManagedProcess.start(
                            "kube-scheduler",
                            b.state,
                            ManagedProcess.command(
                                    bin.binary("kube-scheduler"),
                                    "--kubeconfig=" + kubeconfig,
                                    "--authentication-kubeconfig=" + kubeconfig,
                                    "--authorization-kubeconfig=" + kubeconfig,
                                    "--bind-address=127.0.0.1",
                                    "--secure-port=" + freePort(),
                                    "--leader-elect=false",
                                    "--v=1")));
                }
                return cp;
            } catch (IOException | RuntimeException e) {
                started.forEach(ManagedProcess::close);
                throw e;
            }
        }

        /** kube-apiserver writes a self-signed serving certificate (with its CA) into --cert-dir before it serves. */
        private static String awaitCertificate(Path crt, ManagedProcess apiServer) throws IOException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if (Files.isRegularFile(crt) && Files.size(crt) > 0) {
                    String pem = Files.readString(crt);
                    if (pem.trim().endsWith("-----END CERTIFICATE-----")) {
                        return pem;
                    }
                }
                failIfDead(apiServer);
                sleep(100);
            }
            throw new IOException(
                    "kube-apiserver wrote no certificate to " + crt + " within 60 s:\n" + apiServer.logTail(30));
        }

        private static void awaitReady(ApiServerClient client, ManagedProcess apiServer, Duration timeout)
                throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            ApiServerClient.Response last = null;
            while (System.nanoTime() < deadline) {
                last = client.get("/readyz");
                if (last.status() == 200) {
                    return;
                }
                failIfDead(apiServer);
                sleep(250);
            }
            throw new IOException("kube-apiserver not ready after " + timeout.toSeconds() + " s (last answer " + last
                    + "):\n" + apiServer.logTail(30));
        }

        private static void failIfDead(ManagedProcess p) throws IOException {
            if (!p.alive()) {
                throw new IOException(p.name() + " exited at start-up; the end of " + p.log() + ":\n" + p.logTail(40));
            }
        }
    }

    /** https://127.0.0.1:port of the API server. */
    public String url() {
        return url;
    }

    /** The PEM bundle that verifies the API server's certificate. */
    public String caPem() {
        return caPem;
    }

    public Identity admin() {
        return identities.get(Identity.ADMIN);
    }

    public Identity identity(String user) {
        Identity id = identities.get(user);
        if (id == null) {
            throw new IllegalArgumentException("no identity " + user + " (declare it on the builder)");
        }
        return id;
    }

    /** A kubeconfig of a static-token user, written under the state directory. */
    public Path kubeconfig(String user) throws IOException {
        Identity id = identity(user);
        return Kubeconfig.write(
                state.resolve("kubeconfigs").resolve(user.replace(':', '_') + ".kubeconfig"),
                url,
                caPem,
                id.user(),
                id.token(),
                "default");
    }

    /** The administrator's kubeconfig. */
    public Path adminKubeconfig() throws IOException {
        return kubeconfig(admin().user());
    }

    public KubeBinaries binaries() {
        return binaries;
    }

    public Path state() {
        return state;
    }

    /** Whether every started component still runs. */
    public boolean healthy() {
        return processes.stream().allMatch(ManagedProcess::alive);
    }

    /** Stops the components in reverse order; a temporary state directory is removed. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from another shutdown hook: ours runs anyway, stopping twice is harmless
        }
        stopProcesses();
        if (ephemeral) {
            try (var walk = Files.walk(state)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory; the OS cleans it up eventually
            }
        }
    }

    private synchronized void stopProcesses() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
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
