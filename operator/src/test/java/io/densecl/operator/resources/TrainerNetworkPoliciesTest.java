package io.densecl.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.densecl.operator.Fixtures;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-run trainer NetworkPolicy: what it selects, whom it admits, on which port, and who owns it. */
class TrainerNetworkPoliciesTest {

    static final Map<String, String> OPERATOR_LABELS =
            Map.of("app.kubernetes.io/name", "densecl-operator", "app.kubernetes.io/instance", "densecl");
    static final TrainerPolicySettings SETTINGS = new TrainerPolicySettings(true, "densecl-system", OPERATOR_LABELS);

    @Test
    void selectsTheRunsTrainerPodsAndAdmitsOnlyTheOperatorOnTheProgressPort() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        NetworkPolicy p = TrainerNetworkPolicies.trainerPolicy(run, SETTINGS);

        assertThat(p.getMetadata().getName()).isEqualTo("r-trainer").isEqualTo(ChildNames.trainerPolicy("r"));
        assertThat(p.getMetadata().getNamespace()).isEqualTo(run.getMetadata().getNamespace());
        assertThat(p.getMetadata().getLabels()).containsEntry(ChildNames.LABEL_RUN, "r");
        assertThat(p.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getUid()).isEqualTo(run.getMetadata().getUid());
            assertThat(o.getKind()).isEqualTo("DenseCLRun");
            assertThat(o.getName()).isEqualTo("r");
            assertThat(o.getController()).isTrue();
        });
        assertThat(p.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("densecl.io/run", "r", "densecl.io/role", "pretrain"));
        assertThat(p.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(p.getSpec().getPolicyTypes()).containsExactly("Ingress");
        NetworkPolicyIngressRule rule = p.getSpec().getIngress().get(0);
        assertThat(p.getSpec().getIngress()).hasSize(1);
        assertThat(rule.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort().getStrVal()).isEqualTo("progress");
            assertThat(port.getProtocol()).isEqualTo("TCP");
        });
        NetworkPolicyPeer peer = rule.getFrom().get(0);
        assertThat(rule.getFrom())
                .as("one peer: namespace AND pod selector in the same entry")
                .hasSize(1);
        assertThat(peer.getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "densecl-system"));
        assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(OPERATOR_LABELS);
        assertThat(peer.getIpBlock()).isNull();
    }

    @Test
    void theSelectedLabelsAreTheOnesTheTrainerPodCarries() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        var pod = new PodFactory(io.densecl.operator.TestSettings.settings()).trainerPod(run, 1, java.util.List.of());
        NetworkPolicy p = TrainerNetworkPolicies.trainerPolicy(run, SETTINGS);
        assertThat(pod.getMetadata().getLabels())
                .containsAllEntriesOf(p.getSpec().getPodSelector().getMatchLabels());
        assertThat(pod.getSpec().getContainers().get(0).getPorts()).anyMatch(port -> "progress".equals(port.getName()));
    }

    @Test
    void enabledSettingsNeedTheOperatorsNamespaceAndPodLabels() {
        assertThatThrownBy(() -> new TrainerPolicySettings(true, "", OPERATOR_LABELS))
                .hasMessageContaining("densecl.network-policy.operator-namespace");
        assertThatThrownBy(() -> new TrainerPolicySettings(true, "densecl-system", Map.of()))
                .hasMessageContaining("densecl.network-policy.operator-pod-labels");
        assertThatThrownBy(() -> TrainerPolicySettings.parseLabels("[1]"))
                .hasMessageContaining("densecl.network-policy.operator-pod-labels");
        assertThat(TrainerPolicySettings.parseLabels("{\"a\":\"b\"}")).isEqualTo(Map.of("a", "b"));
        assertThat(TrainerPolicySettings.DISABLED.enabled()).isFalse();
    }
}
