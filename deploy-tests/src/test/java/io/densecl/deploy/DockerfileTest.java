package io.densecl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Static checks of the trainer Dockerfiles (no Docker engine here) and a dry run of the launcher. */
class DockerfileTest {

    record Instruction(String keyword, String args, int line) {}

    record Stage(String base, String name, List<Instruction> instructions) {
        String text() {
            StringBuilder sb = new StringBuilder();
            instructions.forEach(
                    i -> sb.append(i.keyword()).append(' ').append(i.args()).append('\n'));
            return sb.toString();
        }

        List<Instruction> all(String keyword) {
            return instructions.stream()
                    .filter(i -> i.keyword().equals(keyword))
                    .toList();
        }
    }

    record Dockerfile(Map<String, String> globalArgs, List<Stage> stages) {
        Stage runtime() {
            return stages.get(stages.size() - 1);
        }

        Optional<Stage> stage(String name) {
            return stages.stream().filter(s -> name.equals(s.name())).findFirst();
        }
    }

    static Dockerfile parse(Path file) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = null;
        int startLine = 0;
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (current == null && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (current != null && trimmed.startsWith("#")) {
                continue; // comment lines inside a continued instruction
            }
            if (current == null) {
                current = new StringBuilder();
                startLine = i + 1;
            }
            boolean continued = trimmed.endsWith("\\");
            current.append(continued ? trimmed.substring(0, trimmed.length() - 1) : trimmed)
                    .append(' ');
            if (!continued) {
                String text = current.toString().strip();
                int sp = text.indexOf(' ');
                instructions.add(new Instruction(
                        text.substring(0, sp).toUpperCase(Locale.ROOT),
                        text.substring(sp + 1).strip(),
                        startLine));
                current = null;
            }
        }
        Map<String, String> globalArgs = new LinkedHashMap<>();
        List<Stage> stages = new ArrayList<>();
        for (Instruction ins : instructions) {
            if (ins.keyword().equals("FROM")) {
                String[] parts = ins.args().split("\\s+");
                String base = parts[0];
                for (Map.Entry<String, String> a : globalArgs.entrySet()) {
                    base = base.replace("${" + a.getKey() + "}", a.getValue()).replace("$" + a.getKey(), a.getValue());
                }
                String name = parts.length >= 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null;
                stages.add(new Stage(base, name, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                assertThat(ins.keyword()).as("only ARG before the first FROM").isEqualTo("ARG");
                String[] kv = ins.args().split("=", 2);
                globalArgs.put(kv[0], kv.length > 1 ? kv[1] : "");
            } else {
                stages.get(stages.size() - 1).instructions().add(ins);
            }
        }
        return new Dockerfile(globalArgs, stages);
    }

    static Path image(String name) {
        return Tools.repoRoot().resolve("trainer-image").resolve(name);
    }

    /** ENV of a stage as a map (KEY=VALUE pairs, possibly several per instruction). */
    static Map<String, String> env(Stage stage) {
        Map<String, String> env = new HashMap<>();
        Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)");
        for (Instruction ins : stage.all("ENV")) {
            Matcher m = pair.matcher(ins.args());
            while (m.find()) {
                env.put(m.group(1), m.group(2).replace("\"", ""));
            }
        }
        return env;
    }

