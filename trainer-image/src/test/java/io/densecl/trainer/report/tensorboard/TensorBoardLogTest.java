package io.densecl.trainer.report.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.densecl.trainer.report.ReaderPython;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event files as TensorBoard itself reads them (the {@code tensorboard} package from PyPI): values and
 * steps come back as written, every record passes TensorBoard's CRC check, and a resumed attempt leaves each
 * step once, in order, with the resumed attempt's values.
 */
class TensorBoardLogTest {
    @TempDir
    Path dir;

    private static Map<String, Double> row(double loss, double lr) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train/loss", loss);
        m.put("train/lr", lr);
        return m;
    }

    private static void steps(TensorBoardLog log, int from, int to, double offset) {
        for (int s = from; s <= to; s++) log.scalars(s, row(offset + 10 - 0.1 * s, 0.001 * s));
    }

    @Test
    void aResumedAttemptLeavesEachStepOnceWithItsOwnValues() throws Exception {
        TensorBoardLog a0 = TensorBoardLog.open(dir, 0, 0);
        steps(a0, 1, 30, 0); // the attempt checkpointed step 20, logged up to 30, then died
        a0.close();
        Files.write(a0.file(), new byte[] {42, 0, 0}, StandardOpenOption.APPEND); // killed mid-record
        Files.write(
                dir.resolve(TensorBoardLog.TMP_PREFIX + "0000000001.h.a0"),
                new byte[] {1}); // and a rewrite killed before its rename
        TensorBoardLog a1 = TensorBoardLog.open(dir, 1, 20);
        steps(a1, 21, 40, 100);
        a1.close();

        JsonNode tb = ReaderPython.tensorboard(dir);
        assertThat(tb.get("files")).hasSize(2);
        try (var names = Files.list(dir)) {
            assertThat(names.map(p -> p.getFileName().toString())).allMatch(n -> n.startsWith(TensorBoardLog.PREFIX));
        }
        assertThat(tb.get("files").get(0).asText()).endsWith(".a0");
        assertThat(tb.get("files").get(1).asText()).endsWith(".a1");
        tb.get("framing")
                .fields()
                .forEachRemaining(f -> assertThat(f.getValue().get(1).asInt())
                        .as(f.getKey() + " bad records")
                        .isZero());
        List<Long> raw = new ArrayList<>();
        for (JsonNode r : tb.get("raw")) {
            if (r.get(2).asText().equals("summary")) raw.add(r.get(1).asLong());
        }
        assertThat(raw)
                .as("every reader, even one that never purges, sees steps 1..40 once each, in order")
                .isEqualTo(
                        java.util.stream.LongStream.rangeClosed(1, 40).boxed().toList());
        JsonNode loss = tb.get("accumulated").get("train/loss");
        assertThat(loss).hasSize(40);
        for (int i = 0; i < 40; i++) {
            int step = i + 1;
            double want = (step > 20 ? 100 : 0) + 10 - 0.1 * step;
            assertThat(loss.get(i).get(0).asLong()).isEqualTo(step);
            assertThat(loss.get(i).get(1).asDouble()).isEqualTo((double) (float) want);
            assertThat(tb.get("accumulated").get("train/lr").get(i).get(1).asDouble())
                    .isEqualTo((double) (float) (0.001 * step));
        }
    }

    /**
     * A TensorBoard that read the dead attempt's steps 21..30 before the rewrite still drops them: the resumed
     * file starts with SessionLog.START at step 21 (here the earlier file is not rewritten at all).
     */
    @Test
    void sessionStartMakesTensorBoardPurgeOrphanedSteps() throws Exception {
        List<byte[]> first = new ArrayList<>(List.of(EventProto.fileVersion(1000)));
        for (int s = 1; s <= 30; s++) first.add(EventProto.scalars(1000 + s, s, Map.of("train/loss", (float) s)));
        Files.write(dir.resolve(TensorBoardLog.PREFIX + "0000001000.h.a0"), TfRecord.frames(first));
        List<byte[]> second =
                new ArrayList<>(List.of(EventProto.fileVersion(2000), EventProto.sessionStart(2000, 21, "resumed")));
        for (int s = 21; s <= 40; s++) second.add(EventProto.scalars(2000 + s, s, Map.of("train/loss", (float) -s)));
        Files.write(dir.resolve(TensorBoardLog.PREFIX + "0000002000.h.a1"), TfRecord.frames(second));

        JsonNode loss = ReaderPython.tensorboard(dir).get("accumulated").get("train/loss");
        assertThat(loss).hasSize(40);
        for (int i = 0; i < 40; i++) {
            assertThat(loss.get(i).get(0).asInt()).isEqualTo(i + 1);
            assertThat(loss.get(i).get(1).asDouble()).isEqualTo(i + 1 > 20 ? -(i + 1) : i + 1);
        }
    }

    /** The TensorBoard server itself (its Rust data server, {@code --load_fast=true}) serves the resumed series. */
    @Test
    void tensorBoardsServerShowsTheResumedSeries() throws Exception {
        String python = ReaderPython.python();
        TensorBoardLog a0 = TensorBoardLog.open(dir, 0, 0);
        steps(a0, 1, 30, 0);
        a0.close();
        TensorBoardLog a1 = TensorBoardLog.open(dir, 1, 20);
        steps(a1, 21, 40, 100);
        a1.close();
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path tensorboard = Path.of(python).resolveSibling("tensorboard");
        Process server = new ProcessBuilder(
                        tensorboard.toString(),
                        "--logdir",
                        dir.toString(),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--load_fast=true")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("tensorboard.log").toFile())
                .start(); // not an event file: TensorBoard ignores it
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.URI uri = java.net.URI.create(
                    "http://127.0.0.1:" + port + "/data/plugin/scalars/scalars?run=.&tag=train/loss");
            JsonNode points = null;
            long deadline = System.nanoTime() + 90_000_000_000L;
            while (System.nanoTime() < deadline && server.isAlive()) {
                try {
                    var r = http.send(
                            java.net.http.HttpRequest.newBuilder(uri).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        points = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
                        if (points.size() == 40) break;
                    }
                } catch (java.io.IOException starting) {
                    // not listening yet
                }
                Thread.sleep(500);
            }
            assertThat(points).as("TensorBoard served train/loss").isNotNull().hasSize(40); // [wall_time, step, value]
            for (int i = 0; i < 40; i++) {
                int step = i + 1;
                assertThat(points.get(i).get(1).asInt()).isEqualTo(step);
                assertThat(points.get(i).get(2).asDouble())
                        .isEqualTo((double) (float) ((step > 20 ? 100 : 0) + 10 - 0.1 * step));
            }
        } finally {
            server.destroy();
            if (!server.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) server.destroyForcibly();
        }
    }

    @Test
    void framingUsesTensorFlowsMaskedCrc32c() {
        byte[] nine = "123456789".getBytes(StandardCharsets.US_ASCII);
        CRC32C c = new CRC32C();
        c.update(nine);
        assertThat(c.getValue()).isEqualTo(0xE3069283L); // the CRC-32C check value
        int crc = 0xE3069283;
        assertThat(TfRecord.maskedCrc(nine, 0, 9)).isEqualTo(((crc >>> 15) | (crc << 17)) + 0xa282ead8);
        byte[] e = EventProto.scalars(1.5, 123456789012L, Map.of("a", 1f));
        assertThat(EventProto.step(e)).isEqualTo(123456789012L);
        assertThat(TfRecord.read(TfRecord.frames(List.of(e, e)))).hasSize(2);
        byte[] torn = TfRecord.frames(List.of(e, e));
        torn[torn.length - 1] ^= 1;
        assertThat(TfRecord.read(torn))
                .as("a record whose CRC fails ends the readable part")
                .hasSize(1);
    }

    @Test
    void anUnwritableDirectoryDisablesTheLogInsteadOfFailing() throws Exception {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        assertThat(TensorBoardLog.open(notADir.resolve("tb"), 0, 0)).isNull();
    }

    /** The training thread only enqueues: measured per logged step (9 scalars), far below a step's time. */
    @Test
    void loggingAStepCostsMicroseconds() throws Exception {
        try (TensorBoardLog log = TensorBoardLog.open(dir, 0, 0)) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (int i = 0; i < 9; i++) m.put("train/scalar_" + i, 0.5 * i);
            int n = 2000;
            for (int i = 0; i < 200; i++) log.scalars(i, m); // warm-up
            long spent = 0;
            for (int i = 200; i < 200 + n; i++) {
                long t0 = System.nanoTime();
                log.scalars(i, m);
                spent += System.nanoTime() - t0;
                if (i % 500 == 0) Thread.sleep(20); // let the writer drain, as the seconds between real steps do
            }
            double micros = spent / 1e3 / n;
            System.out.printf("TensorBoard: %.2f us per logged step on the training thread%n", micros);
            assertThat(micros).isLessThan(200);
            log.close();
            assertThat(log.written() + log.dropped()).isEqualTo(200 + n);
        }
    }
}
