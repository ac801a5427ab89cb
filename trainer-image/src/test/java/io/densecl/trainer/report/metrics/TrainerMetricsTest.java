package io.densecl.trainer.report.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.densecl.contract.Progress;
import io.densecl.trainer.report.ProgressServer;
import io.densecl.trainer.report.ReaderPython;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} as Prometheus reads it: the Prometheus Python client's parsers (text 0.0.4 and the strict
 * OpenMetrics one) accept the scrape; the dashboard's gauges carry the snapshot's values; counters end in
 * {@code _total}, durations are in seconds, memory in bytes; the JVM and process collectors are there.
 */
class TrainerMetricsTest {
    private static final String CHECKPOINT_TIME = "2026-12-02T03:00:00Z";

    static Progress training() {
        return new Progress(
                Progress.Phase.Training,
                null,
                2,
                3,
                10,
                120L,
                400L,
                40,
                7.5,
                8.0,
                7.0,
                4.0,
                3.5,
                0.03,
                42.5,
                600L,
                new Progress.LastCheckpoint("/ckpt/ckpt-e3-s100", 3, 100L, CHECKPOINT_TIME),
                null,
                1);
    }

    private static HttpResponse<byte[]> scrape(ProgressServer s, String accept) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/metrics"));
        if (accept != null) r.header("Accept", accept);
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static double value(JsonNode families, String family, String sample) {
        for (JsonNode s : families.get(family).get("samples")) {
            if (s.get(0).asText().equals(sample)) return s.get(2).asDouble();
        }
        throw new AssertionError(sample + " not in " + families.get(family));
    }

    @Test
    void theScrapeParsesInBothFormatsWithTheSnapshotsValues() throws Exception {
        double stepsBefore = StepMetrics.PROCESS.steps.get();
        StepMetrics.PROCESS.stepEnded(0.7, 32);
        StepMetrics.PROCESS.stepEnded(1.3, 32);
        try (ProgressServer s = ProgressServer.start("127.0.0.1", 0, TrainerMetricsTest::training)) {
            HttpResponse<byte[]> text = scrape(s, null);
            assertThat(text.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
            HttpResponse<byte[]> om = scrape(s, "application/openmetrics-text; version=1.0.0; charset=utf-8");
            assertThat(om.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
            HttpResponse<byte[]> proto = scrape(
                    s, "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
            assertThat(proto.headers().firstValue("Content-Type"))
                    .as("no protobuf library shipped: text instead")
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            System.out.printf("/metrics: %d bytes (text), %d (OpenMetrics)%n", text.body().length, om.body().length);

            JsonNode t = ReaderPython.metrics(text.body(), "text");
            JsonNode o = ReaderPython.metrics(om.body(), "openmetrics");
            for (JsonNode f : List.of(t, o)) {
                Map<String, Double> want = Map.of(
                        "densecl_step",
                        120.0,
                        "densecl_total_steps",
                        400.0,
                        "densecl_loss",
                        7.5,
                        "densecl_loss_global",
                        8.0,
                        "densecl_loss_dense",
                        7.0,
                        "densecl_loss_contra_single",
                        4.0,
                        "densecl_learning_rate",
                        0.03,
                        "densecl_images_per_second",
                        42.5,
                        "densecl_eta_seconds",
                        600.0,
                        "densecl_checkpoint_step",
                        100.0);
                want.forEach(
                        (name, v) -> assertThat(value(f, name, name)).as(name).isEqualTo(v));
                assertThat(value(f, "densecl_checkpoint_timestamp_seconds", "densecl_checkpoint_timestamp_seconds"))
                        .isEqualTo(Instant.parse(CHECKPOINT_TIME).getEpochSecond());
                assertThat(value(f, "densecl_attempt", "densecl_attempt")).isEqualTo(2);
                assertThat(f.get("densecl_steps").get("type").asText()).isEqualTo("counter");
                assertThat(value(f, "densecl_steps", "densecl_steps_total")).isEqualTo(stepsBefore + 2);
                assertThat(value(f, "densecl_skipped_files", "densecl_skipped_files_total"))
                        .isEqualTo(1);
                assertThat(f.get("densecl_step_duration_seconds").get("type").asText())
                        .isEqualTo("histogram");
                assertThat(value(f, "densecl_step_duration_seconds", "densecl_step_duration_seconds_count"))
                        .isGreaterThanOrEqualTo(2);
                assertThat(f.has("process_cpu_seconds")).as("process collector").isTrue();
                assertThat(f.has("jvm_memory_used_bytes")).as("JVM collector").isTrue();
                assertThat(f.has("jvm_threads_current")).isTrue();
            }
            assertThat(o.get("densecl_step_duration_seconds").get("unit").asText())
                    .isEqualTo("seconds");
            List<String> families = new ArrayList<>();
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) families.add(it.next());
            for (String name : families) {
                JsonNode f = o.get(name);
                if (f.get("type").asText().equals("counter")) {
                    for (JsonNode sample : f.get("samples")) {
                        assertThat(sample.get(0).asText()).as("counter sample").matches(".*_(total|created)");
                    }
                }
                String unit = f.get("unit").asText();
                if (!unit.isEmpty())
                    assertThat(name).as("a unit is the name's suffix").endsWith("_" + unit);
            }
            String body = new String(text.body(), StandardCharsets.UTF_8);
            assertThat(body).doesNotContain("milliseconds").doesNotContain("_ms ");
        }
    }

    @Test
    void anEvaluationProcessExposesNoTrainingGauges() throws Exception {
        try (ProgressServer s = ProgressServer.start("127.0.0.1", 0, () -> Progress.evaluating("features 3/10"))) {
            JsonNode t = ReaderPython.metrics(scrape(s, null).body(), "text");
            assertThat(t.path("densecl_loss").path("samples").size()).isZero();
            assertThat(t.path("densecl_step").path("samples").size()).isZero();
            assertThat(t.has("jvm_memory_used_bytes")).isTrue();
        }
    }
}
