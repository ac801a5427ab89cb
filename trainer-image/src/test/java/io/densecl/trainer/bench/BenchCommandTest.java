package io.densecl.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.contract.ExitCodes;
import io.densecl.trainer.cli.TrainerCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench step|data|checkpoint} run as subcommands and print one JSON result line each. Tiny sizes, not a
 * benchmark, yet ~25 s here: it loads libtorch and saves a ResNet-18 state.
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void benchWithoutABenchmarkIsAUsageError() {
        assertThat(TrainerCli.execute("bench", "--termination-log", "")).isEqualTo(ExitCodes.USAGE);
        assertThat(TrainerCli.execute("bench", "--mode", "data", "--termination-log", ""))
                .isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void eachBenchmarkPrintsItsResult() throws Exception {
        assertThat(TrainerCli.execute(
                        "synth", "--out", dir.resolve("synth").toString(), "--images", "4", "--size", "48"))
                .isZero();
        JsonNode data = json(
                "bench",
                "data",
                "--data",
                dir.resolve("synth/JPEGImages").toString(),
                "--size",
                "32",
                "--steps",
                "4",
                "--warmup",
                "0");
        assertThat(data.get("two_view_samples_per_s").asDouble()).isPositive();
        JsonNode step = json(
                "bench",
                "step",
                "--backbone",
                "resnet18",
                "--batch",
                "2",
                "--size",
                "32",
                "--queue",
                "16",
                "--steps",
                "2",
                "--warmup",
                "0",
                "--threads",
                "1");
        assertThat(step.get("ms_per_step").asDouble()).isPositive();
        assertThat(step.get("arch").asText()).isEqualTo("resnet18");
        JsonNode checkpoint = json(
                "bench",
                "checkpoint",
                "--backbone",
                "resnet18",
                "--queue",
                "16",
                "--out",
                dir.resolve("ckpt").toString(),
                "--steps",
                "1");
        assertThat(checkpoint.toString()).contains("load");
    }

    /** Runs a command line and parses the JSON line it printed. */
    private static JsonNode json(String... args) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            rc = TrainerCli.execute(args);
        } finally {
            System.setOut(out);
        }
        assertThat(rc).as(String.join(" ", args)).isZero();
        String line = Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\n"))
                .filter(l -> l.startsWith("{"))
                .reduce((a, b) -> b)
                .orElseThrow();
        return new ObjectMapper().readTree(line);
    }
}
