package io.densecl.deploy;

import static io.densecl.deploy.Manifests.WATCHED_VALUES;
import static io.densecl.deploy.Manifests.ofKind;
import static io.densecl.deploy.Manifests.render;
import static io.densecl.deploy.Manifests.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart's operator roles (the ClusterRole, or each watched namespace's Role) grant exactly the rules the
 * Quarkus build generates ({@code operator/target/kubernetes/kubernetes.yml}): nothing broader, and nothing
 * narrower either, since the real-API tier ({@code OperatorProcessIT}) proves the operator works with exactly the
 * generated ones. Compared as {@code group/resource:verb} sets. The leader-election Role is the chart's own.
 */
class ChartRbacMatchesGeneratedTest {

    static Path generatedManifests() {
        Path file = Tools.repoRoot().resolve("operator/target/kubernetes/kubernetes.yml");
        if (!Files.isRegularFile(file)) {
            Tools.missing(file + " (build the operator first: mvn -B -pl operator -am package -DskipTests)");
        }
        return file;
    }

    static Set<String> grants(List<JsonNode> roles) {
        Set<String> out = new TreeSet<>();
        for (JsonNode role : roles) {
            for (JsonNode rule : role.path("rules")) {
                for (String g : texts(rule.path("apiGroups"))) {
                    for (String r : texts(rule.path("resources"))) {
                        texts(rule.path("verbs")).forEach(v -> out.add(g + "/" + r + ":" + v));
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", WATCHED_VALUES})
    void theChartsOperatorRolesGrantExactlyTheGeneratedRules(String values) throws Exception {
        List<JsonNode> generatedDocs = Manifests.parseAll(Files.readString(generatedManifests()));
        Set<String> generated = grants(ofKind(generatedDocs, "ClusterRole"));
        assertThat(generated).as("generated rules").contains("/pods:create", "densecl.io/denseclruns/status:patch");

        List<JsonNode> chartRoles = new ArrayList<>(ofKind(render(values), "ClusterRole"));
        ofKind(render(values), "Role").stream()
                .filter(r -> !r.path("metadata").path("name").asText().endsWith("-leader-election"))
                .forEach(chartRoles::add);
        assertThat(chartRoles).as("operator roles in the chart").isNotEmpty();
        for (JsonNode role : chartRoles) {
            String where = role.path("kind").asText() + " "
                    + role.path("metadata").path("namespace").asText("") + "/"
                    + role.path("metadata").path("name").asText();
            Set<String> granted = grants(List.of(role));
            Set<String> broader = new TreeSet<>(granted);
            broader.removeAll(generated);
            Set<String> narrower = new TreeSet<>(generated);
            narrower.removeAll(granted);
            assertThat(broader)
                    .as(where + " grants more than the generated rules")
                    .isEmpty();
            assertThat(narrower)
                    .as(where + " grants less than the generated rules")
                    .isEmpty();
        }
    }
}
