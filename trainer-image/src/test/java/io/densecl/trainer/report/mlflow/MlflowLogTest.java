package io.densecl.trainer.report.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MLflow logging never holds up training (an unreachable server: always run); and, where an MLflow install is
 * named by {@code DENSECL_MLFLOW_PYTHON} (a venv with {@code mlflow} from PyPI, some 850 MB, so not in CI), a real
 * {@code mlflow server} receives both attempts' rows in one run.
 */
class MlflowLogTest {
    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void anUnreachableServerNeverHoldsUpTraining() throws Exception {
        int closed = freePort(); // nothing listens there any more
        MlflowLog log = MlflowLog.open(Map.of(MlflowLog.ENV_URI, "http://127.0.0.1:" + closed), dir, 0, 0);
        long worst = 0;
        for (int s = 1; s <= 3000; s++) {
            long t0 = System.nanoTime();
            log.log(s, Map.of("train/loss", 1.0 / s));
            worst = Math.max(worst, System.nanoTime() - t0);
        }
        long t0 = System.nanoTime();
        log.close();
        double closeSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("MLflow unreachable: worst enqueue %.1f us, close %.2f s%n", worst / 1e3, closeSeconds);
        assertThat(worst)
                .as("enqueue never waits for the network")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(250)); // a GC pause at most; a connect takes seconds
        assertThat(closeSeconds).isLessThan(12);
        assertThat(log.logged()).isZero();
        assertThat(MlflowLog.open(Map.of(), dir, 0, 0))
                .as("no MLFLOW_TRACKING_URI: no MLflow")
                .isNull();
    }

    @Test
    void aRealServerGetsBothAttemptsInOneRun() throws Exception {
        String python = System.getenv("DENSECL_MLFLOW_PYTHON");
        Assumptions.assumeTrue(
                python != null && Files.isExecutable(Path.of(python)),
                "DENSECL_MLFLOW_PYTHON (a python with mlflow from PyPI) not set: the real-server check is skipped");
        int port = freePort();
        Process server = new ProcessBuilder(
                        python,
                        "-m",
                        "mlflow",
                        "server",
                        "--backend-store-uri",
                        "sqlite:///" + dir.resolve("mlflow.sqlite"),
                        "--default-artifact-root",
                        dir.resolve("artifacts").toString(),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--workers",
                        "1")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mlflow.log").toFile())
                .start();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String uri = "http://127.0.0.1:" + port;
        try {
            waitForHealth(http, uri, server);
            Path ckpt = Files.createDirectories(dir.resolve("run-abc"));
            Map<String, String> env = Map.of(MlflowLog.ENV_URI, uri, MlflowLog.ENV_EXPERIMENT, "densecl-test");
            MlflowLog a0 = MlflowLog.open(env, ckpt, 0, 0);
            for (int s = 1; s <= 30; s++) a0.log(s, Map.of("train/loss", 10.0 - 0.1 * s, "train/lr", 0.001 * s));
            a0.close();
            String runId = a0.runId();
            assertThat(runId).isNotBlank();
            assertThat(Files.readString(ckpt.resolve(MlflowLog.RUN_ID_FILE)).strip())
                    .isEqualTo(runId);
            MlflowLog a1 = MlflowLog.open(env, ckpt, 1, 20);
            for (int s = 21; s <= 40; s++) a1.log(s, Map.of("train/loss", 100.0 + s, "train/lr", 0.001 * s));
            a1.close();
            assertThat(a1.runId())
                    .as("a resumed attempt logs into the same run")
                    .isEqualTo(runId);

            JsonNode history = get(
                    http,
                    uri + "/api/2.0/mlflow/metrics/get-history?run_id=" + runId + "&metric_key="
                            + URLEncoder.encode("train/loss", StandardCharsets.UTF_8) + "&max_results=1000");
            List<JsonNode> points = history.path("metrics").findParents("step");
            assertThat(points).hasSize(50); // MLflow keeps every value: steps 21..30 appear for both attempts
            JsonNode run = get(http, uri + "/api/2.0/mlflow/runs/get?run_id=" + runId);
            assertThat(run.toString())
                    .contains("densecl.attempt.1.resumed_after_step")
                    .contains("run-abc");
        } finally {
            List<String> log = Files.readAllLines(dir.resolve("mlflow.log"));
            System.out.println(String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size())));
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
        }
    }

    private static void waitForHealth(HttpClient http, String uri, Process server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180); // first start migrates the database
        while (System.nanoTime() < deadline && server.isAlive()) {
            try {
                if (http.send(
                                        HttpRequest.newBuilder(URI.create(uri + "/health"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode()
                        == 200) return;
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        throw new AssertionError("mlflow server did not become healthy");
    }

    private static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r =
                http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }
}
