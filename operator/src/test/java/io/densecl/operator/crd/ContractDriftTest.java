package io.densecl.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.contract.Backbone;
import io.densecl.contract.ConfigViolation;
import io.densecl.contract.DataFormat;
import io.densecl.contract.EvaluationProtocol;
import io.densecl.contract.EvaluationTask;
import io.densecl.contract.Recipe;
import io.densecl.contract.RunConfig;
import io.densecl.contract.RunConfigJson;
import io.densecl.contract.RunConfigValidator;
import io.densecl.contract.Schedule;
import io.densecl.contract.TrainerInvocation;
import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.reconciler.SpecValidator;
import io.densecl.operator.resources.PodFactory;
import io.densecl.operator.resources.RunConfigRenderer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD against the trainer's contract: every example and every enum value of the CRD, rendered into
 * run.json the way the operator renders it, passes the trainer's validator; the CRD's enums are the contract's;
 * its defaults are the trainer's; and for every numeric field the CRD (schema + CEL) and the trainer accept and
 * refuse the same values. A CRD that admits what the trainer refuses (or the reverse) fails here.
 */
class ContractDriftTest {

    static final Path CRD = Path.of("..", "crds", "denseclruns.densecl.io-v1.yml");
    static final Path EXAMPLES = Path.of("..", "crds", "examples");
    /** Spec sections rendered into the run.json section of the same name. */
    static final List<String> SECTIONS = List.of("data", "model", "denseCL", "training", "checkpoint");
    /** run.json fields no spec field sets, and why. */
    static final Map<String, String> NOT_IN_THE_CRD = Map.of(
            "checkpoint.dir", "derived by the operator from namespace, name and trajectory hash",
            "training.threads", "libtorch's intra-op pool: a property of the node, not of the run",
            "checkpoint.pinFile", "the pins.json key of the run's ConfigMap: epochs pending evaluations still read");
    /** Top-level run.json fields a spec field elsewhere sets: run.json key, spec path. */
    static final Map<String, String> TOP_LEVEL_FROM_THE_SPEC =
            Map.of("healthzStaleSeconds", ".spec.failurePolicy.trainerStaleSeconds");
    /** Top-level run.json fields only the operator sets, and how. */
    static final Map<String, String> TOP_LEVEL_BY_THE_OPERATOR = Map.of(
            "run", "the object's namespace, name and uid",
            "resume", "from spec.resume: mode Auto plus the resolved fromDir/warmStart",
            "device", "from spec.resources.gpus",
            "devices", "from spec.resources.gpus: gpu0..gpu{n-1}, or cpu",
            "progressPort", "an operator setting (the port it polls)",
            "terminationLog", "the container's terminationMessagePath");
    /** run.json fields a spec field of the same name sets, but not to the same value. */
    static final Map<String, String> DERIVED =
            Map.of("data.path", "the spec's path is inside the claim; the operator prefixes the mount point");
    /** CRD defaults that differ from the trainer's on purpose, and why. */
    static final Map<String, String> OWN_DEFAULTS =
            Map.of("training.workers", "a GPU node needs more loader threads than a workstation (bench/README.md)");
    /** Enums of the spec the trainer never sees, and where they go instead. */
    static final Map<String, String> OPERATOR_ONLY_ENUMS = Map.of(
            ".spec.checkpoint.onDelete", "owner reference of the created checkpoint claim",
            ".spec.resume.mode", "rendered as resume.mode Auto plus fromDir/warmStart",
            ".spec.evaluations[].trigger", "when the operator starts an evaluation pod",
            ".spec.evaluations[].data.format", "not passed to evaluate, which reads its own layouts");
    /** Enums of the spec the trainer sees, with the contract's values. */
    static final Map<String, List<String>> TRAINER_ENUMS = Map.of(
            ".spec.data.format", names(DataFormat.values()),
            ".spec.model.backbone", names(Backbone.values()),
            ".spec.training.schedule", names(Schedule.values()),
            ".spec.training.recipe", names(Recipe.values()),
            ".spec.evaluations[].type", names(EvaluationTask.values()),
            ".spec.evaluations[].protocol", names(EvaluationProtocol.values()));

    static CrdCel crd;

    @BeforeAll
    static void load() throws Exception {
        crd = CrdCel.load(CRD);
    }

