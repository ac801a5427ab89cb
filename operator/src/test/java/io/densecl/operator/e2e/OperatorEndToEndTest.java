package io.densecl.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.densecl.operator.Fixtures;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.loop.FakeKubelet;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The packaged operator (JOSDK, informers, status patches, CRD applied in test mode) against the
 * mock API server, with the fake kubelet moving pods: one run from creation through a preemption,
 * pre-training and evaluation to Succeeded, its metrics at /q/metrics, and its deletion (finalizer and
 * per-run metrics removed).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorEndToEndTest {
    /** Deadlines, not expectations: each wait returns as soon as its condition holds; a shared 2-core CI machine
     *  under load once needed over 30 s for the first reconcile after Quarkus started. */
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    TestProgressClient progress;

    @Inject
    Instance<LeaderElectionConfiguration> leaderElection;

    @TestHTTPResource("/q/metrics")
    URL metricsUrl;

    @Test
    void runGoesFromCreationToSucceeded() throws Exception {
        KubernetesClient client = server.getClient();
        String ns = "e2e";
        client.resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName("densecl-data")
                        .withNamespace(ns)
                        .endMetadata()
                        .withNewSpec()
                        .withAccessModes("ReadOnlyMany")
                        .endSpec()
                        .build())
                .create();
        DenseCLRunSpec spec = Fixtures.spec();
        spec.evaluations.add(Fixtures.segmentation("seg"));
        DenseCLRun run = new DenseCLRun();
        run.setMetadata(
                new ObjectMetaBuilder().withName("quick").withNamespace(ns).build());
        run.setSpec(spec);
        client.resource(run).create();
        FakeKubelet kubelet = new FakeKubelet(client, ns, Clock.systemUTC());

        await().atMost(PATIENCE).until(() -> kubelet.get("quick-a1") != null);
        String ip = kubelet.start("quick-a1");
        progress.byIp.put(ip, Fixtures.progress(1, 10, 40, null, null));
        awaitPhase(client, ns, Phase.Running);
        await().atMost(PATIENCE)
                .until(() -> status(client, ns).progress != null
                        && Integer.valueOf(25).equals(status(client, ns).progress.percent));

        // Preempted: DisruptionTarget + SIGKILL. A new attempt starts; the failure budget is untouched.
        kubelet.disrupt("quick-a1", "PreemptionByScheduler", 137);
        await().atMost(PATIENCE).until(() -> kubelet.get("quick-a2") != null);
        kubelet.start("quick-a2");
        kubelet.exit("quick-a2", 0, "Completed", Fixtures.complete(2, 40));
        await().atMost(PATIENCE).until(() -> kubelet.get("quick-eval-seg") != null);
        kubelet.start("quick-eval-seg");
        kubelet.exit("quick-eval-seg", 0, "Completed", Fixtures.segResult(0.41, 2));
        awaitPhase(client, ns, Phase.Succeeded);

        var status = status(client, ns);
        assertThat(status.restarts.disruptions).isEqualTo(1);
        assertThat(status.restarts.counted).isZero();
        assertThat(status.bestEvaluation).isEqualTo("seg mIoU=0.41 (e2)");
        assertThat(status.observedGeneration).isEqualTo(1L);
        assertThat(status.conditions).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Complete");
            assertThat(c.getStatus()).isEqualTo("True");
        });

        // Metrics under the names of the Helm chart's dashboard, including the run's checkpoint time.
        String metrics = scrape();
        assertThat(metrics)
                .containsPattern("densecl_operator_runs\\{phase=\"Succeeded\",?} 1\\.0")
                .containsPattern("densecl_operator_restarts_total\\{kind=\"Disruption\",reason=\"[^\"]+\",?} 1\\.0")
                .contains(
                        "densecl_operator_reconcile_seconds_count",
                        "densecl_operator_reconcile_seconds_sum",
                        "densecl_operator_reconcile_seconds_max")
                .containsPattern(
                        "densecl_operator_checkpoint_timestamp_seconds\\{namespace=\"e2e\",run=\"quick\",?} 1\\.\\d+E9");

        // Deleting the run: no finalizer (a namespace deletion must not wait for the operator); the informer's delete
        // event lets the operator forget it.
        DenseCLRun stored = client.resources(DenseCLRun.class)
                .inNamespace(ns)
                .withName("quick")
                .get();
        assertThat(stored.getMetadata().getFinalizers()).isNullOrEmpty();
        client.resource(stored).delete();
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> client.resources(DenseCLRun.class)
                                .inNamespace(ns)
                                .withName("quick")
                                .get()
                        == null);
        await().atMost(PATIENCE).until(() -> !scrape().contains("run=\"quick\""));
        assertThat(scrape()).containsPattern("densecl_operator_runs\\{phase=\"Succeeded\",?} 0\\.0");
    }

    @Test
    void leaderElectionIsOffByDefault() {
        // DENSECL_LEADER_ELECTION_ENABLED unset: the bean quarkus-operator-sdk looks up is null, so no Lease.
        assertThat(leaderElection.get()).isNull();
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(metricsUrl.toURI())
                                .header("Accept", "text/plain")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static io.densecl.operator.api.v1alpha1.DenseCLRunStatus status(KubernetesClient client, String ns) {
        DenseCLRun r = client.resources(DenseCLRun.class)
                .inNamespace(ns)
                .withName("quick")
                .get();
        return r == null ? null : r.getStatus();
    }

    private static void awaitPhase(KubernetesClient client, String ns, Phase phase) {
        await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> status(client, ns) != null && status(client, ns).phase == phase);
    }
}
