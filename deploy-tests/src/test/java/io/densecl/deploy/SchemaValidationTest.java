package io.densecl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Validates every rendered object of a built-in kind against the Kubernetes OpenAPI schema (the npm
 * package kubernetes-models, offline). Prometheus Operator kinds get a structural check here.
 */
class SchemaValidationTest {

    static final Set<String> CUSTOM_KINDS = Set.of("ServiceMonitor", "PodMonitor");

    static List<JsonNode> validate(List<JsonNode> objects, Path tmp) throws Exception {
        Path models = Tools.kubernetesModels();
        Path node = Tools.tool("node");
        ArrayNode array = Manifests.JSON.createArrayNode();
        objects.forEach(array::add);
        Path file = tmp.resolve("objects.json");
        Manifests.JSON.writeValue(file.toFile(), array);
        Path script = Tools.repoRoot().resolve("deploy-tests/src/test/node/validate-k8s.mjs");
        Tools.Result r = Tools.run(
                List.of(node.toString(), script.toString(), models.toString(), file.toString()),
                Tools.repoRoot(),
                Map.of());
        List<JsonNode> results = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank()) {
                results.add(Manifests.JSON.readTree(line));
            }
        }
        assertThat(results).as("one result per object; stderr: %s", r.stderr()).hasSize(objects.size());
        return results;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", Manifests.WATCHED_VALUES})
    void renderedManifestsMatchKubernetesSchemas(String values, @TempDir Path tmp) throws Exception {
        List<JsonNode> objects = Manifests.render(values);
        List<JsonNode> results = validate(objects, tmp);
        for (JsonNode res : results) {
            String kind = res.path("kind").asText();
            if (CUSTOM_KINDS.contains(kind)) {
                assertThat(res.path("status").asText()).isEqualTo("unknown-kind");
            } else {
                assertThat(res.path("status").asText())
                        .as(
                                "%s/%s: %s",
                                kind,
                                res.path("name").asText(),
                                res.path("error").asText())
                        .isEqualTo("valid");
            }
        }
        assertThat(results)
                .filteredOn(r -> r.path("status").asText().equals("valid"))
                .hasSizeGreaterThanOrEqualTo(10);
        for (JsonNode obj : objects) {
            if (CUSTOM_KINDS.contains(obj.path("kind").asText())) {
                assertThat(obj.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
                assertThat(obj.path("spec").path("selector").isObject()).isTrue();
            }
        }
    }

    @Test
    void theValidatorRejectsABrokenObject(@TempDir Path tmp) throws Exception {
        JsonNode deployment =
                Manifests.single(Manifests.render(""), "Deployment").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode)
                        HelmChartTest.container(deployment).path("ports").get(0))
                .put("containerPort", "eighty");
        List<JsonNode> results = validate(List.of(deployment), tmp);
        assertThat(results.get(0).path("status").asText()).isEqualTo("invalid");
        assertThat(results.get(0).path("error").asText()).contains("containerPort");
    }

    @Test
    void exampleRunsAreWellFormedYaml() throws Exception {
        try (var files = Files.list(Tools.repoRoot().resolve("gitops/flux/runs"))) {
            for (Path f : files.toList()) {
                JsonNode run = Manifests.readYaml(f);
                assertThat(run.path("apiVersion").asText()).isEqualTo("densecl.io/v1alpha1");
                assertThat(run.path("kind").asText()).isEqualTo("DenseCLRun");
            }
        }
    }
}
