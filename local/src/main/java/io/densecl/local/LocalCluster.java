package io.densecl.local;

import io.densecl.controlplane.ControlPlane;
import io.densecl.controlplane.OperatorProcess;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The whole system on one machine: a real control plane (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler), the DenseCLRun CRD installed, a local volume provisioner, the local kubelet registered
 * as node {@value #NODE}, and the real operator as a process.
 */
public final class LocalCluster implements AutoCloseable {
    public static final String API_VERSION = "densecl.io/v1alpha1";
    public static final String KIND = "DenseCLRun";
    /** The first node's name; further nodes are local-2, local-3, ... */
    public static final String NODE = "local";

    private final LocalLayout layout;
    private final ControlPlane controlPlane;
    private final KubernetesClient client;
    private final LocalVolumeProvisioner provisioner;
    private final List<LocalKubelet> kubelets;
    private final OperatorProcess operator;
    private final Set<String> provisionedHere = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private LocalCluster(
            LocalLayout layout,
            ControlPlane controlPlane,
            KubernetesClient client,
            LocalVolumeProvisioner provisioner,
            List<LocalKubelet> kubelets,
            OperatorProcess operator) {
        this.layout = layout;
        this.controlPlane = controlPlane;
        this.client = client;
        this.provisioner = provisioner;
        this.kubelets = kubelets;
        this.operator = operator;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Stops pods, operator and control plane when the JVM exits without close() (a killed test run). */
    private final Thread shutdownHook = new Thread(this::closeQuietly, "local-cluster-stop");

    /**
     * What to start: how many nodes (the node lifecycle controller evicts from an unreachable node only while
     * some other node of its zone is healthy, so node loss needs two), each node's GPU count, and how soon an
     * unreachable node is declared lost.
     */
    public record Options(int nodes, int gpusPerNode, Duration nodeMonitorGracePeriod) {
        public static Options defaults() {
            return new Options(1, 0, Duration.ofSeconds(20));
        }

        public Options withNodes(int n) {
            return new Options(n, gpusPerNode, nodeMonitorGracePeriod);
        }

        static String nodeName(int i) {
            return i == 0 ? NODE : NODE + "-" + (i + 1);
        }
    }

    public static LocalCluster start(Path repo, Path state, Options options) throws IOException {
        LocalLayout layout = new LocalLayout(
                repo.toAbsolutePath().normalize(), state.toAbsolutePath().normalize());
        Files.createDirectories(layout.state());
        System.out.println("local: starting etcd, kube-apiserver, kube-controller-manager and kube-scheduler");
        ControlPlane.Builder builder = ControlPlane.builder()
                .state(layout.state().resolve("control-plane"))
                .withControllerManager()
                .withScheduler()
                .nodeMonitorGracePeriod(options.nodeMonitorGracePeriod());
        for (int i = 0; i < options.nodes(); i++) {
            builder.node(Options.nodeName(i));
        }
        ControlPlane cp = builder.start();
        KubernetesClient admin = null;
        List<AutoCloseable> started = new ArrayList<>();
        try {
            Files.copy(cp.adminKubeconfig(), layout.kubeconfig(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            admin = client(cp.adminKubeconfig());
            installCrd(admin, layout.crd());
            LocalVolumeProvisioner provisioner = new LocalVolumeProvisioner(admin, layout);
            provisioner.start();
            started.add(provisioner);
            List<LocalKubelet> kubelets = new ArrayList<>();
            for (int i = 0; i < options.nodes(); i++) {
                LocalKubelet kubelet = new LocalKubelet(
                        client(cp.kubeconfig("system:node:" + Options.nodeName(i))),
                        layout,
                        options.gpusPerNode(),
                        "nvidia.com/gpu");
                kubelet.start();
                started.add(kubelet);
                kubelets.add(kubelet);
            }
            OperatorProcess operator = OperatorProcess.builder(layout.operatorJar())
                    .kubeconfig(layout.kubeconfig())
                    .log(layout.state().resolve("operator.log"))
                    .env("DENSECL_PROGRESS_INTERVAL", "5s")
                    .start();
            return new LocalCluster(layout, cp, admin, provisioner, kubelets, operator);
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : started) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // best effort on the way out
                }
            }
            if (admin != null) {
                admin.close();
            }
            cp.close();
            throw e;
        }
    }

    static KubernetesClient client(Path kubeconfig) throws IOException {
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        config.setRequestTimeout(30_000);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Installs (or updates) the committed CRD and waits until the server serves it. */
    private static void installCrd(KubernetesClient admin, Path crd) throws IOException {
        CustomResourceDefinition def;
        try (InputStream in = Files.newInputStream(crd)) {
            def = admin.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        }
        admin.apiextensions().v1().customResourceDefinitions().resource(def).createOr(NonDeletingOperation::update);
        admin.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(def.getMetadata().getName())
                .waitUntilCondition(
                        c -> c != null
                                && c.getStatus() != null
                                && c.getStatus().getConditions() != null
                                && c.getStatus().getConditions().stream()
                                        .anyMatch(
                                                x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                        60,
                        TimeUnit.SECONDS);
    }

    public KubernetesClient client() {
        return client;
    }

    public Path kubeconfig() {
        return layout.kubeconfig();
    }

    public Path kubectl() {
        return controlPlane.binaries().binary("kubectl");
    }

    public String apiUrl() {
        return controlPlane.url();
    }

    public boolean operatorAlive() {
        return operator.alive();
    }

    /** Creates (or updates) every object of a YAML file; missing data of a DenseCLRun is synthesised first. */
    public List<HasMetadata> apply(Path file) throws IOException, InterruptedException {
        List<HasMetadata> items;
        try (InputStream in = Files.newInputStream(file)) {
            items = client.load(in).items();
        }
        List<HasMetadata> applied = new ArrayList<>();
        for (HasMetadata item : items) {
            if (item.getMetadata().getNamespace() == null) {
                item.getMetadata().setNamespace("default");
            }
            if (item instanceof GenericKubernetesResource g && KIND.equals(g.getKind())) {
                Set<String> provisioned = new HashSet<>();
                for (String claim : SyntheticClaims.dataClaims(g)) {
                    if (ensureClaim(item.getMetadata().getNamespace(), claim)) {
                        provisioned.add(claim);
                    }
                }
                SyntheticClaims.prepare(g, layout, provisioned);
            }
            applied.add(client.resource(item).createOr(NonDeletingOperation::update));
        }
        return applied;
    }

    /**
     * Local mode creates the data claims a run names when they do not exist (the provisioner binds them to a
     * directory under the state folder); true when it did, i.e. the claim is local mode's to fill with synthetic data.
     */
    private boolean ensureClaim(String namespace, String claim) {
        var pvcs = client.persistentVolumeClaims().inNamespace(namespace);
        if (pvcs.withName(claim).get() != null) {
            return provisionedHere.contains(namespace + "/" + claim);
        }
        pvcs.resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName(claim)
                        .withNamespace(namespace)
                        .addToLabels("densecl.io/local-provisioned", "true")
                        .endMetadata()
                        .withNewSpec()
                        .withAccessModes("ReadWriteOnce")
                        .withNewResources()
                        .addToRequests("storage", new Quantity("1Gi"))
                        .endResources()
                        .endSpec()
                        .build())
                .create();
        System.out.println("local: created PersistentVolumeClaim " + namespace + "/" + claim);
        provisionedHere.add(namespace + "/" + claim);
        return true;
    }

    public GenericKubernetesResource run(String namespace, String name) {
        return client.genericKubernetesResources(API_VERSION, KIND)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /** Node crash: the node's kubelet stops heartbeating and every container on it dies at once. */
    public void crashNode(String node) {
        kubelet(node).loseNode();
    }

    /** The crashed node comes back (a reboot): it reports Ready again and cleans up its old pods. */
    public void recoverNode(String node) {
        kubelet(node).recover();
    }

    private LocalKubelet kubelet(String node) {
        return kubelets.stream()
                .filter(k -> k.nodeName().equals(node))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no local node " + node));
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from a shutdown hook: ours runs too, closing twice is harmless
        }
        closeQuietly();
    }

    private synchronized void closeQuietly() {
        operator.close(); // first, so that it does not start new attempts while the pods stop
        kubelets.parallelStream()
                .forEach(LocalKubelet::close); // each SIGTERMs its pods and waits for their checkpoints
        provisioner.close();
        client.close();
        controlPlane.close();
    }
}
