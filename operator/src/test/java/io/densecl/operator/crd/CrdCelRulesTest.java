package io.densecl.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CEL rules of the committed CRD (kept equal to the generated one by CrdDriftIT), evaluated with
 * cel-java against good and bad specs, including transition rules against an old object.
 */
class CrdCelRulesTest {

    static final Path CRD = Path.of("..", "crds", "denseclruns.densecl.io-v1.yml");
    static final Path QUICKSTART = Path.of("..", "crds", "examples", "quickstart.yaml");
    static CrdCel cel;

    @BeforeAll
    static void load() throws Exception {
        cel = CrdCel.load(CRD);
    }

    @Test
    void theCrdHasTheExpectedRules() {
        assertThat(cel.rules()).contains("self.denseCL.queueSize % self.training.batchSize == 0", "self == oldSelf",
                "self >= oldSelf", "self > 0.0 && self <= 10.0", "self >= 0.01 && self <= 1.0");
        assertThat(cel.rules().size()).isGreaterThanOrEqualTo(17);
    }

    @Test
    void examplesAreValid() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("..", "crds", "examples"))) {
            List<Path> examples = files.filter(p -> p.toString().endsWith(".yaml")).toList();
            int runs = 0;
            for (Path p : examples) {
                Map<String, Object> doc = load(p);
                if ("DenseCLRun".equals(doc.get("kind"))) {
                    assertThat(cel.violations(doc, null)).as(p.toString()).isEmpty();
                    assertThat(cel.unknownFields(doc)).as("fields unknown to the CRD in " + p).isEmpty();
                    runs++;
                }
            }
            assertThat(runs).as("quickstart and the ResNet-50 example").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void typosAreReportedAsUnknownFields() throws Exception {
        Map<String, Object> run = load(QUICKSTART);
        set("training", "epoch", 3).accept(spec(run));
        assertThat(cel.unknownFields(run)).containsExactly(".spec.training.epoch");
    }

    @Test
    void aMinimalSpecIsValidAfterDefaulting() {
        Map<String, Object> run = Map.of("spec", Map.of("data", Map.of("claimName", "d")));
        assertThat(cel.violations(run, null)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCreates")
    void rejectsOnCreate(String name, Consumer<Map<String, Object>> edit, String message) throws Exception {
        Map<String, Object> run = load(QUICKSTART);
        edit.accept(spec(run));
        assertThat(cel.violations(run, null)).anySatisfy(v -> assertThat(v).contains(message));
    }

    static Stream<Arguments> badCreates() {
        return Stream.of(
                Arguments.of("queue not divisible by batch", set("denseCL", "queueSize", 250), "divisible"),
                Arguments.of("momentum 1.0", set("denseCL", "momentum", 1.0), "momentum must be in [0, 1)"),
                Arguments.of("momentum negative", set("denseCL", "momentum", -0.1), "momentum must be in [0, 1)"),
                Arguments.of("lossLambda above 1", set("denseCL", "lossLambda", 1.5), "lossLambda must be in [0, 1]"),
                Arguments.of("lossLambda negative", set("denseCL", "lossLambda", -0.5), "lossLambda must be in [0, 1]"),
                Arguments.of("temperature zero", set("denseCL", "temperature", 0.0), "temperature must be in [0.01, 1.0]"),
                // issue 18: absurd values the trainer refuses (lr 1e6 exploded BatchNorm statistics to 3e14)
                Arguments.of("temperature above 1", set("denseCL", "temperature", 1.5), "temperature must be in [0.01, 1.0]"),
                Arguments.of("lr above 10", set("training", "lr", 1e6), "lr must be in (0, 10.0]"),
                Arguments.of("weightDecay above 0.1", set("training", "weightDecay", 0.2), "weightDecay must be in [0, 0.1]"),
                Arguments.of("maxUnreadableFraction above 1", set("data", "maxUnreadableFraction", 1.5),
                        "maxUnreadableFraction must be in [0, 1]"),
                Arguments.of("a batch view over 2^31-1 values", (Consumer<Map<String, Object>>) s -> {
                    set("training", "imageSize", 2048).accept(s);
                    set("training", "batchSize", 256).accept(s);
                }, "one view of a batch is one host array"),
                Arguments.of("a queue over 2^31-1 values", (Consumer<Map<String, Object>>) s -> {
                    set("denseCL", "queueSize", 1 << 24).accept(s);
                    set("model", "dim", 128).accept(s);
                }, "each queue is one tensor"),
                Arguments.of("existing claim and size", set("checkpoint", "claimName", "ckpt"), "not both"),
                Arguments.of("Resume without a source", set("resume", "mode", "Resume"), "fromRun or fromPath"),
                Arguments.of("duplicate evaluation names", (Consumer<Map<String, Object>>) s -> {
                    @SuppressWarnings("unchecked")
                    var evals = (List<Object>) s.get("evaluations");
                    s.put("evaluations", List.of(evals.get(0), evals.get(0)));
                }, "unique"),
                Arguments.of("EveryNEpochs without everyEpochs", (Consumer<Map<String, Object>>) s -> {
                    @SuppressWarnings("unchecked")
                    var e = new LinkedHashMap<>((Map<String, Object>) ((List<Object>) s.get("evaluations")).get(0));
                    e.put("trigger", "EveryNEpochs");
                    s.put("evaluations", List.of(e));
                }, "everyEpochs"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodEdges")
    void acceptsEdgeValues(String name, Consumer<Map<String, Object>> edit) throws Exception {
        Map<String, Object> run = load(QUICKSTART);
        edit.accept(spec(run));
        assertThat(cel.violations(run, null)).isEmpty();
    }

    static Stream<Arguments> goodEdges() {
        return Stream.of(Arguments.of("momentum 0", set("denseCL", "momentum", 0.0)),
                Arguments.of("lossLambda 0", set("denseCL", "lossLambda", 0.0)),
                Arguments.of("lossLambda 1", set("denseCL", "lossLambda", 1.0)),
                Arguments.of("queue 16 = batch", set("denseCL", "queueSize", 16)),
                Arguments.of("lr 10", set("training", "lr", 10.0)),
                Arguments.of("weightDecay 0.1", set("training", "weightDecay", 0.1)),
                Arguments.of("temperature 0.01", set("denseCL", "temperature", 0.01)),
                Arguments.of("temperature 1", set("denseCL", "temperature", 1.0)),
                Arguments.of("maxUnreadableFraction 0", set("data", "maxUnreadableFraction", 0.0)),
                Arguments.of("2048 px at batch 128", (Consumer<Map<String, Object>>) s -> {
                    set("training", "imageSize", 2048).accept(s);
                    set("training", "batchSize", 128).accept(s);
                    set("denseCL", "queueSize", 128).accept(s);
                }),
                Arguments.of("WarmStart from a run", (Consumer<Map<String, Object>>) s -> {
                    s.put("resume", Map.of("mode", "WarmStart", "fromRun", "other"));
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("updates")
    void transitionRules(String name, Consumer<Map<String, Object>> edit, String message) throws Exception {
        Map<String, Object> old = load(QUICKSTART);
        Map<String, Object> updated = load(QUICKSTART);
        edit.accept(spec(updated));
        List<String> violations = cel.violations(updated, old);
        if (message == null) {
            assertThat(violations).isEmpty();
        } else {
            assertThat(violations).anySatisfy(v -> assertThat(v).contains(message));
        }
    }

    static Stream<Arguments> updates() {
        return Stream.of(
                Arguments.of("no change", (Consumer<Map<String, Object>>) s -> { }, null),
                Arguments.of("epochs grow", set("training", "epochs", 4), null),
                Arguments.of("suspend toggles", (Consumer<Map<String, Object>>) s -> s.put("suspend", true), null),
                Arguments.of("epochs shrink", set("training", "epochs", 1), "epochs may only grow"),
                Arguments.of("backbone changes", set("model", "backbone", "resnet50"), "spec.model is immutable"),
                Arguments.of("hid changes", set("model", "hid", 256), "spec.model is immutable"),
                Arguments.of("queue changes", set("denseCL", "queueSize", 512), "spec.denseCL is immutable"),
                Arguments.of("temperature changes", set("denseCL", "temperature", 0.1), "spec.denseCL is immutable"),
                Arguments.of("batch changes", set("training", "batchSize", 32), "batchSize is immutable"),
                Arguments.of("lr changes", set("training", "lr", 0.3), "lr is immutable"),
                Arguments.of("seed changes", set("training", "seed", 7), "seed is immutable"),
                Arguments.of("image size changes", set("training", "imageSize", 96), "imageSize is immutable"));
    }

    @SuppressWarnings("unchecked")
    static Consumer<Map<String, Object>> set(String section, String key, Object value) {
        return spec -> {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) spec.getOrDefault(section, Map.of()));
            copy.put(key, value);
            spec.put(section, copy);
        };
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(Map<String, Object> run) {
        return (Map<String, Object>) run.get("spec");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(Path p) throws Exception {
        Map<String, Object> run = CrdCel.YAML.readValue(p.toFile(), LinkedHashMap.class);
        if (run.get("spec") != null) {
            run.put("spec", new LinkedHashMap<>((Map<String, Object>) run.get("spec")));
        }
        return run;
    }
}
