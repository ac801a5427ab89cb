package io.densecl.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.Fixtures;
import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.resources.PodFactory;
import io.densecl.operator.state.Observed.CheckpointSharing;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pins reach the trainer through the run's ConfigMap: pins.json beside run.json, kept when run.json changes, and
 * released by rewriting it; the claim's access modes decide where an evaluation may run beside the trainer.
 */
@EnableKubernetesMockClient(crud = true)
class ActuatorPinsTest {

    KubernetesClient client;

    ConfigMap config() {
        return client.configMaps().inNamespace("ml").withName("r-config").get();
    }

    @Test
    void pinsGoIntoTheConfigMapSurviveARunJsonChangeAndAreReleased() {
        DenseCLRun run = Fixtures.run("r", Fixtures.spec());
        Actuator actuator = new Actuator(client, new PodFactory(TestSettings.settings()));
        actuator.ensureSupporting(run, () -> "{\"v\":1}");
        actuator.pin(run, List.of(2, 4));
        assertThat(config().getData())
                .containsEntry("pins.json", "{\"epochs\":[2,4]}")
                .containsEntry("run.json", "{\"v\":1}");
        run.getMetadata().setGeneration(run.getMetadata().getGeneration() + 1);
        actuator.ensureSupporting(run, () -> "{\"v\":2}");
        assertThat(config().getData())
                .as("a new run.json keeps the pins")
                .containsEntry("pins.json", "{\"epochs\":[2,4]}")
                .containsEntry("run.json", "{\"v\":2}");
        actuator.pin(run, List.of(4));
        assertThat(config().getData()).containsEntry("pins.json", "{\"epochs\":[4]}");
        String version = config().getMetadata().getResourceVersion();
        actuator.pin(run, List.of(4));
        assertThat(config().getMetadata().getResourceVersion())
                .as("unchanged pins: no write")
                .isEqualTo(version);
    }

    @Test
    void theClaimsAccessModesDecideWhereAnEvaluationMayRunBesideTheTrainer() {
        assertThat(RunObserver.sharingOf(List.of("ReadWriteMany"))).isEqualTo(CheckpointSharing.ANY_NODE);
        assertThat(RunObserver.sharingOf(List.of("ReadWriteOnce", "ReadWriteMany")))
                .isEqualTo(CheckpointSharing.ANY_NODE);
        assertThat(RunObserver.sharingOf(List.of("ReadWriteOnce"))).isEqualTo(CheckpointSharing.TRAINER_NODE);
        assertThat(RunObserver.sharingOf(List.of("ReadWriteOncePod"))).isEqualTo(CheckpointSharing.NONE);
        assertThat(RunObserver.sharingOf(List.of()))
                .as("a claim that is not there")
                .isEqualTo(CheckpointSharing.NONE);
    }
}
