package io.densecl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.densecl.deploy.DockerfileTest.Dockerfile;
import io.densecl.deploy.DockerfileTest.Instruction;
import io.densecl.deploy.DockerfileTest.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static checks of operator/Dockerfile (no Docker engine here), a dry run of its launcher, and that the chart's
 * default images are the names the Dockerfiles' documented build commands produce.
 */
class OperatorDockerfileTest {

    static Path file(String name) {
        return Tools.repoRoot().resolve("operator").resolve(name);
    }

    static Dockerfile dockerfile() throws IOException {
        return DockerfileTest.parse(file("Dockerfile"));
    }

    @Test
    void isAMultiStageMavenBuildOfTheQuarkusFastJarOnTheTrainersBaseFamily() throws IOException {
        Dockerfile df = dockerfile();
        Stage build = df.stage("build").orElseThrow();
        Dockerfile cpuTrainer = DockerfileTest.parse(DockerfileTest.image("Dockerfile.cpu"));
        assertThat(build.base())
                .as("the trainer images' build stage")
                .isEqualTo(cpuTrainer.stage("build").orElseThrow().base());
        assertThat(df.runtime().base())
                .as("the CPU trainer image's runtime base (Temurin 17 JRE)")
                .isEqualTo(cpuTrainer.runtime().base())
                .contains("17-jre");
        assertThat(build.text())
                .containsPattern("mvn -B( -q)? -pl operator -am package -DskipTests")
                .contains("operator/target/quarkus-app")
                .contains("quarkus-run.jar");
        assertThat(df.runtime().text()).contains("COPY --from=build /out/app /opt/densecl-operator");
    }

    @Test
    void everyCopySourceExistsAndNothingIsFetchedAtRuntime() throws IOException {
        Dockerfile df = dockerfile();
        DockerfileTest.assertCopySources(df);
        Pattern fetch =
                Pattern.compile("\\b(curl|wget|apt-get|git\\s+clone|pip3?\\s+install|npm\\s+install|mvn)\\b|https?://");
        for (Instruction run : df.runtime().all("RUN")) {
            assertThat(fetch.matcher(run.args()).find())
                    .as("fetch in runtime RUN at line %d", run.line())
                    .isFalse();
        }
        assertThat(Files.readString(file("Dockerfile")))
                .doesNotContain("docker.io/")
                .doesNotContain("ghcr.io")
                .doesNotContain("quay.io");
    }

    @Test
    void runsAsNonRootWithTheLauncherOnPort8080() throws IOException {
        Stage runtime = dockerfile().runtime();
        List<Instruction> users = runtime.all("USER");
        assertThat(users).isNotEmpty();
        assertThat(users.get(users.size() - 1).args())
                .as("numeric, so runAsNonRoot can verify it")
                .isEqualTo("10001");
        assertThat(runtime.text()).contains("--uid 10001");
        assertThat(DockerfileTest.env(runtime))
                .containsEntry("HOME", "/tmp")
                .containsEntry("QUARKUS_HTTP_PORT", "8080");
        assertThat(runtime.all("WORKDIR").get(0).args())
                .as("the read-only root file system's only writable place")
                .isEqualTo("/tmp");
        List<Instruction> entrypoints = runtime.all("ENTRYPOINT");
        assertThat(entrypoints).hasSize(1);
        JsonNode entrypoint = Manifests.JSON.readTree(entrypoints.get(0).args());
        assertThat(entrypoint.isArray()).as("exec form").isTrue();
        assertThat(entrypoint.get(0).asText()).isEqualTo("densecl-operator");
        assertThat(runtime.text()).contains("operator/docker/densecl-operator /usr/local/bin/densecl-operator");
        assertThat(runtime.all("EXPOSE").stream().map(Instruction::args)).contains("8080");
        // the chart's Deployment probes and serves that port with a read-only root file system
        JsonNode deployment = Manifests.single(Manifests.render(""), "Deployment");
        JsonNode c = HelmChartTest.container(deployment);
        assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
        assertThat(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean())
                .isTrue();
        assertThat(c.path("volumeMounts").get(0).path("mountPath").asText()).isEqualTo("/tmp");
    }

    @Test
    void dockerignoreKeepsBuildOutputOutAndTheSourcesIn() throws IOException {
        List<String> patterns = Files.readAllLines(file("Dockerfile.dockerignore")).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertThat(patterns).contains("**/target/", ".git/", "**/.tools/", "**/.node/");
        assertThat(patterns)
                .noneMatch(p -> p.startsWith("operator")
                        || p.startsWith("contract")
                        || p.equals("pom.xml")
                        || p.startsWith("**/src")
                        || p.startsWith("controlplane"));
    }

