package io.densecl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The helm command lines of README.md, docs/deploy.md and the chart's README, run as written with the real helm:
 * installs as {@code --dry-run=client}, upgrades rendered with their values (and their flags checked against
 * {@code helm upgrade --help}); a line whose comment says {@code Error} must fail the way it says.
 */
class DocumentedHelmCommandsTest {

    static final List<String> DOCS = List.of("README.md", "docs/deploy.md", "helm/densecl-operator/README.md");
    static final String REGISTRY = "example.test/ml";
    static final Map<String, String> ENV = Map.of("REGISTRY", REGISTRY);
    static final Set<String> UPGRADE_ONLY =
            Set.of("--reset-then-reuse-values", "--reuse-values", "--reset-values", "--install");

    /** One documented command: its words after shell quoting and $VAR expansion, and its trailing comment. */
    record Command(String doc, List<String> words, String comment) {
        String sub() {
            return words.get(1);
        }

        @Override
        public String toString() {
            return doc + ": " + String.join(" ", words);
        }
    }

    static List<Command> helmCommands() throws IOException {
        List<Command> commands = new ArrayList<>();
        Pattern block = Pattern.compile("```(?:sh|bash|shell)\\n(.*?)```", Pattern.DOTALL);
        for (String doc : DOCS) {
            Matcher m = block.matcher(Files.readString(Tools.repoRoot().resolve(doc)));
            while (m.find()) {
                String joined = m.group(1).replace("\\\n", " ");
                for (String line : joined.split("\n")) {
                    Command c = parse(doc, line.strip());
                    if (c != null && !c.words().isEmpty() && c.words().get(0).equals("helm")) {
                        commands.add(c);
                    }
                }
            }
        }
        return commands;
    }

    /** Splits a shell line into words (single and double quotes, $VAR and ${VAR}, an unquoted # starts a comment). */
    static Command parse(String doc, String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quote == 0 && Character.isWhitespace(ch)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (quote == 0 && ch == '#' && word == null) {
                return new Command(doc, words, line.substring(i + 1).strip());
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (quote == 0 && (ch == '\'' || ch == '"')) {
                quote = ch;
            } else if (quote != 0 && ch == quote) {
                quote = 0;
            } else if (ch == '$' && quote != '\'') {
                Matcher v = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)\\}?")
                        .matcher(line)
                        .region(i, line.length());
                if (!v.lookingAt() || !ENV.containsKey(v.group(1))) {
                    throw new AssertionError(doc + ": unknown variable in: " + line);
                }
                word.append(ENV.get(v.group(1)));
                i = v.end() - 1;
            } else {
                word.append(ch);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return new Command(doc, words, "");
    }

    static Tools.Result helm(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Tools.helm().toString()));
        cmd.addAll(args);
        return Tools.run(cmd);
    }

    @Test
    void everyDocumentedHelmLineWorksAsWritten() throws IOException {
        List<Command> commands = helmCommands();
        assertThat(commands)
                .extracting(Command::doc)
                .as("the README, the guide and the chart's README show helm lines")
                .containsAll(DOCS);
        String upgradeHelp =
                helm(List.of("upgrade", "--help")).ok("helm upgrade --help").stdout();
        int installs = 0;
        int upgrades = 0;
        for (Command c : commands) {
            List<String> args = new ArrayList<>(c.words().subList(1, c.words().size()));
            switch (c.sub()) {
                case "install" -> {
                    args.add("--dry-run=client");
                    Tools.Result r = helm(args);
                    assertThat(r.exitCode()).as(c + "\n" + r.stderr()).isZero();
                    checkRendered(c, r.stdout());
                    installs++;
                }
                case "upgrade" -> {
                    for (String a : args) {
                        if (a.startsWith("--")) {
                            assertThat(upgradeHelp)
                                    .as("%s: helm upgrade knows %s", c, a)
                                    .contains(a.split("=")[0]);
                        }
                    }
                    assertThat(args)
                            .as("%s: --reuse-values keeps the old chart's defaults", c)
                            .doesNotContain("--reuse-values");
                    List<String> template = new ArrayList<>(List.of("template"));
                    args.stream().skip(1).filter(a -> !UPGRADE_ONLY.contains(a)).forEach(template::add);
                    Tools.Result r = helm(template);
                    assertThat(r.exitCode()).as(c + "\n" + r.stderr()).isZero();
                    upgrades++;
                }
                case "template", "lint" -> {
                    Tools.Result r = helm(args);
                    if (c.comment().contains("Error")) {
                        assertThat(r.exitCode()).as(c + " must fail").isNotZero();
                        // the comment's text after "Error:", "..." standing for what it leaves out
                        String expected = c.comment().substring(c.comment().indexOf("Error") + "Error:".length());
                        for (String part : expected.split("\\.\\.\\.")) {
                            if (!part.isBlank()) {
                                assertThat(r.stderr()).as(c.toString()).contains(part.strip());
                            }
                        }
                    } else {
                        assertThat(r.exitCode()).as(c + "\n" + r.stderr()).isZero();
                    }
                }
                case "uninstall" -> {
                    String help = helm(List.of("uninstall", "--help"))
                            .ok("helm uninstall --help")
                            .stdout();
                    args.stream()
                            .filter(a -> a.startsWith("--"))
                            .forEach(a -> assertThat(help).contains(a.split("=")[0]));
                }
                default -> throw new AssertionError("no check for: " + c);
            }
        }
        assertThat(installs).isGreaterThanOrEqualTo(3);
        assertThat(upgrades).isGreaterThanOrEqualTo(2);
    }

    /** An install that sets imageRegistry pulls both images from it. */
    static void checkRendered(Command c, String out) {
        int manifest = out.indexOf("\nMANIFEST:\n");
        int notes = out.indexOf("\nNOTES:\n");
        assertThat(manifest).as("%s prints its manifest", c).isPositive();
        List<JsonNode> docs = Manifests.parseAll(
                out.substring(manifest + "\nMANIFEST:\n".length(), notes < 0 ? out.length() : notes));
        JsonNode deployment = Manifests.single(docs, "Deployment");
        JsonNode container = HelmChartTest.container(deployment);
        if (String.join(" ", c.words()).contains("imageRegistry=" + REGISTRY)) {
            assertThat(container.path("image").asText())
                    .as(c.toString())
                    .isEqualTo(REGISTRY + "/densecl-operator:0.1.0");
            assertThat(HelmChartTest.envValue(container.path("env"), "DENSECL_DEFAULT_IMAGE"))
                    .as(c.toString())
                    .isEqualTo(REGISTRY + "/densecl-trainer:0.1.0");
        }
    }

    @Test
    void theParserSplitsLikeASh() {
        Command c = parse(
                "x",
                "helm install a b --set imageRegistry=\"$REGISTRY\" --set 'watchNamespaces={team-a,team-b}'  # note");
        assertThat(c.words())
                .containsExactly(
                        "helm",
                        "install",
                        "a",
                        "b",
                        "--set",
                        "imageRegistry=" + REGISTRY,
                        "--set",
                        "watchNamespaces={team-a,team-b}");
        assertThat(c.comment()).isEqualTo("note");
    }

    @Test
    void noDocumentRecommendsReuseValues() throws IOException {
        for (String doc : DOCS) {
            for (String line : Files.readAllLines(Tools.repoRoot().resolve(doc))) {
                if (line.contains("helm upgrade")) {
                    assertThat(line).as(doc).doesNotContainPattern("--reuse-values(\\s|$)");
                }
            }
        }
    }
}
