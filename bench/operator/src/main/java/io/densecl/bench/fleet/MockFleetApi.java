package io.densecl.bench.fleet;

import io.densecl.bench.fleet.mock.MockApiServer;
import io.densecl.local.LocalLayout;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The mock variant: the indexed Fabric8 CRUD mock in the bench JVM (or the library's own dispatcher), the data claim
 * created Bound, and {@link MockKubelet} binding and starting every pod; requests are told apart by User-Agent.
 */
final class MockFleetApi implements FleetApi {
    private static final String AGENT = "densecl-fleet-bench";
    private final MockApiServer api;
    private final RequestLog log = new RequestLog();
    private final MockRequestRecorder recorder;
    private final KubernetesClient client;
    private final MockKubelet kubelet;
    private final boolean stock;

    private MockFleetApi(MockApiServer api, boolean stock) {
        this.api = api;
        this.stock = stock;
        this.recorder = new MockRequestRecorder(api.mock(), AGENT, log);
        this.client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(api.client().getConfiguration())
                        .withUserAgent(AGENT)
                        .build())
                .build();
        this.kubelet = new MockKubelet(client, NAMESPACE);
    }

    static MockFleetApi start(FleetOptions options, LocalLayout layout) throws IOException {
        MockApiServer api = options.stockDispatcher()
                ? MockApiServer.start(0, new KubernetesCrudDispatcher(List.of()))
                : MockApiServer.start(0);
        MockFleetApi m = new MockFleetApi(api, options.stockDispatcher());
        try {
            api.installCrd(layout.crd());
            m.client
                    .resource(new PersistentVolumeClaimBuilder()
                            .withNewMetadata()
                            .withName(DATA_CLAIM)
                            .withNamespace(NAMESPACE)
                            .endMetadata()
                            .withNewSpec()
                            .withAccessModes("ReadOnlyMany")
                            .endSpec()
                            .withNewStatus()
                            .withPhase("Bound")
                            .endStatus()
                            .build())
                    .create();
            m.kubelet.start();
            return m;
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "mock";
    }

    @Override
    public String description() {
        return "Fabric8 mock server 7.5.2 in the bench JVM, "
                + (stock ? "stock KubernetesCrudDispatcher" : "IndexedCrudDispatcher");
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    @Override
    public Path operatorKubeconfig() {
        return null;
    }

    @Override
    public Map<String, String> operatorEnv() {
        // the mock: plain HTTP, no credentials
        return Map.of(
                "QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL",
                api.url(),
                "QUARKUS_KUBERNETES_CLIENT_NAMESPACE",
                "default");
    }

    @Override
    public RequestLog requests() {
        return log;
    }

    @Override
    public Map<String, ProcessProbe> serverProcesses() {
        return Map.of();
    }

    @Override
    public Map<String, Double> serverCounters() {
        return Map.of();
    }

    @Override
    public int kubeletConflicts() {
        return kubelet.conflicts.get();
    }

    @Override
    public void close() {
        kubelet.close();
        client.close();
        recorder.close();
        api.close();
    }
}
