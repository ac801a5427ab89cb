package io.densecl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the Argo CD health check and actions with the real lua5.4 interpreter against sample runs. */
class ArgoCdLuaTest {

    @TempDir
    Path tmp;

    static Path argocd() {
        return Tools.repoRoot().resolve("gitops/argocd");
    }

    /** JSON -> Lua table constructor. */
    static String lua(JsonNode n) {
        if (n.isObject()) {
            StringBuilder sb = new StringBuilder("{");
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNull()) {
                    sb.append('[')
                            .append(luaString(e.getKey()))
                            .append("]=")
                            .append(lua(e.getValue()))
                            .append(',');
                }
            }
            return sb.append('}').toString();
        }
        if (n.isArray()) {
            StringBuilder sb = new StringBuilder("{");
            n.forEach(v -> sb.append(lua(v)).append(','));
            return sb.append('}').toString();
        }
        if (n.isTextual()) {
            return luaString(n.asText());
        }
        if (n.isNull()) {
            return "nil";
        }
        return n.toString();
    }

    static String luaString(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }

    JsonNode runLua(Path script, String objectYaml) {
        Path lua = Tools.tool("lua5.4");
        try {
            JsonNode obj = Manifests.YAML.readTree(objectYaml);
            Path objFile = Files.createTempFile(tmp, "obj", ".lua");
            Files.writeString(objFile, "return " + lua(obj) + "\n");
            Path harness = Tools.repoRoot().resolve("deploy-tests/src/test/resources/lua/harness.lua");
            Tools.Result r = Tools.run(
                            List.of(lua.toString(), harness.toString(), script.toString(), objFile.toString()),
                            Tools.repoRoot(),
                            Map.of())
                    .ok("lua5.4 " + script.getFileName());
            return Manifests.JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode health(String objectYaml) {
        return runLua(argocd().resolve("health.lua"), objectYaml);
    }

    static String run(String spec, String metadataExtra, String status) {
        return """
                apiVersion: densecl.io/v1alpha1
                kind: DenseCLRun
                metadata:
                  name: r
                  namespace: ml
                  generation: 3
                %s
                spec:
                  data: {claimName: d, path: x}
                %s
                %s
                """.formatted(
                        metadataExtra.indent(2).stripTrailing(),
                        spec.indent(2).stripTrailing(),
                        status.isEmpty() ? "" : "status:\n" + status.indent(2).stripTrailing());
    }

    @Test
    void succeededIsHealthy() {
        JsonNode hs = health(run("", "", "observedGeneration: 3\nphase: Succeeded\nbestEvaluation: 'seg mIoU 41.2'"));
        assertThat(hs.path("status").asText()).isEqualTo("Healthy");
        assertThat(hs.path("message").asText()).contains("seg mIoU 41.2");
    }

    @Test
    void failedIsDegradedWithTheFailedConditionMessage() {
        JsonNode hs = health(run("", "", """
                observedGeneration: 3
                phase: Failed
                conditions:
                  - {type: Running, status: "False", reason: Stopped, message: stopped}
                  - {type: Failed, status: "True", reason: BackoffLimitExceeded, message: "4 counted failures (limit 3): exit 1 on node gpu-7"}
                lastFailure: {reason: ExitCode, message: "exit 1"}
                """));
        assertThat(hs.path("status").asText()).isEqualTo("Degraded");
        assertThat(hs.path("message").asText()).isEqualTo("4 counted failures (limit 3): exit 1 on node gpu-7");
    }

    @Test
    void failedWithoutConditionFallsBackToLastFailure() {
        JsonNode hs = health(run("", "", """
                observedGeneration: 3
                phase: Failed
                lastFailure: {reason: ConfigError, kind: Permanent, message: "training.batchSize must divide queueSize", attempt: 1}
                """));
        assertThat(hs.path("status").asText()).isEqualTo("Degraded");
        assertThat(hs.path("message").asText()).isEqualTo("ConfigError: training.batchSize must divide queueSize");
    }

    @Test
    void suspendedBySpecOrPhase() {
        assertThat(health(run("suspend: true", "", "observedGeneration: 3\nphase: Running"))
                        .path("status")
                        .asText())
                .isEqualTo("Suspended");
        assertThat(health(run("", "", "observedGeneration: 3\nphase: Suspended"))
                        .path("status")
                        .asText())
                .isEqualTo("Suspended");
        assertThat(health(run("suspend: true", "", "observedGeneration: 2\nphase: Running"))
                        .path("status")
                        .asText())
                .as("suspend requested, not yet observed")
                .isEqualTo("Suspended");
        assertThat(health(run("suspend: true", "", "")).path("status").asText()).isEqualTo("Suspended");
    }

    @Test
    void runningPhasesAreProgressingWithProgress() {
        for (String phase : List.of("Pending", "Starting", "Running", "Restarting", "Evaluating")) {
            JsonNode hs = health(run(
                    "",
                    "",
                    "observedGeneration: 3\nphase: " + phase + "\nprogress: {epoch: 3, totalEpochs: 10, percent: 25}"));
            assertThat(hs.path("status").asText()).as(phase).isEqualTo("Progressing");
            assertThat(hs.path("message").asText())
                    .contains(phase)
                    .contains("epoch 3/10")
                    .contains("25%");
        }
    }

    @Test
    void staleStatusIsProgressingEvenWhenItSaysSucceeded() {
        JsonNode hs = health(run("", "", "observedGeneration: 2\nphase: Succeeded"));
        assertThat(hs.path("status").asText()).isEqualTo("Progressing");
        assertThat(hs.path("message").asText()).contains("generation 3");
        assertThat(health(run("", "", "phase: Failed")).path("status").asText())
                .as("no observedGeneration at all")
                .isEqualTo("Progressing");
    }

    @Test
    void noStatusYetIsProgressing() {
        JsonNode hs = health(run("", "", ""));
        assertThat(hs.path("status").asText()).isEqualTo("Progressing");
    }

    @Test
    void discoveryOffersSuspendOrResume() {
        Path discovery = argocd().resolve("actions/discovery.lua");
        JsonNode running = runLua(discovery, run("", "", "observedGeneration: 3\nphase: Running"));
        assertThat(running.path("suspend").path("disabled").asBoolean()).isFalse();
        assertThat(running.path("resume").path("disabled").asBoolean()).isTrue();
        JsonNode suspended = runLua(discovery, run("suspend: true", "", "observedGeneration: 3\nphase: Suspended"));
        assertThat(suspended.path("suspend").path("disabled").asBoolean()).isTrue();
        assertThat(suspended.path("resume").path("disabled").asBoolean()).isFalse();
        JsonNode done = runLua(discovery, run("", "", "observedGeneration: 3\nphase: Succeeded"));
        assertThat(done.path("suspend").path("disabled").asBoolean()).isTrue();
        assertThat(done.path("resume").path("disabled").asBoolean()).isTrue();
    }

    @Test
    void suspendAndResumeActionsFlipSpecSuspendOnly() {
        String obj = run("training: {epochs: 20}", "", "observedGeneration: 3\nphase: Running");
        JsonNode suspended = runLua(argocd().resolve("actions/suspend/action.lua"), obj);
        assertThat(suspended.path("spec").path("suspend").asBoolean()).isTrue();
        assertThat(suspended.path("spec").path("training").path("epochs").asInt())
                .isEqualTo(20);
        assertThat(suspended.path("metadata").path("name").asText()).isEqualTo("r");
        JsonNode resumed = runLua(
                argocd().resolve("actions/resume/action.lua"),
                run("suspend: true", "", "observedGeneration: 3\nphase: Suspended"));
        assertThat(resumed.path("spec").has("suspend")).isTrue();
        assertThat(resumed.path("spec").path("suspend").asBoolean()).isFalse();
    }

    @Test
    void scriptsStayWithinLua51ForArgoCd() throws IOException {
        // Argo CD runs gopher-lua (Lua 5.1): no integer division, bitwise operators, goto or attributes.
        Pattern forbidden = Pattern.compile(
                "//|\\bgoto\\b|<const>|<close>|math\\.type|utf8\\.|\\bos\\.|\\bio\\.|require\\s*\\(|[^~]~[^=]|&|\\|");
        try (var files = Files.walk(argocd())) {
            for (Path f : files.filter(p -> p.toString().endsWith(".lua")).toList()) {
                String code = Files.readString(f).replaceAll("(?m)--.*$", "");
                assertThat(forbidden.matcher(code).find())
                        .as("Lua 5.1-only constructs in %s", f)
                        .isFalse();
            }
        }
    }

    @Test
    void argocdConfigMapEmbedsTheScriptsVerbatim() throws IOException {
        JsonNode cm = Manifests.readYaml(argocd().resolve("argocd-cm-patch.yaml"));
        assertThat(cm.path("kind").asText()).isEqualTo("ConfigMap");
        assertThat(cm.path("metadata").path("name").asText()).isEqualTo("argocd-cm");
        JsonNode data = cm.path("data");
        assertThat(data.path("resource.customizations.health.densecl.io_DenseCLRun")
                        .asText())
                .isEqualTo(Files.readString(argocd().resolve("health.lua")));
        JsonNode actions = Manifests.YAML.readTree(data.path("resource.customizations.actions.densecl.io_DenseCLRun")
                .asText());
        assertThat(actions.path("discovery.lua").asText())
                .isEqualTo(Files.readString(argocd().resolve("actions/discovery.lua")));
        assertThat(actions.path("definitions")).hasSize(2);
        for (JsonNode def : actions.path("definitions")) {
            String name = def.path("name").asText();
            assertThat(def.path("action.lua").asText())
                    .as(name)
                    .isEqualTo(Files.readString(argocd().resolve("actions/" + name + "/action.lua")));
        }
    }
}
