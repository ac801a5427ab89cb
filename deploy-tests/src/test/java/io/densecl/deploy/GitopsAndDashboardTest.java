package io.densecl.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Flux snippets, yamllint of the hand-written YAML, the Grafana dashboard's metric names, the docs. */
class GitopsAndDashboardTest {

    static final List<String> PHASES =
            List.of("Pending", "Starting", "Running", "Restarting", "Suspended", "Evaluating", "Succeeded", "Failed");

    @Test
    void fluxHealthCheckExprsCoverThePhases() {
        JsonNode ks = Manifests.readYaml(Tools.repoRoot().resolve("gitops/flux/kustomization-runs.yaml"));
        assertThat(ks.path("apiVersion").asText()).isEqualTo("kustomize.toolkit.fluxcd.io/v1");
        assertThat(ks.path("kind").asText()).isEqualTo("Kustomization");
        JsonNode exprs = ks.path("spec").path("healthCheckExprs");
        assertThat(exprs).hasSize(1);
        JsonNode e = exprs.get(0);
        assertThat(e.path("apiVersion").asText()).isEqualTo("densecl.io/v1alpha1");
        assertThat(e.path("kind").asText()).isEqualTo("DenseCLRun");
        assertThat(quoted(e.path("current").asText())).containsExactly("Succeeded");
        assertThat(quoted(e.path("failed").asText())).containsExactly("Failed");
        assertThat(quoted(e.path("inProgress").asText()))
                .containsExactlyInAnyOrder("Pending", "Starting", "Running", "Restarting", "Evaluating");
        for (String field : List.of("current", "failed", "inProgress")) {
            assertThat(e.path(field).asText())
                    .as("%s tolerates a missing status", field)
                    .contains("status.?phase.orValue(");
        }
    }

    /** The quoted phase names of a CEL expression (status.?phase.orValue('Pending') counts for inProgress). */
    static Set<String> quoted(String cel) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("'([A-Za-z]*)'").matcher(cel);
        while (m.find()) {
            if (!m.group(1).isEmpty()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    @Test
    void crdPhaseEnumMatchesWhatTheGitopsChecksKnow() {
        JsonNode crd = Manifests.readYaml(Tools.chartDir().resolve("files/crds/denseclruns.densecl.io-v1.yml"));
        JsonNode phase = crd.path("spec")
                .path("versions")
                .get(0)
                .path("schema")
                .path("openAPIV3Schema")
                .path("properties")
                .path("status")
                .path("properties")
                .path("phase");
        if (phase.has("enum")) {
            assertThat(Manifests.texts(phase.path("enum"))).containsExactlyInAnyOrderElementsOf(PHASES);
        }
    }

    @Test
    void protectedRunCarriesBothPruneGuards() {
        JsonNode run = Manifests.readYaml(Tools.repoRoot().resolve("gitops/flux/runs/example-run.yaml"));
        JsonNode ann = run.path("metadata").path("annotations");
        assertThat(ann.path("kustomize.toolkit.fluxcd.io/prune").asText()).isEqualTo("disabled");
        assertThat(ann.path("argocd.argoproj.io/sync-options").asText())
                .contains("Prune=false")
                .contains("Delete=false");
        assertThat(run.path("spec").path("checkpoint").path("onDelete").asText())
                .isEqualTo("Retain");
    }

    @Test
    void handWrittenYamlPassesYamllint() throws IOException {
        Path yamllint = Tools.tool("yamllint");
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Tools.repoRoot().resolve("gitops"))) {
            s.filter(p -> p.toString().endsWith(".yaml")).forEach(p -> files.add(p.toString()));
        }
        files.add(Tools.chartDir().resolve("values.yaml").toString());
        files.add(Tools.chartDir().resolve("Chart.yaml").toString());
        files.add(Tools.chartDir().resolve("ci/watched-namespaces-values.yaml").toString());
        List<String> cmd = new ArrayList<>(
                List.of(
                        yamllint.toString(),
                        "--strict",
                        "-d",
                        "{extends: default, rules: {line-length: {max: 140}, document-start: disable, comments: {min-spaces-from-content: 1}, truthy: {check-keys: false}}}"));
        cmd.addAll(files);
        Tools.run(cmd).ok("yamllint");
    }

