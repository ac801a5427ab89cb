package io.densecl.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Renders the chart with helm template (memoised per values file) and parses the YAML stream. */
final class Manifests {
    private Manifests() {}

    static final ObjectMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String RELEASE = "densecl";
    static final String NAMESPACE = "densecl-system";
    static final String WATCHED_VALUES = "ci/watched-namespaces-values.yaml";

    private static final Map<String, List<JsonNode>> CACHE = new ConcurrentHashMap<>();

    /** Rendered objects; valuesFile is relative to the chart ("" for the defaults). */
    static List<JsonNode> render(String valuesFile) {
        return CACHE.computeIfAbsent(valuesFile, v -> parseAll(template(v)));
    }

    static String template(String valuesFile) {
        List<String> cmd = new ArrayList<>(List.of(
                Tools.helm().toString(), "template", RELEASE, Tools.chartDir().toString(), "--namespace", NAMESPACE));
        if (!valuesFile.isEmpty()) {
            cmd.add("--values");
            cmd.add(Tools.chartDir().resolve(valuesFile).toString());
        }
        return Tools.run(cmd).ok("helm template " + valuesFile).stdout();
    }

    static List<JsonNode> parseAll(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (JsonParser parser = new YAMLFactory().createParser(yaml);
                MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class)) {
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && node.isObject() && node.size() > 0) {
                    docs.add(node);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).collect(Collectors.toList());
    }

    static JsonNode single(List<JsonNode> docs, String kind) {
        List<JsonNode> found = ofKind(docs, kind);
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + kind + ", found " + found.size());
        }
        return found.get(0);
    }

    static List<JsonNode> where(List<JsonNode> docs, Predicate<JsonNode> p) {
        return docs.stream().filter(p).collect(Collectors.toList());
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Numbers compared by value (helm's fromYaml/toYaml turns 1 into 1.0 and back). */
    static JsonNode normalise(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            node.fields().forEachRemaining(e -> out.set(e.getKey(), normalise(e.getValue())));
            return out;
        }
        if (node.isArray()) {
            var out = JSON.createArrayNode();
            node.forEach(n -> out.add(normalise(n)));
            return out;
        }
        if (node.isNumber()) {
            return JSON.getNodeFactory().numberNode(node.decimalValue().stripTrailingZeros());
        }
        return node;
    }
}
