package io.densecl.local;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole system on one machine: embedded API server (+ kubeconfig, CRD), the real operator as a
 * process, and the local kubelet that runs trainer pods as processes.
 */
public final class LocalCluster implements AutoCloseable {
    public static final String API_VERSION = "densecl.io/v1alpha1";
    public static final String KIND = "DenseCLRun";
    private final LocalLayout layout;
    private final LocalApiServer server;
    private final KubernetesClient client;
    private final LocalKubelet kubelet;
    private final OperatorProcess operator;
    private final OwnerReferenceCollector collector;
    private final java.util.Set<String> provisionedHere = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private LocalCluster(LocalLayout layout, LocalApiServer server, KubernetesClient client, LocalKubelet kubelet,
                         OperatorProcess operator, OwnerReferenceCollector collector) {
        this.collector = collector;
        this.layout = layout;
        this.server = server;
        this.client = client;
        this.kubelet = kubelet;
        this.operator = operator;
    }

    public static LocalCluster start(Path repo, Path state, int apiPort) throws IOException {
        LocalLayout layout = new LocalLayout(repo.toAbsolutePath().normalize(), state.toAbsolutePath().normalize());
        Files.createDirectories(layout.state());
        LocalApiServer server = LocalApiServer.start(apiPort);
        server.writeKubeconfig(layout.kubeconfig());
        server.installCrd(layout.crd());
        KubernetesClient client = server.client();
        LocalKubelet kubelet = new LocalKubelet(client, layout);
        kubelet.start();
        OperatorProcess operator = OperatorProcess.start(layout, server.url(), freePort(), layout.state().resolve("operator.log"));
        OwnerReferenceCollector collector = new OwnerReferenceCollector(client);
        collector.start();
        return new LocalCluster(layout, server, client, kubelet, operator, collector);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public KubernetesClient client() {
        return client;
    }

    public Path kubeconfig() {
        return layout.kubeconfig();
    }

    public String apiUrl() {
        return server.url();
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
            if (item.getMetadata().getNamespace() == null) item.getMetadata().setNamespace("default");
            if (item instanceof GenericKubernetesResource g && KIND.equals(g.getKind())) {
                java.util.Set<String> provisioned = new java.util.HashSet<>();
                for (String claim : SyntheticClaims.dataClaims(g)) {
                    if (ensureClaim(item.getMetadata().getNamespace(), claim)) provisioned.add(claim);
                }
                SyntheticClaims.prepare(g, layout, provisioned);
            }
            applied.add(client.resource(item).createOr(NonDeletingOperation::update));
        }
        return applied;
    }

    /**
     * Local mode provisions data claims on demand (a directory under the state folder, bound at once);
     * true when it did, i.e. the claim is local mode's to fill with synthetic data.
     */
    private boolean ensureClaim(String namespace, String claim) throws IOException {
        var pvcs = client.persistentVolumeClaims().inNamespace(namespace);
        if (pvcs.withName(claim).get() != null) return Files.isDirectory(layout.claim(namespace, claim)) && provisionedHere.contains(namespace + "/" + claim);
        pvcs.resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder().withNewMetadata().withName(claim)
                .withNamespace(namespace).addToLabels("densecl.io/local-provisioned", "true").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage",
                        new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endSpec()
                .withNewStatus().withPhase("Bound").endStatus().build()).create();
        System.out.println("local: provisioned PersistentVolumeClaim " + namespace + "/" + claim);
        provisionedHere.add(namespace + "/" + claim);
        return true;
    }

    public GenericKubernetesResource run(String namespace, String name) {
        return client.genericKubernetesResources(API_VERSION, KIND).inNamespace(namespace).withName(name).get();
    }

    public List<GenericKubernetesResource> runs() {
        return client.genericKubernetesResources(API_VERSION, KIND).inAnyNamespace().list().getItems();
    }

    /** Simulated node loss under a running pod. */
    public void loseNode(String namespace, String pod, String reason) throws InterruptedException {
        kubelet.loseNode(namespace, pod, reason);
    }

    public Path podLog(String namespace, String pod) {
        PodProcess p = kubelet.process(namespace, pod);
        return p == null ? null : p.log();
    }

    @Override
    public void close() throws Exception {
        collector.close();
        kubelet.close();
        operator.close();
        client.close();
        server.close();
    }
}