    @Test
    void renderedChartPassesYamllint() throws IOException {
        Path yamllint = Tools.tool("yamllint");
        for (String values : List.of("", Manifests.WATCHED_VALUES)) {
            Path out = Files.createTempFile("rendered", ".yaml");
            try {
                Files.writeString(out, Manifests.template(values));
                Tools.run(List.of(
                                yamllint.toString(),
                                "-d",
                                "{extends: default, rules: {line-length: disable, document-start: disable, indentation: {indent-sequences: whatever}, comments: disable, comments-indentation: disable, truthy: disable}}",
                                out.toString()))
                        .ok("yamllint of helm template " + values);
            } finally {
                Files.deleteIfExists(out);
            }
        }
    }

    static final Pattern METRIC = Pattern.compile("\\b(densecl_[a-z_]+)\\b");

    @Test
    void dashboardUsesOnlyTheMetricsTheChartReadmeDocuments() throws IOException {
        JsonNode dashboard = Manifests.JSON.readTree(
                Tools.chartDir().resolve("files/dashboards/densecl.json").toFile());
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    if (!m.group(1).startsWith("densecl_io_")) { // label names from pod labels densecl.io/*
                        used.add(m.group(1));
                    }
                }
            }
        }
        String readme = Files.readString(Tools.chartDir().resolve("README.md"));
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("\\| `(densecl_[a-z_]+)` \\|").matcher(readme);
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertThat(used).isNotEmpty();
        assertThat(documented).as("README metrics table").containsAll(used);
        assertThat(used)
                .as("panels: runs by phase, progress, loss, restarts, checkpoint age")
                .contains(
                        "densecl_operator_runs",
                        "densecl_step",
                        "densecl_total_steps",
                        "densecl_loss",
                        "densecl_operator_restarts_total",
                        "densecl_operator_checkpoint_timestamp_seconds");
    }

    @Test
    void trainerMetricNamesExistInTheTrainer() throws IOException {
        Path metrics = Tools.repoRoot().resolve("trainer-image/src/main/java/io/densecl/trainer/report/metrics");
        StringBuilder code = new StringBuilder();
        try (Stream<Path> s = Files.list(metrics)) {
            for (Path p : s.toList()) code.append(Files.readString(p));
        }
        String readme = Files.readString(Tools.chartDir().resolve("README.md"));
        Matcher m = Pattern.compile("\\| `(densecl_[a-z_]+)` \\| trainer \\|").matcher(readme);
        int n = 0;
        while (m.find()) {
            n++;
            String family = m.group(1).replaceAll("_(bucket|count|sum)$", ""); // a histogram's series
            assertThat(code).as("trainer exports %s", m.group(1)).contains("\"" + family + "\"");
        }
        assertThat(n).isGreaterThan(5);
    }

    @Test
    void deployGuideCoversTheEssentials() throws IOException {
        String doc = Files.readString(Tools.repoRoot().resolve("docs/deploy.md"));
        for (String s : List.of(
                "helm install",
                "kubectl get dcl -w",
                "helm uninstall",
                "kubectl delete crd",
                "argocd.argoproj.io/sync-options: Prune=false",
                "Delete=false",
                "kustomize.toolkit.fluxcd.io/prune: disabled",
                "onDelete: Retain",
                "docker buildx build",
                "Dockerfile.cpu",
                "install-tools.sh",
                "DENSECL_DEFAULT_IMAGE",
                "checkpoint")) {
            assertThat(doc).as("docs/deploy.md mentions %s", s).contains(s);
        }
        for (Map.Entry<String, String> e :
                Map.of("health.lua", "gitops/argocd/health.lua").entrySet()) {
            assertThat(doc).contains(e.getValue());
        }
    }
}
