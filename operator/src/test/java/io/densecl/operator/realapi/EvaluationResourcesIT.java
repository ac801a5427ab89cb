package io.densecl.operator.realapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.crd.CelCases;
import io.densecl.operator.reconciler.SpecValidator;
import io.densecl.operator.resources.PodFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The GPU and evaluation fields on the real kube-apiserver: the static bound on resources.gpus and on an
 * evaluation's GPUs (schema maximum and minimum), the server's defaults for an evaluation (backoffLimit 2, no
 * resources, so the operator sizes them), and the ResNet-50 example as the server stores it: within the operator's
 * one-node GPU cap, rendered into an 8-GPU trainer and one-GPU evaluation pods.
 */
class EvaluationResourcesIT {

    static String namespace;

    @BeforeAll
    static void setUp() throws Exception {
        RealApi.assumeAvailable();
        RealApi.installCrd();
        namespace = RealApi.namespace("evalres");
    }

    @AfterAll
    static void tearDown() {
        if (namespace != null) {
            RealApi.deleteNamespaces(List.of(namespace));
        }
    }

    static NonNamespaceOperation<
                    GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            runs() {
        return RealApi.runs(namespace);
    }

    static GenericKubernetesResource quickstart(String name, Consumer<Map<String, Object>> edit) throws Exception {
        Map<String, Object> run = CelCases.load(CelCases.QUICKSTART);
        edit.accept(CelCases.spec(run));
        GenericKubernetesResource r = Serialization.jsonMapper().convertValue(run, GenericKubernetesResource.class);
        r.getMetadata().setName(name);
        r.getMetadata().setNamespace(namespace);
        return r;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> firstEvaluation(Map<String, Object> spec) {
        var e = new LinkedHashMap<>((Map<String, Object>) ((List<Object>) spec.get("evaluations")).get(0));
        spec.put("evaluations", List.of(e));
        return e;
    }

    static List<StatusCause> refusal(GenericKubernetesResource r) {
        KubernetesClientException e = catchThrowableOfType(
                KubernetesClientException.class,
                () -> runs().resource(r).dryRun().create());
        assertThat(e).as("the server accepted it").isNotNull();
        assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
        return e.getStatus().getDetails().getCauses();
    }

    @Test
    void gpuCountsOutsideTheStaticBoundsAreRefusedNamingTheField() throws Exception {
        assertThat(refusal(quickstart(
                        "too-many", s -> CelCases.set("resources", "gpus", 65).accept(s))))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.getField()).isEqualTo("spec.resources.gpus");
                    assertThat(c.getMessage()).contains("less than or equal to 64");
                });
        assertThat(refusal(quickstart("eval-negative", s -> firstEvaluation(s).put("resources", Map.of("gpus", -1)))))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.getField()).isEqualTo("spec.evaluations[0].resources.gpus");
                    assertThat(c.getMessage()).contains("greater than or equal to 0");
                });
        assertThat(refusal(quickstart("bad-classes", s -> firstEvaluation(s).put("classes", 1))))
                .singleElement()
                .extracting(StatusCause::getField)
                .isEqualTo("spec.evaluations[0].classes");
        // the schema admits up to 64; the operator's cap (one node, Helm trainer.maxGpusPerPod) is what refuses 9 of 8
        GenericKubernetesResource nine = runs().resource(quickstart(
                        "nine", s -> CelCases.set("resources", "gpus", 9).accept(s)))
                .dryRun()
                .create();
        DenseCLRun run = Serialization.jsonMapper().convertValue(nine, DenseCLRun.class);
        assertThat(SpecValidator.validate(run.getSpec(), TestSettings.settings()))
                .get()
                .satisfies(p -> assertThat(p.field()).isEqualTo("spec.resources.gpus"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theServerDefaultsAnEvaluationsBudgetAndLeavesItsResourcesToTheOperator() throws Exception {
        GenericKubernetesResource stored =
                runs().resource(quickstart("defaults", s -> {})).create();
        var e = (Map<String, Object>) ((List<Object>)
                        ((Map<String, Object>) stored.getAdditionalProperties().get("spec")).get("evaluations"))
                .get(0);
        assertThat(e)
                .containsEntry("backoffLimit", 2)
                .doesNotContainKey("resources")
                .doesNotContainKey("classes");
    }

    @Test
    void theResNet50ExampleAsStoredRendersEightTrainerGpusAndOneGpuPerEvaluation() throws Exception {
        Map<String, Object> doc = CelCases.load(Path.of("..", "crds", "examples", "resnet50-imagenet.yaml"));
        GenericKubernetesResource r = Serialization.jsonMapper().convertValue(doc, GenericKubernetesResource.class);
        r.getMetadata().setNamespace(namespace);
        GenericKubernetesResource stored = runs().resource(r).dryRun().create();
        DenseCLRun run = Serialization.jsonMapper().convertValue(stored, DenseCLRun.class);
        assertThat(SpecValidator.validate(run.getSpec(), TestSettings.settings()))
                .isEmpty();
        PodFactory pods = new PodFactory(TestSettings.settings());
        assertThat(pods.trainerPod(run, 1, List.of())
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getResources()
                        .getLimits())
                .containsEntry("nvidia.com/gpu", new Quantity("8"));
        for (var e : run.getSpec().evaluations) {
            assertThat(pods.evaluationPod(run, e, "p", 1, null)
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getResources()
                            .getLimits())
                    .as(e.name)
                    .containsEntry("nvidia.com/gpu", new Quantity("1"));
        }
    }
}
