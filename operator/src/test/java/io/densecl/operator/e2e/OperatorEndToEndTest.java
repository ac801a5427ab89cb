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
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The packaged operator (JOSDK, informers, status patches, CRD applied in test mode) against the
 * mock API server, with the fake kubelet moving pods: one run from creation through a preemption,
 * pre-training and evaluation to Succeeded.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorEndToEndTest {

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    TestProgressClient progress;

    @Test
    void runGoesFromCreationToSucceeded() {
        KubernetesClient client = server.getClient();
        String ns = "e2e";
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("densecl-data").withNamespace(ns)
                .endMetadata().withNewSpec().withAccessModes("ReadOnlyMany").endSpec().build()).create();
        DenseCLRunSpec spec = Fixtures.spec();
        spec.evaluations.add(Fixtures.segmentation("seg"));
        DenseCLRun run = new DenseCLRun();
        run.setMetadata(new ObjectMetaBuilder().withName("quick").withNamespace(ns).build());
        run.setSpec(spec);
        client.resource(run).create();
        FakeKubelet kubelet = new FakeKubelet(client, ns, Clock.systemUTC());

        await().atMost(Duration.ofSeconds(30)).until(() -> kubelet.get("quick-a1") != null);
        String ip = kubelet.start("quick-a1");
        progress.byIp.put(ip, Fixtures.progress(1, 10, 40, null, null));
        awaitPhase(client, ns, Phase.Running);
        await().atMost(Duration.ofSeconds(30)).until(() -> status(client, ns).progress != null
                && Integer.valueOf(25).equals(status(client, ns).progress.percent));

        // Preempted: DisruptionTarget + SIGKILL. A new attempt starts; the failure budget is untouched.
        kubelet.disrupt("quick-a1", "PreemptionByScheduler", 137);
        await().atMost(Duration.ofSeconds(30)).until(() -> kubelet.get("quick-a2") != null);
        kubelet.start("quick-a2");
        kubelet.exit("quick-a2", 0, "Completed", Fixtures.complete(2, 40));
        await().atMost(Duration.ofSeconds(30)).until(() -> kubelet.get("quick-eval-seg") != null);
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
    }

    private static io.densecl.operator.api.v1alpha1.DenseCLRunStatus status(KubernetesClient client, String ns) {
        DenseCLRun r = client.resources(DenseCLRun.class).inNamespace(ns).withName("quick").get();
        return r == null ? null : r.getStatus();
    }

    private static void awaitPhase(KubernetesClient client, String ns, Phase phase) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> status(client, ns) != null && status(client, ns).phase == phase);
    }
}
