package io.densecl.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Least privilege in the generated manifests (target/kubernetes/kubernetes.yml). */
class GeneratedRbacIT {

    @Test
    void operatorRoleIsLeastPrivilege() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory()
                .createParser(Path.of("target", "kubernetes", "kubernetes.yml").toFile())) {
            yaml.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
        }
        Map<String, Set<String>> verbs = new HashMap<>();
        for (JsonNode doc : docs) {
            String kind = doc.path("kind").asText();
            if (!kind.equals("ClusterRole") && !kind.equals("Role")) {
                continue;
            }
            for (JsonNode rule : doc.path("rules")) {
                for (JsonNode resource : rule.path("resources")) {
                    for (JsonNode verb : rule.path("verbs")) {
                        verbs.computeIfAbsent(resource.asText(), r -> new TreeSet<>())
                                .add(verb.asText());
                    }
                }
            }
        }
        assertThat(verbs).doesNotContainKeys("secrets", "pods/exec", "pods/attach", "*");
        assertThat(verbs.values()).noneMatch(v -> v.contains("*"));
        assertThat(verbs.get("pods")).containsExactlyInAnyOrder("get", "list", "watch", "create", "delete");
        assertThat(verbs.get("configmaps")).doesNotContain("delete");
        assertThat(verbs.get("persistentvolumeclaims")).containsExactlyInAnyOrder("get", "list", "watch", "create");
        assertThat(verbs.get("events")).containsExactlyInAnyOrder("create", "patch");
        assertThat(verbs.get("networkpolicies"))
                .as("trainer policies are created, never changed or deleted (the GC does)")
                .containsExactlyInAnyOrder("get", "create");
        assertThat(verbs).containsKey("denseclruns/status");
        assertThat(docs)
                .noneMatch(d -> d.path("kind").asText().equals("RoleBinding")
                        && d.path("roleRef").path("name").asText().equals("view"));
        JsonNode deployment = docs.stream()
                .filter(d -> d.path("kind").asText().equals("Deployment"))
                .findFirst()
                .orElseThrow();
        assertThat(deployment.at("/spec/template/spec/serviceAccountName").asText())
                .isEqualTo("densecl-operator");
    }
}
