package io.densecl.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Compares two runs' TensorBoard logs as TensorBoard reads them (for runs that must have trained identically). */
public final class TensorBoardSeries {
    /** Tags that depend only on the training itself (not on wall time). */
    static final List<String> DETERMINISTIC = List.of(
            "train/loss",
            "train/loss_global",
            "train/loss_dense",
            "train/loss_contra_single",
            "train/loss_contra_dense",
            "train/lambda",
            "train/lr",
            "train/epoch");

    private TensorBoardSeries() {}

    /**
     * {@code resumed}'s event files, however many attempts wrote them, hold each step once, in order even for a
     * reader that never purges, with the values of {@code straight} (an uninterrupted run); nothing when the
     * readers' venv is missing and not required.
     */
    public static void assertSameAs(Path straight, Path resumed) throws Exception {
        if (!ReaderPython.available()) {
            System.out.println(
                    "TensorBoard series not compared: no tracking venv (deploy-tests/install-tools.sh makes it)");
            return;
        }
        JsonNode a = ReaderPython.tensorboard(straight.resolve(RunTracking.DIR));
        JsonNode b = ReaderPython.tensorboard(resumed.resolve(RunTracking.DIR));
        for (String tag : DETERMINISTIC) {
            assertThat(b.get("accumulated").get(tag))
                    .as(tag + " after kills and resumes")
                    .isEqualTo(a.get("accumulated").get(tag));
        }
        List<Long> raw = new ArrayList<>();
        for (JsonNode r : b.get("raw")) {
            if (r.get(2).asText().equals("summary")) raw.add(r.get(1).asLong());
        }
        assertThat(raw)
                .as("summary steps across all attempts' files, in reading order")
                .isSorted()
                .doesNotHaveDuplicates();
        b.get("framing")
                .fields()
                .forEachRemaining(f -> assertThat(f.getValue().get(1).asInt())
                        .as(f.getKey() + " bad records")
                        .isZero());
    }
}