    @Test
    void launcherExecsJavaWithTheFastJar(@TempDir Path tmp) throws IOException {
        Path launcher = file("docker/densecl-operator");
        assertThat(Files.isExecutable(launcher)).isTrue();
        Tools.run(List.of("sh", "-n", launcher.toString())).ok("sh -n launcher");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fakeJava = bin.resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\necho \"args: $*\"\n");
        fakeJava.toFile().setExecutable(true);
        Tools.Result r = Tools.run(
                        List.of("sh", launcher.toString()),
                        tmp,
                        Map.of(
                                "PATH",
                                bin + ":/usr/bin:/bin",
                                "DENSECL_OPERATOR_APP_DIR",
                                "/opt/x",
                                "JAVA_OPTS_APPEND",
                                "-Dfoo=1"))
                .ok("launcher");
        assertThat(r.stdout())
                .contains("args: -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp "
                        + "-Dfoo=1 -jar /opt/x/quarkus-run.jar");
        r = Tools.run(
                        List.of("sh", launcher.toString()),
                        tmp,
                        Map.of("PATH", bin + ":/usr/bin:/bin", "JAVA_OPTS", "-Xmx1g"))
                .ok("launcher with JAVA_OPTS");
        assertThat(r.stdout()).contains("args: -Xmx1g -jar /opt/densecl-operator/quarkus-run.jar");
        // the layout the Dockerfile copies is what the Quarkus build produces (when the operator was packaged)
        Path fastJar = Tools.repoRoot().resolve("operator/target/quarkus-app");
        if (Files.isDirectory(fastJar)) {
            assertThat(fastJar.resolve("quarkus-run.jar")).isRegularFile();
            assertThat(fastJar.resolve("lib")).isDirectory();
        }
    }

    /** {@code -t "$REGISTRY/<name>:<tag>"} of a Dockerfile's build command (its header comment or the docs). */
    static String taggedName(String text, String dockerfile) {
        Matcher m = Pattern.compile(
                        "-f " + Pattern.quote(dockerfile) + " -t \"\\$REGISTRY/([a-z0-9-]+:[0-9A-Za-z.-]+)\"")
                .matcher(text);
        assertThat(m.find())
                .as("a build command of %s with -t \"$REGISTRY/<name>:<tag>\"", dockerfile)
                .isTrue();
        return m.group(1);
    }

    @Test
    void theChartsDefaultImagesAreWhatTheDocumentedBuildsPush() throws IOException {
        String readme = Files.readString(Tools.repoRoot().resolve("README.md"));
        String operatorImage = taggedName(readme, "operator/Dockerfile");
        String trainerImage = taggedName(readme, "trainer-image/Dockerfile");
        assertThat(taggedName(Files.readString(file("Dockerfile")), "operator/Dockerfile"))
                .isEqualTo(operatorImage);
        String deployGuide = Files.readString(Tools.repoRoot().resolve("docs/deploy.md"));
        assertThat(taggedName(deployGuide, "operator/Dockerfile")).isEqualTo(operatorImage);
        assertThat(taggedName(deployGuide, "trainer-image/Dockerfile")).isEqualTo(trainerImage);
        String yaml = Tools.run(List.of(
                        Tools.helm().toString(),
                        "template",
                        "densecl",
                        Tools.chartDir().toString(),
                        "--set",
                        "imageRegistry=example.test/ml"))
                .ok("helm template imageRegistry")
                .stdout();
        JsonNode deployment = Manifests.single(Manifests.parseAll(yaml), "Deployment");
        JsonNode c = HelmChartTest.container(deployment);
        assertThat(c.path("image").asText()).isEqualTo("example.test/ml/" + operatorImage);
        assertThat(HelmChartTest.envValue(c.path("env"), "DENSECL_DEFAULT_IMAGE"))
                .isEqualTo("example.test/ml/" + trainerImage);
        // without a registry the bare names (what `docker build -t densecl-operator:0.1.0` would tag locally)
        JsonNode plain = HelmChartTest.container(Manifests.single(Manifests.render(""), "Deployment"));
        assertThat(plain.path("image").asText()).isEqualTo(operatorImage);
        assertThat(HelmChartTest.envValue(plain.path("env"), "DENSECL_DEFAULT_IMAGE"))
                .isEqualTo(trainerImage);
    }
}
