package io.densecl.deploy;

import static io.densecl.deploy.Manifests.WATCHED_VALUES;
import static io.densecl.deploy.Manifests.render;
import static io.densecl.deploy.Manifests.single;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The monitors as Prometheus needs them (the operator's labels honoured, the trainers scraped by the port name the
 * operator gives them) and the dashboard's GPU panel joined to the trainer pods.
 */
class MonitoringTest {
    private static final Path POD_FACTORY =
            Tools.repoRoot().resolve("operator/src/main/java/io/densecl/operator/resources/PodFactory.java");

    @Test
    void serviceMonitorHonoursTheOperatorsNamespaceLabel() {
        JsonNode endpoint = single(render(WATCHED_VALUES), "ServiceMonitor")
                .path("spec")
                .path("endpoints")
                .get(0);
        // without it the operator's `namespace` label (checkpoint age per run) arrives as exported_namespace
        assertThat(endpoint.path("honorLabels").isBoolean()).isTrue();
        assertThat(endpoint.path("honorLabels").asBoolean()).isTrue();
    }

    @Test
    void podMonitorScrapesTheTrainersNamedPort() throws IOException {
        JsonNode endpoint = single(render(WATCHED_VALUES), "PodMonitor")
                .path("spec")
                .path("podMetricsEndpoints")
                .get(0);
        assertThat(endpoint.has("targetPort"))
                .as("a number breaks when trainer.progressPort and the pods disagree")
                .isFalse();
        assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
        Matcher m = Pattern.compile("addNewPort\\(\\)\\s*\\.withName\\(\"([a-z0-9-]+)\"\\)")
                .matcher(Files.readString(POD_FACTORY));
        assertThat(m.find()).as("the operator names the trainer's port").isTrue();
        assertThat(endpoint.path("port").asText())
                .as("the port name the operator gives trainer pods")
                .isEqualTo(m.group(1));
    }

    @Test
    void gpuPanelJoinsDcgmUtilisationToTheTrainerPods() throws IOException {
        JsonNode dashboard = Manifests.JSON.readTree(
                Tools.chartDir().resolve("files/dashboards/densecl.json").toFile());
        JsonNode gpu = null;
        for (JsonNode p : dashboard.path("panels")) {
            if (p.path("title").asText().startsWith("GPU")) gpu = p;
        }
        assertThat(gpu).as("a GPU utilisation panel").isNotNull();
        String expr = gpu.path("targets").get(0).path("expr").asText();
        assertThat(expr)
                .contains("DCGM_FI_DEV_GPU_UTIL")
                .contains("on (namespace, pod)")
                .contains("group_left (densecl_io_run)")
                .contains("densecl_io_run=~\"$run\"");
        assertThat(gpu.path("fieldConfig").path("defaults").path("unit").asText())
                .isEqualTo("percent");
        String readme = Files.readString(Tools.chartDir().resolve("README.md"));
        assertThat(readme)
                .as("the chart README documents what the panel and the sidecar need")
                .contains("DCGM_FI_DEV_GPU_UTIL")
                .contains("honorLabels: true")
                .contains("DCGM_EXPORTER_KUBERNETES")
                .contains("searchNamespace")
                .contains("folderAnnotation");
        List<Integer> ids = dashboard.path("panels").findValues("id").stream()
                .map(JsonNode::asInt)
                .toList();
        assertThat(ids).doesNotHaveDuplicates();
    }
}