    @Test
    void everyExampleRendersToARunJsonTheTrainerAccepts() throws Exception {
        int runs = 0;
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path p :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                Map<String, Object> doc = CrdCelRulesTest.load(p);
                if (!"DenseCLRun".equals(doc.get("kind"))) {
                    continue;
                }
                DenseCLRun run = asRun(doc);
                RunConfig config = RunConfigRenderer.config(run, TestSettings.settings(), null);
                assertThat(RunConfigValidator.violations(config))
                        .as(p.toString())
                        .isEmpty();
                assertThat(SpecValidator.validate(run.getSpec(), TestSettings.settings()))
                        .as(p.toString())
                        .isEmpty();
                assertThat(SpecValidator.validateForTrainer(config))
                        .as(p.toString())
                        .isEmpty();
                String json = RunConfigJson.write(config);
                assertThat(RunConfigJson.write(RunConfigJson.read(json)))
                        .as("the trainer's strict reader takes " + p)
                        .isEqualTo(json);
                runs++;
            }
        }
        assertThat(runs).isGreaterThanOrEqualTo(2);
    }

    @Test
    void everyEnumOfTheSpecIsClassifiedAndTheTrainersAreTheContracts() {
        Map<String, List<Object>> enums = new LinkedHashMap<>(crd.enums());
        enums.keySet().removeIf(path -> !path.startsWith(".spec."));
        Set<String> classified = new TreeSet<>(TRAINER_ENUMS.keySet());
        classified.addAll(OPERATOR_ONLY_ENUMS.keySet());
        assertThat(enums.keySet())
                .as("a new enum in the spec: add it to TRAINER_ENUMS or OPERATOR_ONLY_ENUMS")
                .containsExactlyInAnyOrderElementsOf(classified);
        TRAINER_ENUMS.forEach((path, contract) -> assertThat(enums.get(path))
                .as(path)
                .map(String::valueOf)
                .containsExactlyInAnyOrderElementsOf(contract));
    }

    @Test
    void everyEnumValueOfTheSpecRendersToSomethingTheTrainerAccepts() throws Exception {
        for (Map.Entry<String, List<Object>> e : crd.enums().entrySet()) {
            String path = e.getKey();
            if (!path.startsWith(".spec.")) {
                continue;
            }
            for (Object value : e.getValue()) {
                Map<String, Object> doc = quickstart();
                set(doc, path, value);
                if (path.equals(".spec.resume.mode") && ("Resume".equals(value) || "WarmStart".equals(value))) {
                    set(doc, ".spec.resume.fromPath", "other/ckpt-e1-s10");
                }
                if (path.equals(".spec.evaluations[].trigger") && "EveryNEpochs".equals(value)) {
                    set(doc, ".spec.evaluations[].everyEpochs", 1);
                }
                assertThat(crd.schemaViolations(doc)).as(path + "=" + value).isEmpty();
                assertThat(crd.violations(doc, null)).as(path + "=" + value).isEmpty();
                DenseCLRun run = asRun(doc);
                RunConfig config = RunConfigRenderer.config(run, TestSettings.settings(), null);
                assertThat(RunConfigValidator.violations(config))
                        .as(path + "=" + value)
                        .isEmpty();
                for (var evaluation : run.getSpec().evaluations) { // what evaluation pods pass as --task and --protocol
                    List<String> command = new PodFactory(TestSettings.settings())
                            .evaluationPod(run, evaluation, "p", 1, null)
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getCommand();
                    String task = command.get(command.indexOf(TrainerInvocation.TASK) + 1);
                    assertThat(EvaluationTask.valueOf(task))
                            .as(path + "=" + value)
                            .isNotNull();
                    String protocol = command.get(command.indexOf(TrainerInvocation.PROTOCOL) + 1);
                    assertThat(EvaluationProtocol.valueOf(protocol))
                            .as(path + "=" + value)
                            .isNotNull();
                }
            }
        }
    }

    @Test
    void everyTopLevelRunJsonFieldIsSetFromTheSpecOrByTheOperator() {
        Set<String> classified = new TreeSet<>(SECTIONS);
        classified.addAll(TOP_LEVEL_FROM_THE_SPEC.keySet());
        classified.addAll(TOP_LEVEL_BY_THE_OPERATOR.keySet());
        assertThat(Arrays.stream(RunConfig.class.getFields())
                        .filter(f -> !Modifier.isStatic(f.getModifiers()))
                        .map(Field::getName))
                .as("a new run.json key: give it a spec field (TOP_LEVEL_FROM_THE_SPEC) or say who sets it")
                .containsExactlyInAnyOrderElementsOf(classified);
    }

    @Test
    void theCrdDefaultsAreTheTrainersDefaults() throws Exception {
        RunConfig trainer = new RunConfig();
        for (Map.Entry<String, String> e : TOP_LEVEL_FROM_THE_SPEC.entrySet()) {
            Map<String, Object> property = crd.schemaAt(e.getValue());
            assertThat(property)
                    .as("run.json " + e.getKey() + " has no spec field " + e.getValue())
                    .isNotNull();
            assertThat(((Number) property.get("default")).doubleValue())
                    .as(e.getKey())
                    .isEqualTo(((Number) RunConfig.class.getField(e.getKey()).get(trainer)).doubleValue());
        }
        for (String section : SECTIONS) {
            for (Field f : sectionFields(section)) {
                String field = section + "." + f.getName();
                Map<String, Object> property = crd.schemaAt(".spec." + field);
                if (NOT_IN_THE_CRD.containsKey(field)) {
                    assertThat(property)
                            .as(field + ": " + NOT_IN_THE_CRD.get(field))
                            .isNull();
                    continue;
                }
                assertThat(property)
                        .as("run.json " + field + " has no spec field")
                        .isNotNull();
                if (DERIVED.containsKey(field)) {
                    continue;
                }
                Object expected = value(trainer, section, f);
                Object crdDefault = property.get("default");
                if (OWN_DEFAULTS.containsKey(field)) {
                    assertThat(String.valueOf(crdDefault))
                            .as(field + ": " + OWN_DEFAULTS.get(field))
                            .isNotEqualTo(String.valueOf(expected));
                } else if (expected instanceof Number n) {
                    assertThat(((Number) crdDefault).doubleValue()).as(field).isEqualTo(n.doubleValue());
                } else {
                    assertThat(String.valueOf(crdDefault)).as(field).isEqualTo(String.valueOf(expected));
                }
            }
        }
    }

    @Test
    void theCrdAndTheTrainerAcceptAndRefuseTheSameNumbers() throws Exception {
        List<String> disagreements = new ArrayList<>();
        List<String> specPaths = new ArrayList<>(TOP_LEVEL_FROM_THE_SPEC.values());
        for (String section : SECTIONS) {
            for (Field f : sectionFields(section)) {
                specPaths.add(".spec." + section + "." + f.getName());
            }
        }
        int probes = 0;
        for (String path : specPaths) {
            Map<String, Object> property = crd.schemaAt(path);
            if (property == null
                    || !(property.get("type").equals("integer")
                            || property.get("type").equals("number"))) {
                continue;
            }
            for (Object value : property.get("type").equals("integer") ? INTEGERS : NUMBERS) {
                Map<String, Object> doc = quickstart();
                set(doc, path, value);
                boolean crdAccepts = crd.schemaViolations(doc).isEmpty()
                        && crd.violations(doc, null).isEmpty();
                List<ConfigViolation> refused = RunConfigValidator.violations(
                        RunConfigRenderer.config(asRun(doc), TestSettings.settings(), null));
                if (crdAccepts != refused.isEmpty()) {
                    disagreements.add(path + "=" + value + ": the CRD " + (crdAccepts ? "accepts" : "refuses")
                            + (crdAccepts
                                    ? ", the trainer refuses (" + refused + ")"
                                    : " " + crd.schemaViolations(doc) + crd.violations(doc, null)
                                            + ", the trainer accepts"));
                }
                probes++;
            }
        }
        assertThat(disagreements).as(probes + " probes").isEmpty();
        assertThat(probes).isGreaterThan(200);
    }

    /**
     * The CRD's transition rules resolve an unset lr or epochs to the recipe's value exactly as the contract does: per
     * recipe, a stored run without them may set them to the recipe's values but not below (epochs) or to anything
     * else (lr), and the rendered run.json leaves them to the trainer, which resolves the same numbers.
     */
    @Test
    void theCrdResolvesUnsetLrAndEpochsLikeTheContract() throws Exception {
        for (Recipe recipe : Recipe.values()) {
            Map<String, Object> stored = quickstart();
            set(stored, ".spec.training.recipe", recipe.name());
            CelCases.unset("training", "lr").accept(CelCases.spec(stored));
            CelCases.unset("training", "epochs").accept(CelCases.spec(stored));
            RunConfig rendered = RunConfigRenderer.config(asRun(stored), TestSettings.settings(), null);
            assertThat(rendered.training.lr)
                    .as(recipe + ": left to the trainer")
                    .isNull();
            assertThat(RunConfigValidator.validate(rendered).training.epochs)
                    .as(recipe.name())
                    .isEqualTo(recipe.epochs());
            assertThat(rendered.training.lr).as(recipe.name()).isEqualTo(recipe.lr());
            Object[][] updates = {
                {".spec.training.epochs", recipe.epochs(), true},
                {".spec.training.epochs", recipe.epochs() - 1, false},
                {".spec.training.lr", recipe.lr(), true},
                {".spec.training.lr", recipe.lr() * 2, false},
            };
            for (Object[] u : updates) {
                Map<String, Object> edited = CelCases.load(CelCases.QUICKSTART);
                edited.put("spec", new LinkedHashMap<>(CelCases.spec(stored)));
                set(edited, (String) u[0], u[1]);
                assertThat(crd.violations(edited, stored).isEmpty())
                        .as(recipe + " " + u[0] + "=" + u[1])
                        .isEqualTo(u[2]);
            }
        }
    }

    /**
     * The bounds that combine two fields (one view of a batch, one queue tensor), probed where they bite: both sides
     * accept the largest product that fits and refuse the next one up.
     */
    @Test
    void theCrdAndTheTrainerAgreeOnTheSizesThatOverflowOneTensor() throws Exception {
        List<String> disagreements = new ArrayList<>();
        Object[][] cases = {
            {".spec.training.imageSize", 2048, ".spec.training.batchSize", 128}, // 3 x 2048² x 128 fits
            {".spec.training.imageSize", 2048, ".spec.training.batchSize", 256},
            {".spec.training.imageSize", 224, ".spec.training.batchSize", 14_266}, // 3 x 224² x 14266 = 2147432448
            {".spec.training.imageSize", 224, ".spec.training.batchSize", 14_267},
            {".spec.denseCL.queueSize", 1 << 24, ".spec.model.dim", 127},
            {".spec.denseCL.queueSize", 1 << 24, ".spec.model.dim", 128},
        };
        int refusedByBoth = 0;
        for (Object[] c : cases) {
            Map<String, Object> doc = quickstart();
            set(doc, (String) c[0], c[1]);
            set(doc, (String) c[2], c[3]);
            set(
                    doc,
                    ".spec.denseCL.queueSize",
                    c[0].equals(".spec.denseCL.queueSize") ? c[1] : c[3]); // a multiple of the batch
            if (c[2].equals(".spec.training.batchSize")) {
                set(doc, ".spec.denseCL.bnGroupSize", c[3]); // one BatchNorm group: only the tensor bound bites
            }
            boolean crdAccepts = crd.schemaViolations(doc).isEmpty()
                    && crd.violations(doc, null).isEmpty();
            List<ConfigViolation> refused =
                    RunConfigValidator.violations(RunConfigRenderer.config(asRun(doc), TestSettings.settings(), null));
            if (crdAccepts != refused.isEmpty()) {
                disagreements.add(Arrays.toString(c) + ": CRD " + crd.violations(doc, null) + ", trainer " + refused);
            }
            refusedByBoth += crdAccepts ? 0 : 1;
        }
        assertThat(disagreements).isEmpty();
        assertThat(refusedByBoth).isEqualTo(3);
    }

    static final List<Object> INTEGERS = List.of(-1, 0, 1, 2, 16, 31, 32, 33, 64, 100, 224, 256, 65536);
    static final List<Object> NUMBERS = List.of(-0.5, -1e-9, 0.0, 1e-6, 0.2, 0.5, 0.999, 1.0, 1.5, 10.0);

    static Map<String, Object> quickstart() throws Exception {
        return CrdCelRulesTest.load(CrdCelRulesTest.QUICKSTART);
    }

    /** The document as the API server stores it (CRD defaults applied), as the operator's class. */
    static DenseCLRun asRun(Map<String, Object> doc) {
        DenseCLRun run = CrdCel.YAML.convertValue(crd.withDefaults(doc), DenseCLRun.class);
        run.setMetadata(new ObjectMetaBuilder()
                .withName("r")
                .withNamespace("ml")
                .withUid("0123abcd-0000")
                .withGeneration(1L)
                .build());
        return run;
    }

    /** Sets a value at {@code .spec.a.b} or {@code .spec.list[].x} (every item), copying maps on the way. */
    @SuppressWarnings("unchecked")
    static void set(Map<String, Object> doc, String path, Object value) {
        String[] parts = path.substring(1).split("\\.");
        setIn(doc, parts, 0, value);
    }

    @SuppressWarnings("unchecked")
    private static void setIn(Map<String, Object> node, String[] parts, int i, Object value) {
        String part = parts[i];
        if (part.endsWith("[]")) {
            String name = part.substring(0, part.length() - 2);
            List<Object> items = new ArrayList<>();
            for (Object item : (List<Object>) node.getOrDefault(name, List.of())) {
                Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) item);
                setIn(copy, parts, i + 1, value);
                items.add(copy);
            }
            node.put(name, items);
        } else if (i == parts.length - 1) {
            node.put(part, value);
        } else {
            Map<String, Object> child = new LinkedHashMap<>((Map<String, Object>) node.getOrDefault(part, Map.of()));
            node.put(part, child);
            setIn(child, parts, i + 1, value);
        }
    }

    static List<Field> sectionFields(String section) {
        try {
            Class<?> type = RunConfig.class.getField(section).getType();
            return Arrays.stream(type.getFields())
                    .filter(f -> !Modifier.isStatic(f.getModifiers()))
                    .toList();
        } catch (NoSuchFieldException e) {
            throw new AssertionError(e);
        }
    }

    static Object value(RunConfig c, String section, Field f) {
        try {
            return f.get(RunConfig.class.getField(section).get(c));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }
}
