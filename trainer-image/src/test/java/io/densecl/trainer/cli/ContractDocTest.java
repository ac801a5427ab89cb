package io.densecl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.contract.ErrorClass;
import io.densecl.contract.EvaluationProtocol;
import io.densecl.contract.ExitCodes;
import io.densecl.contract.Progress;
import io.densecl.contract.RunConfig;
import io.densecl.contract.RunConfigJson;
import io.densecl.contract.RunConfigValidator;
import io.densecl.contract.TerminationMessage;
import io.densecl.contract.TrainerInvocation;
import io.densecl.contract.TrainerResult;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/contract.md against the contract module and the trainer's command line: its examples parse strictly
 * into the contract's records, its tables list exactly the contract's keys, defaults and exit codes, and every
 * flag it (or the operator, through TrainerInvocation) passes is an option of the command.
 */
class ContractDocTest {
    static final Path DOC = Path.of("..", "docs", "contract.md");
    static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    static String doc;

    @BeforeAll
    static void read() throws IOException {
        doc = Files.readString(DOC);
    }

    @Test
    void theRunJsonExampleIsAValidStrictConfigWithEveryKey() throws IOException {
        String json = jsonBlockAfter("## run.json");
        RunConfig c = RunConfigJson.read(json);
        assertThat(RunConfigValidator.violations(c)).isEmpty();
        assertThat(leafKeys(new ObjectMapper().readTree(json), ""))
                .containsExactlyInAnyOrderElementsOf(configKeys().keySet());
    }

