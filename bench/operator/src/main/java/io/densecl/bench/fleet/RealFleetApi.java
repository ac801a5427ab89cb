package io.densecl.bench.fleet;

import io.densecl.controlplane.ControlPlane;
import io.densecl.controlplane.Identity;
import io.densecl.controlplane.Kubeconfig;
import io.densecl.local.LocalLayout;
import io.densecl.local.LocalVolumeProvisioner;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real variant: etcd, kube-apiserver (audit log at Metadata level), kube-controller-manager (PV binding, GC, node
 * lifecycle) and kube-scheduler from the cache; {@code --nodes} {@link FleetNode}s with a {@link NodeKubelet} each;
 * local mode's volume provisioner for the claims; the operator as service account {@link OperatorAccount}.
 */
final class RealFleetApi implements FleetApi {
    private static final String PROVISIONER = "densecl-provisioner";
    private static final List<String> COMPONENTS =
            List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler");
    private final ControlPlane cp;
    private final Path auditFile;
    private final List<AutoCloseable> parts = new ArrayList<>();
    private final AtomicInteger conflicts = new AtomicInteger();
    private KubernetesClient admin;
    private Path operatorKubeconfig;

    private RealFleetApi(ControlPlane cp, Path auditFile) {
        this.cp = cp;
        this.auditFile = auditFile;
    }

    static RealFleetApi start(FleetOptions options, LocalLayout layout) throws IOException {
        Path out = options.out();
        Path policy = Files.writeString(out.resolve("audit-policy.yaml"), AuditLog.POLICY);
        Path audit = out.resolve(options.stem() + "-audit.log");
        Files.deleteIfExists(audit);
        // the component logs stay after the run (etcd's data goes) until the next run of the same size
        Path state = out.resolve(options.stem() + "-controlplane");
        FleetBench.delete(state);
        ControlPlane.Builder b = ControlPlane.builder()
                .state(state)
                .withControllerManager()
                .withScheduler()
                .identity(Identity.of(PROVISIONER, "system:masters"))
                .apiServerFlag("--audit-policy-file=" + policy)
                .apiServerFlag("--audit-log-path=" + audit);
        for (int i = 1; i <= options.nodes(); i++) {
            b.node(nodeName(i));
        }
        RealFleetApi real = new RealFleetApi(b.start(), audit);
        try {
            real.setUp(options, layout);
            return real;
        } catch (IOException | RuntimeException e) {
            real.close();
            throw e;
        }
    }

