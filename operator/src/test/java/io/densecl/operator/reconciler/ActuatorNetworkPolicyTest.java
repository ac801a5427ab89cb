package io.densecl.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.Fixtures;
import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.resources.PodFactory;
import io.densecl.operator.resources.TrainerNetworkPolicies;
import io.densecl.operator.resources.TrainerPolicySettings;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** EnsureSupporting creates the trainer NetworkPolicy when enabled, none when disabled, and never takes a stranger's. */
@EnableKubernetesMockClient(crud = true)
class ActuatorNetworkPolicyTest {

    static final TrainerPolicySettings ON =
            new TrainerPolicySettings(true, "densecl-system", Map.of("app.kubernetes.io/name", "densecl-operator"));

    KubernetesClient client;

    NetworkPolicy policy(String run) {
        return client.resources(NetworkPolicy.class)
                .inNamespace("ml")
                .withName(run + "-trainer")
                .get();
    }

    @Test
    void enabledCreatesThePolicyBesideTheConfigMap() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        new Actuator(client, new PodFactory(TestSettings.settings()), ON).ensureSupporting(run, () -> "{}");
        assertThat(client.configMaps().inNamespace("ml").withName("r-config").get())
                .isNotNull();
        assertThat(policy("r")).isNotNull();
        assertThat(policy("r").getMetadata().getOwnerReferences().get(0).getUid())
                .isEqualTo(run.getMetadata().getUid());
    }

    @Test
    void disabledCreatesNone() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        new Actuator(client, new PodFactory(TestSettings.settings()), TrainerPolicySettings.DISABLED)
                .ensureSupporting(run, () -> "{}");
        assertThat(client.configMaps().inNamespace("ml").withName("r-config").get())
                .isNotNull();
        assertThat(policy("r")).isNull();
    }

    @Test
    void thePolicyOfADeletedRunWithTheSameNameIsCheckedAgainUntilItIsGone() {
        DenseCLRun old = Fixtures.run("r", Fixtures.spec());
        old.getMetadata().setUid("old-uid");
        client.resource(TrainerNetworkPolicies.trainerPolicy(old, ON)).create();
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        Actuator actuator = new Actuator(client, new PodFactory(TestSettings.settings()), ON);
        actuator.ensureSupporting(run, () -> "{}");
        assertThat(policy("r").getMetadata().getOwnerReferences().get(0).getUid())
                .isEqualTo("old-uid");
        // The garbage collector removes the old run's policy; the same generation is ensured again, not skipped.
        client.resources(NetworkPolicy.class)
                .inNamespace("ml")
                .withName("r-trainer")
                .delete();
        actuator.ensureSupporting(run, () -> "{}");
        assertThat(policy("r").getMetadata().getOwnerReferences().get(0).getUid())
                .isEqualTo(run.getMetadata().getUid());
    }
}
