package io.densecl.operator.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.resources.PodFactory;
import io.densecl.operator.resources.PodOverridesTestAccess;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pods the factory builds from a run that sets every spec.pod override, Kueue labels and a MIG GPU resource,
 * created on the real API server in a namespace that enforces Restricted Pod Security: the admission chain (Pod
 * Security, ServiceAccount, RuntimeClass, Priority) accepts them and stores what the run asked for. The quick start's
 * data-seeding Job passes the same checks.
 */
class PodOverridesIT {

    static String namespace;
    static KubernetesClient admin;

    @BeforeAll
    static void setUp() {
        RealApi.assumeAvailable();
        admin = RealApi.admin();
        namespace = RealApi.namespace(
                "pod-overrides",
                Map.of(
                        "pod-security.kubernetes.io/enforce",
                        "restricted",
                        "pod-security.kubernetes.io/enforce-version",
                        "latest"));
        // what the run names must exist for the ServiceAccount, RuntimeClass and Priority admission plugins
        admin.resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("densecl-s3")
                        .withNamespace(namespace)
                        .endMetadata()
                        .build())
                .create();
        admin.resource(new RuntimeClassBuilder()
                        .withNewMetadata()
                        .withName("nvidia")
                        .endMetadata()
                        .withHandler("nvidia")
                        .build())
                .createOr(existing -> existing.update());
        admin.resource(new PriorityClassBuilder()
                        .withNewMetadata()
                        .withName("research-low")
                        .endMetadata()
                        .withValue(1000)
                        .build())
                .createOr(existing -> existing.update());
    }

    @AfterAll
    static void tearDown() {
        if (namespace != null) {
            RealApi.deleteNamespaces(List.of(namespace));
        }
    }

    /** The pod as the operator would create it, without the owner reference (no run object exists here). */
    static Pod inNamespace(Pod pod) {
        return new PodBuilder(pod)
                .editMetadata()
                .withNamespace(namespace)
                .withOwnerReferences(List.of())
                .endMetadata()
                .build();
    }

    @Test
    void theServerAcceptsEveryOverrideUnderRestrictedPodSecurity() {
        DenseCLRun run = PodOverridesTestAccess.everyOverride();
        run.getMetadata().setNamespace(namespace);
        PodFactory factory = new PodFactory(TestSettings.settings());
        for (Pod built : List.of(
                factory.trainerPod(run, 1, List.of()),
                factory.evaluationPod(run, run.getSpec().evaluations.get(0), "r-eval-seg", 2, null))) {
            Pod stored = admin.resource(inNamespace(built)).create();
            assertThat(stored.getMetadata().getLabels())
                    .containsEntry("kueue.x-k8s.io/queue-name", "team-a")
                    .containsEntry("team", "vision")
                    .containsEntry("densecl.io/run", "r");
            PodSpec spec = stored.getSpec();
            assertThat(spec.getServiceAccountName()).isEqualTo("densecl-s3");
            assertThat(spec.getRuntimeClassName()).isEqualTo("nvidia");
            assertThat(spec.getPriorityClassName()).isEqualTo("research-low");
            assertThat(spec.getPriority())
                    .as("resolved by the Priority admission plugin")
                    .isEqualTo(1000);
            assertThat(spec.getAutomountServiceAccountToken()).isFalse();
            assertThat(spec.getVolumes()).noneMatch(v -> v.getName().startsWith("kube-api-access"));
            var trainer = spec.getContainers().get(0);
            assertThat(trainer.getResources().getLimits()).containsKey("nvidia.com/mig-1g.10gb");
            assertThat(trainer.getEnvFrom()).hasSize(1);
            assertThat(trainer.getVolumeMounts())
                    .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/dev/shm"));
            assertThat(spec.getSecurityContext().getFsGroup()).isEqualTo(2000L);
        }
    }

    /** crds/examples/quickstart-data-job.yaml: the server accepts the Job, and its pod passes Restricted Pod Security. */
    @Test
    void theQuickStartDataJobIsAcceptedAndRestricted() throws Exception {
        Path job = Path.of("..", "crds", "examples", "quickstart-data-job.yaml").toAbsolutePath();
        RealApi.Result r = RealApi.kubectl(
                "create", "--dry-run=server", "--validate=strict", "-n", namespace, "-f", job.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).as("no Pod Security warning for the template").doesNotContain("Warning");
        JsonNode template = new ObjectMapper(new YAMLFactory())
                .readTree(job.toFile())
                .path("spec")
                .path("template");
        Pod pod = new ObjectMapper().convertValue(template, Pod.class);
        pod.getMetadata().setName("quickstart-data-check");
        pod.getMetadata().setNamespace(namespace);
        assertThat(admin.resource(pod).dryRun().create().getSpec().getInitContainers())
                .hasSize(1);
    }
}
