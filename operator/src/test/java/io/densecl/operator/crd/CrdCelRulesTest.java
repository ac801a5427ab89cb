package io.densecl.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CEL rules of the committed CRD (kept equal to the generated one by CrdDriftIT), evaluated with
 * cel-java against good and bad specs, including transition rules against an old object. The fast tier of
 * {@link CelCases}; {@code realapi.CelRulesIT} runs the same table on the real API server.
 */
class CrdCelRulesTest {

    static final Path CRD = CelCases.CRD;
    static final Path QUICKSTART = CelCases.QUICKSTART;
    static CrdCel cel;

    @BeforeAll
    static void load() throws Exception {
        cel = CrdCel.load(CRD);
    }

    @Test
    void theCrdHasTheExpectedRules() {
        assertThat(cel.rules())
                .contains(
                        "self.denseCL.queueSize % self.training.batchSize == 0",
                        "self == oldSelf",
                        "self > 0.0 && self <= 10.0",
                        "self >= 0.01 && self <= 1.0",
                        "self.training.batchSize <= self.denseCL.bnGroupSize || self.training.batchSize % self.denseCL.bnGroupSize == 0",
                        "(has(self.epochs) ? self.epochs : self.recipe == 'coco' ? 800 : 200) >= "
                                + "(has(oldSelf.epochs) ? oldSelf.epochs : oldSelf.recipe == 'coco' ? 800 : 200)");
        assertThat(cel.rules().size()).isGreaterThanOrEqualTo(17);
    }

    @Test
    void examplesAreValid() throws Exception {
        try (Stream<Path> files = Files.list(CelCases.EXAMPLES)) {
            List<Path> examples =
                    files.filter(p -> p.toString().endsWith(".yaml")).toList();
            int runs = 0;
            for (Path p : examples) {
                Map<String, Object> doc = load(p);
                if ("DenseCLRun".equals(doc.get("kind"))) {
                    assertThat(cel.violations(doc, null)).as(p.toString()).isEmpty();
                    assertThat(cel.unknownFields(doc))
                            .as("fields unknown to the CRD in " + p)
                            .isEmpty();
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
    @MethodSource("io.densecl.operator.crd.CelCases#badCreates")
    void rejectsOnCreate(CelCases.Case c) throws Exception {
        assertThat(cel.violations(CelCases.quickstart(c), null)).contains("." + c.field() + ": " + c.message());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.densecl.operator.crd.CelCases#goodEdges")
    void acceptsEdgeValues(CelCases.Case c) throws Exception {
        assertThat(cel.violations(CelCases.quickstart(c), null)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.densecl.operator.crd.CelCases#updates")
    void transitionRules(CelCases.Case c) throws Exception {
        List<String> violations = cel.violations(CelCases.quickstart(c), CelCases.stored(c));
        if (c.valid()) {
            assertThat(violations).isEmpty();
        } else {
            assertThat(violations).contains("." + c.field() + ": " + c.message());
        }
    }

    static Consumer<Map<String, Object>> set(String section, String key, Object value) {
        return CelCases.set(section, key, value);
    }

    static Map<String, Object> spec(Map<String, Object> run) {
        return CelCases.spec(run);
    }

    static Map<String, Object> load(Path p) throws Exception {
        return CelCases.load(p);
    }
}
