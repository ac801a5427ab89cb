package io.densecl.operator.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.Fixtures;
import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.reconciler.Actuator;
import io.densecl.operator.resources.ChildNames;
import io.densecl.operator.resources.PodFactory;
import io.densecl.operator.resources.TrainerPolicySettings;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On the real kube-apiserver: a run in a namespace that is not the operator's gets its trainer NetworkPolicy
 * (accepted by the API server's validation, named port and all), and the garbage collector removes it with the run.
 */
class TrainerNetworkPolicyIT {

    static final List<String> NAMESPACES = new ArrayList<>();

    @BeforeAll
    static void controlPlane() throws Exception {
        RealApi.assumeAvailable();
        RealApi.installCrd();
    }

    @AfterAll
    static void deleteNamespaces() {
        if (!NAMESPACES.isEmpty()) {
            RealApi.deleteNamespaces(NAMESPACES);
        }
    }

    @Test
    void aRunInATenantNamespaceGetsThePolicyAndTheGarbageCollectorRemovesIt() {
        String operatorNs = RealApi.namespace("operator");
        String tenant = RealApi.namespace("tenant");
        NAMESPACES.addAll(List.of(operatorNs, tenant));
        KubernetesClient admin = RealApi.admin();
        DenseCLRun run = Runs.create(tenant, "r", Fixtures.spec());
        TrainerPolicySettings settings = new TrainerPolicySettings(
                true,
                operatorNs,
                Map.of("app.kubernetes.io/name", "densecl-operator", "app.kubernetes.io/component", "operator"));

        new Actuator(admin, new PodFactory(TestSettings.settings()), settings).ensureSupporting(run, () -> "{}");

        NetworkPolicy policy = admin.resources(NetworkPolicy.class)
                .inNamespace(tenant)
                .withName(ChildNames.trainerPolicy("r"))
                .get();
        assertThat(policy)
                .as("created in the run's namespace, not the operator's")
                .isNotNull();
        assertThat(admin.resources(NetworkPolicy.class)
                        .inNamespace(operatorNs)
                        .list()
                        .getItems())
                .isEmpty();
        assertThat(policy.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(
                        o -> assertThat(o.getUid()).isEqualTo(run.getMetadata().getUid()));
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .containsEntry(ChildNames.LABEL_RUN, "r")
                .containsEntry(ChildNames.LABEL_ROLE, ChildNames.ROLE_PRETRAIN);
        var peer = policy.getSpec().getIngress().get(0).getFrom().get(0);
        assertThat(peer.getNamespaceSelector().getMatchLabels())
                .containsEntry("kubernetes.io/metadata.name", operatorNs);
        assertThat(policy.getSpec()
                        .getIngress()
                        .get(0)
                        .getPorts()
                        .get(0)
                        .getPort()
                        .getStrVal())
                .isEqualTo("progress");

        admin.resource(run).delete();
        Runs.await(
                "the garbage collector removed the trainer NetworkPolicy",
                Duration.ofSeconds(60),
                () -> admin.resources(NetworkPolicy.class)
                                        .inNamespace(tenant)
                                        .withName(ChildNames.trainerPolicy("r"))
                                        .get()
                                == null
                        ? Boolean.TRUE
                        : null);
    }
}
