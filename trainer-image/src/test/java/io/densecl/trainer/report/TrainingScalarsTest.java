package io.densecl.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.densecl.trainer.cli.TrainerCli;
import io.densecl.trainer.synth.SynthDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real (tiny) pre-training run: TensorBoard reads from {@code <checkpoint-dir>/tensorboard} exactly the steps and
 * values of {@code metrics.csv}; running the finished run again (a new attempt resuming at the end) adds a file
 * but no step.
 */
class TrainingScalarsTest {
    @TempDir
    Path dir;

    private static final Map<String, Integer> COLUMNS = Map.of(
            "train/loss",
            2,
            "train/loss_global",
            3,
            "train/loss_dense",
            4,
            "train/lr",
            5,
            "train/images_per_second",
            6,
            "train/loss_contra_single",
            8,
            "train/loss_contra_dense",
            9,
            "train/lambda",
            10,
            "train/epoch",
            1);

    @Test
    void tensorBoardReadsWhatMetricsCsvHolds() throws Exception {
        new SynthDataset(17, 48, 3, 4).write(dir.resolve("data"));
        Path ckpt = dir.resolve("run");
        String[] args = {
            "pretrain",
            "--data",
            dir.resolve("data/JPEGImages").toString(),
            "--checkpoint-dir",
            ckpt.toString(),
            "--backbone",
            "resnet18",
            "--hid",
            "32",
            "--dim",
            "16",
            "--image-size",
            "64",
            "--batch-size",
            "4",
            "--queue-size",
            "16",
            "--epochs",
            "3",
            "--lr",
            "0.3",
            "--bn-group-size",
            "2",
            "--threads",
            "1",
            "--workers",
            "1",
            "--progress-port",
            "-1",
            "--termination-log",
            dir.resolve("term").toString(),
            "--attempt",
            "0"
        };
        assertThat(TrainerCli.execute(args)).isZero();
        args[args.length - 1] = "1";
        assertThat(TrainerCli.execute(args))
                .as("the finished run, started again")
                .isZero();

        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(ckpt.resolve("metrics.csv"))) {
            if (!line.startsWith("step")) rows.add(line.split(","));
        }
        assertThat(rows)
                .extracting(r -> r[0])
                .containsExactly("1", "2", "3", "4", "8", "10", "12"); // 1-3, every 10th, epoch ends

        JsonNode tb = ReaderPython.tensorboard(ckpt.resolve(RunTracking.DIR));
        assertThat(tb.get("files")).hasSize(2);
        COLUMNS.forEach((tag, col) -> {
            JsonNode series = tb.get("accumulated").get(tag);
            assertThat(series).as(tag).hasSize(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                double csv = Double.parseDouble(rows.get(i)[col]);
                assertThat(series.get(i).get(0).asLong()).as(tag + " step").isEqualTo(Long.parseLong(rows.get(i)[0]));
                // float32 in the event, 6 (lr: 8, img/s: 2) decimals in the CSV
                assertThat(series.get(i).get(1).asDouble())
                        .as(tag + " at step " + rows.get(i)[0])
                        .isCloseTo(csv, within(tag.endsWith("per_second") ? 0.006 : 1e-5 * Math.max(1, Math.abs(csv))));
            }
        });
    }
}