    @Test
    void theKeyTableListsEveryKeyWithItsDefault() {
        Map<String, Object> keys = configKeys();
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-zA-Z.]+)` \\| (\\w+) \\|\\s*(`([^`]*)`)?\\s*\\|")
                .matcher(section("## run.json"));
        while (m.find()) {
            rows.put(m.group(1), m.group(3) == null ? null : m.group(4));
        }
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(keys.keySet());
        rows.forEach((key, documented) -> {
            Object actual = keys.get(key);
            if (actual instanceof Number n) {
                assertThat(Double.parseDouble(documented)).as(key).isEqualTo(n.doubleValue());
            } else {
                assertThat(documented == null || documented.equals("null") ? null : documented)
                        .as(key)
                        .isEqualTo(actual == null ? null : String.valueOf(actual));
            }
        });
    }

    @Test
    void theExitCodeTableIsTheContracts() throws IllegalAccessException {
        Map<String, Integer> codes = new LinkedHashMap<>();
        for (Field f : ExitCodes.class.getFields()) {
            codes.put(f.getName(), f.getInt(null));
        }
        Matcher m =
                Pattern.compile("(?m)^\\| (\\d+) \\| ([A-Z]+) \\| (\\w+) \\|").matcher(section("## Exit codes"));
        Map<String, Integer> documented = new LinkedHashMap<>();
        List<TrainerResult> results = new ArrayList<>();
        while (m.find()) {
            int code = Integer.parseInt(m.group(1));
            documented.put(m.group(2), code);
            TrainerResult r = TrainerResult.valueOf(m.group(3));
            assertThat(r.exitCode()).as(m.group(3)).isEqualTo(code);
            results.add(r);
        }
        assertThat(documented).isEqualTo(codes);
        assertThat(results).containsExactlyInAnyOrder(TrainerResult.values());
    }

    @Test
    void theTerminationMessageExampleAndItsWordsAreTheContracts() throws IOException {
        TerminationMessage m = STRICT.readValue(jsonBlockAfter("## Termination message"), TerminationMessage.class);
        assertThat(m.result()).isNotNull();
        assertThat(m.error().errorClass()).isNotNull();
        assertThat(listAfter("`result` is one of ")).containsExactlyInAnyOrderElementsOf(names(TrainerResult.values()));
        assertThat(listAfter("`error.class` one of ")).containsExactlyInAnyOrderElementsOf(names(ErrorClass.values()));
        assertThat(section("## Termination message")).contains(String.valueOf(TerminationMessage.LIMIT));
    }

    @Test
    void theProgressExampleAndItsPhasesAreTheContracts() throws IOException {
        Progress p = STRICT.readValue(jsonBlockAfter("## GET /progress"), Progress.class);
        assertThat(p.phase()).isEqualTo(Progress.Phase.Training);
        assertThat(p.lastCheckpoint().step()).isEqualTo(120L);
        assertThat(listAfter("`phase` is ")).containsExactlyInAnyOrderElementsOf(names(Progress.Phase.values()));
    }

    @Test
    void everyDocumentedFlagIsAnOptionOfItsCommand() {
        CommandLine cli = new CommandLine(new TrainerCli());
        for (String command : List.of(TrainerInvocation.PRETRAIN, TrainerInvocation.EVALUATE, "embed")) {
            CommandLine.Model.CommandSpec spec =
                    cli.getSubcommands().get(command).getCommandSpec();
            Matcher line =
                    Pattern.compile("`densecl-trainer " + command + " ([^`]*)`").matcher(doc);
            List<String> flags = new ArrayList<>();
            while (line.find()) {
                flags.addAll(flags(line.group(1)));
            }
            assertThat(flags).as("a command line for " + command).isNotEmpty();
            if (!command.equals("embed")) {
                flags.add(TrainerInvocation.TERMINATION_LOG); // "Both also take --termination-log"
            }
            assertThat(flags)
                    .allSatisfy(f ->
                            assertThat(spec.findOption(f)).as(command + " " + f).isNotNull());
        }
        assertThat(doc).contains("Both also take `" + TrainerInvocation.TERMINATION_LOG + " <file>`");
    }

    @Test
    void theDocumentedOverridesOfTheNewKeysAreFlagsOfPretrain() {
        List<String> documented = new ArrayList<>();
        Matcher line = Pattern.compile("`densecl-trainer pretrain ([^`]*)`").matcher(doc);
        while (line.find()) {
            documented.addAll(flags(line.group(1)));
        }
        assertThat(documented).contains("--recipe", "--bn-group-size", "--lr", "--epochs");
        assertThat(doc)
                .contains(
                        TrainerInvocation.PROTOCOL + " <" + String.join("|", names(EvaluationProtocol.values())) + ">");
    }

    @Test
    void theFlagsTheOperatorPassesAreOptionsOfTheCommands() {
        CommandLine cli = new CommandLine(new TrainerCli());
        assertThat(cli.getCommandName()).isEqualTo(TrainerInvocation.EXECUTABLE);
        var pretrain = cli.getSubcommands().get(TrainerInvocation.PRETRAIN).getCommandSpec();
        var evaluate = cli.getSubcommands().get(TrainerInvocation.EVALUATE).getCommandSpec();
        for (String f :
                List.of(TrainerInvocation.CONFIG, TrainerInvocation.ATTEMPT, TrainerInvocation.TERMINATION_LOG)) {
            assertThat(pretrain.findOption(f)).as("pretrain " + f).isNotNull();
        }
        for (String f : List.of(
                TrainerInvocation.TASK,
                TrainerInvocation.PROTOCOL,
                TrainerInvocation.DATA,
                TrainerInvocation.CHECKPOINT,
                TrainerInvocation.EPOCHS,
                TrainerInvocation.OUT,
                TrainerInvocation.TERMINATION_LOG,
                TrainerInvocation.IMAGE_SIZE,
                TrainerInvocation.BATCH_SIZE,
                TrainerInvocation.CLASSES,
                TrainerInvocation.DEVICE,
                TrainerInvocation.CHECKPOINT_EPOCH)) {
            assertThat(evaluate.findOption(f)).as("evaluate " + f).isNotNull();
        }
    }

    /** Every run.json key (leaf path) with the trainer's default value. */
    static Map<String, Object> configKeys() {
        Map<String, Object> out = new LinkedHashMap<>();
        collect(new RunConfig(), "", out);
        return out;
    }

    private static void collect(Object node, String prefix, Map<String, Object> out) {
        for (Field f : node.getClass().getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            try {
                Object v = f.get(node);
                if (f.getType().getName().startsWith(RunConfig.class.getName() + "$")) {
                    collect(v, prefix + f.getName() + ".", out);
                } else {
                    out.put(prefix + f.getName(), v);
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static List<String> leafKeys(JsonNode n, String prefix) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                out.addAll(leafKeys(e.getValue(), prefix + e.getKey() + "."));
            } else {
                out.add(prefix + e.getKey());
            }
        }
        return out;
    }

    /** The text from a heading to the next heading of the same level. */
    private static String section(String heading) {
        int start = doc.indexOf(heading);
        assertThat(start).as(heading).isGreaterThanOrEqualTo(0);
        int end = doc.indexOf("\n## ", start + heading.length());
        return doc.substring(start, end < 0 ? doc.length() : end);
    }

    private static String jsonBlockAfter(String heading) {
        String s = section(heading);
        int open = s.indexOf("```json\n");
        return s.substring(open + 8, s.indexOf("```", open + 8));
    }

    /** The comma-separated words after {@code lead}, up to ';' or '.' ("a, b or c"). */
    private static List<String> listAfter(String lead) {
        int i = doc.indexOf(lead);
        assertThat(i).as(lead).isGreaterThanOrEqualTo(0);
        String rest = doc.substring(i + lead.length()).split("[;.(]", 2)[0];
        return Arrays.stream(rest.replace(" or ", ", ").split(","))
                .map(String::strip)
                .filter(w -> !w.isEmpty())
                .toList();
    }

    private static List<String> flags(String commandLine) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(--[a-z-]+)").matcher(commandLine);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }
}