    static List<String> copyArgs(Instruction copy) {
        List<String> parts = new ArrayList<>(List.of(copy.args().split("\\s+")));
        parts.removeIf(p -> p.startsWith("--") && !p.startsWith("--from"));
        return parts;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.cpu"})
    void isMultiStageWithAMavenBuildOfTheTrainer(String name) throws IOException {
        Dockerfile df = parse(image(name));
        assertThat(df.stages()).hasSizeGreaterThanOrEqualTo(2);
        Stage build = df.stage("build").orElseThrow();
        assertThat(build.base()).contains("maven").contains("17");
        assertThat(build.text()).containsPattern("mvn -B( -q)? -pl trainer-image -am package -DskipTests");
        assertThat(df.runtime().base()).isNotEqualTo(build.base());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.cpu"})
    void everyCopySourceExistsInTheRepoOrInTheBuildStage(String name) throws IOException {
        assertCopySources(parse(image(name)));
    }

    /** COPY, never ADD; each source is in the repository or named by the earlier stage it is copied from. */
    static void assertCopySources(Dockerfile df) {
        assertThat(df.stages().stream().flatMap(s -> s.all("ADD").stream()))
                .as("COPY, not ADD")
                .isEmpty();
        for (int si = 0; si < df.stages().size(); si++) {
            Stage stage = df.stages().get(si);
            for (Instruction copy : stage.all("COPY")) {
                List<String> parts = copyArgs(copy);
                String from =
                        parts.get(0).startsWith("--from=") ? parts.remove(0).substring("--from=".length()) : null;
                List<String> sources = parts.subList(0, parts.size() - 1);
                assertThat(sources).as("COPY at line %d", copy.line()).isNotEmpty();
                if (from == null) {
                    for (String src : sources) {
                        assertThat(Tools.repoRoot().resolve(src))
                                .as("COPY source %s (line %d) in the repo", src, copy.line())
                                .exists();
                    }
                } else {
                    int index = si;
                    Stage source = df.stages().subList(0, index).stream()
                            .filter(s -> from.equals(s.name()))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError("COPY --from=" + from + " names no earlier stage"));
                    for (String src : sources) {
                        assertThat(source.text())
                                .as("stage %s produces %s", from, src)
                                .contains(src);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.cpu"})
    void runtimeStageHasTheDocumentedEnvUserAndEntrypoint(String name) throws IOException {
        Stage runtime = parse(image(name)).runtime();
        Map<String, String> env = env(runtime);
        assertThat(env)
                .containsEntry("DJL_OFFLINE", "true")
                .containsEntry("OPT_OUT_TRACKING", "true")
                .containsEntry("PYTORCH_VERSION", "2.7.1")
                .containsEntry("DJL_CACHE_DIR", "/tmp/djl")
                .containsEntry("HOME", "/tmp")
                .containsKey("PYTORCH_LIBRARY_PATH")
                .containsEntry("MALLOC_CONF", "background_thread:true,dirty_decay_ms:-1,muzzy_decay_ms:-1");
        assertThat(env.get("PYTORCH_FLAVOR")).isEqualTo(name.endsWith(".cpu") ? "cpu" : "cu128");
        assertThat(env.get("LD_PRELOAD")).contains("libjemalloc.so.2");
        assertThat(runtime.text())
                .as("the preloaded jemalloc is installed and linked")
                .contains("libjemalloc2")
                .contains(env.get("LD_PRELOAD"));

        List<Instruction> users = runtime.all("USER");
        assertThat(users).isNotEmpty();
        String user = users.get(users.size() - 1).args().split(":")[0];
        assertThat(user).isEqualTo("10001");
        assertThat(runtime.text()).contains("--uid 10001");

        List<Instruction> entrypoints = runtime.all("ENTRYPOINT");
        assertThat(entrypoints).hasSize(1);
        JsonNode entrypoint = Manifests.JSON.readTree(entrypoints.get(0).args());
        assertThat(entrypoint.isArray()).as("exec form").isTrue();
        assertThat(entrypoint.get(0).asText()).isEqualTo("densecl-trainer");
        assertThat(runtime.all("EXPOSE").stream().map(Instruction::args)).contains("8080");
        assertThat(runtime.text()).contains("trainer-image/docker/densecl-trainer /usr/local/bin/densecl-trainer");
        assertThat(runtime.text()).contains("/opt/densecl");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.cpu"})
    void runtimeStageFetchesNothingButPackages(String name) throws IOException {
        Stage runtime = parse(image(name)).runtime();
        Pattern fetch = Pattern.compile(
                "\\b(curl|wget|git\\s+clone|pip3?\\s+install|conda\\s+install|npm\\s+install|mvn)\\b|https?://");
        for (Instruction run : runtime.all("RUN")) {
            assertThat(fetch.matcher(run.args()).find())
                    .as("network fetch in runtime RUN at line %d: %s", run.line(), run.args())
                    .isFalse();
        }
    }

    @Test
    void gpuRuntimeBringsLibtorch271ForCuda128() throws IOException {
        Dockerfile df = parse(image("Dockerfile"));
        assertThat(df.runtime().base()).contains("2.7.1").contains("cuda12.8");
        Map<String, String> env = env(df.runtime());
        assertThat(df.runtime().text()).contains("ARG TORCH_LIB_DIR=").contains("libtorch_cuda.so");
        assertThat(env.get("PYTORCH_LIBRARY_PATH")).isEqualTo("${TORCH_LIB_DIR}");
        assertThat(df.stage("build").orElseThrow().text())
                .as("GPU image drops the CPU libtorch jar")
                .contains("rm -f /out/app/lib/pytorch-native-cpu-");
    }

    @Test
    void cpuRuntimeUnpacksTheBundledLibtorchAtBuildTime() throws IOException {
        Dockerfile df = parse(image("Dockerfile.cpu"));
        assertThat(df.runtime().base()).contains("17-jre");
        Map<String, String> env = env(df.runtime());
        assertThat(env.get("PYTORCH_LIBRARY_PATH")).isEqualTo("/opt/libtorch/lib");
        assertThat(df.runtime().text()).contains("COPY --from=build /out/libtorch /opt/libtorch");
        String build = df.stage("build").orElseThrow().text();
        Matcher m = Pattern.compile("jar xf \\S+ ([\\w/.-]+)").matcher(build);
        assertThat(m.find()).isTrue();
        String prefix = m.group(1);
        // the path inside the real pytorch-native-cpu jar, when the local Maven repository has it
        Path jar = Path.of(
                System.getProperty("user.home"),
                ".m2/repository/ai/djl/pytorch/pytorch-native-cpu/2.7.1/pytorch-native-cpu-2.7.1-linux-x86_64.jar");
        if (Files.exists(jar)) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                assertThat(zip.getEntry(prefix + "/libtorch_cpu.so"))
                        .as(prefix + "/libtorch_cpu.so in " + jar)
                        .isNotNull();
                assertThat(zip.getEntry(prefix + "/libc10.so")).isNotNull();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.dockerignore", "Dockerfile.cpu.dockerignore"})
    void dockerignoreKeepsBuildOutputAndToolsOut(String name) throws IOException {
        List<String> patterns = Files.readAllLines(image(name)).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertThat(patterns).contains("**/target/", ".git/", "**/.tools/", "**/.node/");
        assertThat(patterns)
                .as("sources the build needs stay in the context")
                .noneMatch(p -> p.startsWith("trainer-image") || p.equals("pom.xml") || p.startsWith("**/src"));
    }

    @Test
    void launcherExecsJavaWithTheJarAndTheArguments(@TempDir Path tmp) throws IOException {
        Path launcher = image("docker/densecl-trainer");
        assertThat(Files.isExecutable(launcher)).isTrue();
        Tools.run(List.of("sh", "-n", launcher.toString())).ok("sh -n launcher");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fakeJava = bin.resolve("java");
        Files.writeString(
                fakeJava, "#!/bin/sh\necho \"args: $*\"\necho \"offline: $DJL_OFFLINE cache: $DJL_CACHE_DIR\"\n");
        fakeJava.toFile().setExecutable(true);
        Map<String, String> env = Map.of(
                "PATH",
                bin + ":/usr/bin:/bin",
                "DENSECL_APP_DIR",
                "/opt/x",
                "DJL_CACHE_DIR",
                tmp.resolve("djl").toString());
        Tools.Result r = Tools.run(
                        List.of("sh", launcher.toString(), "pretrain", "--config", "/etc/densecl/run.json"), tmp, env)
                .ok("launcher");
        assertThat(r.stdout())
                .contains(
                        "args: -XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError -jar /opt/x/densecl-trainer.jar pretrain --config /etc/densecl/run.json")
                .contains("offline: true cache: " + tmp.resolve("djl"));
        assertThat(tmp.resolve("djl")).isDirectory();
    }

    @Test
    void dockerfilesUseNoRegistryHostNames() throws IOException {
        try (Stream<Path> files = Stream.of(image("Dockerfile"), image("Dockerfile.cpu"))) {
            for (Path f : files.toList()) {
                assertThat(Files.readString(f))
                        .doesNotContain("docker.io/")
                        .doesNotContain("ghcr.io")
                        .doesNotContain("download.pytorch");
            }
        }
    }
}