    private void setUp(FleetOptions options, LocalLayout layout) throws IOException {
        admin = client(cp.adminKubeconfig());
        installCrd(layout.crd());
        for (String ns : List.of(NAMESPACE, OperatorAccount.NAMESPACE)) {
            admin.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .create();
        }
        String token =
                OperatorAccount.create(admin, layout.repo().resolve("operator/target/kubernetes/kubernetes.yml"), 7200);
        operatorKubeconfig = Kubeconfig.write(
                options.out().resolve(options.stem() + "-operator.kubeconfig"),
                cp.url(),
                cp.caPem(),
                OperatorAccount.USER,
                token,
                OperatorAccount.NAMESPACE);
        KubernetesClient provisionerClient = client(cp.kubeconfig(PROVISIONER));
        parts.add(provisionerClient);
        LocalVolumeProvisioner provisioner = new LocalVolumeProvisioner(provisionerClient, layout);
        provisioner.start();
        parts.add(provisioner);
        admin.persistentVolumeClaims()
                .inNamespace(NAMESPACE)
                .resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName(DATA_CLAIM)
                        .withNamespace(NAMESPACE)
                        .endMetadata()
                        .withNewSpec()
                        .withAccessModes("ReadOnlyMany")
                        .withNewResources()
                        .addToRequests("storage", new Quantity("1Gi"))
                        .endResources()
                        .endSpec()
                        .build())
                .create();
        admin.persistentVolumeClaims()
                .inNamespace(NAMESPACE)
                .withName(DATA_CLAIM)
                .waitUntilCondition(
                        c -> c != null
                                && c.getStatus() != null
                                && "Bound".equals(c.getStatus().getPhase()),
                        120,
                        TimeUnit.SECONDS);
        // the ServiceAccount admission plugin refuses pods until the controller-manager made the namespace's default
        // account
        admin.serviceAccounts()
                .inNamespace(NAMESPACE)
                .withName("default")
                .waitUntilCondition(a -> a != null, 120, TimeUnit.SECONDS);
        int pods = options.nodePods() > 0
                ? options.nodePods()
                : Math.max(110, (int) Math.ceil(1.5 * options.runs() / options.nodes()) + 10);
        for (int i = 1; i <= options.nodes(); i++) {
            KubernetesClient nodeClient = client(cp.kubeconfig("system:node:" + nodeName(i)));
            parts.add(nodeClient);
            FleetNode node = new FleetNode(nodeClient, nodeName(i));
            parts.add(node);
            node.register(pods);
            NodeKubelet kubelet = new NodeKubelet(nodeClient, nodeName(i), conflicts);
            parts.add(kubelet);
            kubelet.start();
        }
    }

    private void installCrd(Path crd) throws IOException {
        CustomResourceDefinition def;
        try (InputStream in = Files.newInputStream(crd)) {
            def = admin.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        }
        admin.apiextensions().v1().customResourceDefinitions().resource(def).create();
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

    private static String nodeName(int i) {
        return "fleet-" + i;
    }

    private static KubernetesClient client(Path kubeconfig) throws IOException {
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        config.setRequestTimeout(30_000);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Override
    public String name() {
        return "real";
    }

    @Override
    public String description() {
        return "kube-apiserver "
                + cp.binaries().binary("kube-apiserver").getParent().getParent().getFileName()
                + " (audit log at Metadata level), kube-controller-manager, kube-scheduler";
    }

    @Override
    public KubernetesClient client() {
        return admin;
    }

    @Override
    public Path operatorKubeconfig() {
        return operatorKubeconfig;
    }

    @Override
    public Map<String, String> operatorEnv() {
        return Map.of();
    }

    @Override
    public RequestLog requests() throws IOException {
        return new AuditLog(
                        auditFile,
                        Map.of(OperatorAccount.USER, OPERATOR, Identity.ADMIN, BENCH, PROVISIONER, "provisioner"))
                .read();
    }

    @Override
    public Map<String, ProcessProbe> serverProcesses() {
        Map<String, ProcessProbe> out = new LinkedHashMap<>();
        for (String c : COMPONENTS) {
            try {
                out.put(
                        c,
                        new ProcessProbe(
                                Long.parseLong(Files.readString(cp.state().resolve("pids/" + c + ".pid"))
                                        .trim())));
            } catch (IOException | NumberFormatException e) {
                throw new IllegalStateException("no pid of " + c + " under " + cp.state(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** Priority and fairness as the API server counts it (the operator's flow schema is service-accounts). */
    @Override
    public Map<String, Double> serverCounters() {
        String text = admin.raw("/metrics");
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("apfRejected", PrometheusText.sum(text, "apiserver_flowcontrol_rejected_requests_total"));
        out.put(
                "apfOperatorWaitCount",
                PrometheusText.sum(
                        text,
                        "apiserver_flowcontrol_request_wait_duration_seconds_count",
                        "flow_schema=\"service-accounts\""));
        out.put(
                "apfOperatorWaitSeconds",
                PrometheusText.sum(
                        text,
                        "apiserver_flowcontrol_request_wait_duration_seconds_sum",
                        "flow_schema=\"service-accounts\""));
        out.put("http429", PrometheusText.sum(text, "apiserver_request_total", "code=\"429\""));
        return out;
    }

    @Override
    public int kubeletConflicts() {
        return conflicts.get();
    }

    @Override
    public void close() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                // best effort on the way out
            }
        }
        if (admin != null) {
            admin.close();
        }
        cp.close();
        try {
            FleetBench.delete(cp.state().resolve("etcd")); // hundreds of MB; the component logs stay
        } catch (IOException e) {
            System.err.println("fleet bench: cannot delete " + cp.state().resolve("etcd") + ": " + e.getMessage());
        }
    }
}
