package io.densecl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.trainer.synth.SynthDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, "the exit code says what happened", through the real {@code pretrain} command: each input
 * below ended with exit 1 (an unclassified failure, retried) or 74 (a device fault: the operator avoids
 * a healthy node). Now: configuration 78 naming the field, data 65 naming the path, device 74 only for
 * a device.
 */
class ExitCodeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @BeforeAll
    static void data() throws Exception {
        new SynthDataset(12, 40, 2, 1).write(dir.resolve("data"));
    }

    /** Runs {@code pretrain} with small defaults; {@code options} are option/value pairs replacing or adding to them. */
    private static JsonNode pretrain(int expectedExit, String... options) throws Exception {
        Path term = dir.resolve("t" + System.nanoTime() + ".term");
        java.util.Map<String, String> o = new java.util.LinkedHashMap<>();
        for (String[] kv : new String[][] {
            {"--backbone", "resnet18"},
            {"--hid", "32"},
            {"--dim", "16"},
            {"--image-size", "64"},
            {"--batch-size", "4"},
            {"--queue-size", "16"},
            {"--epochs", "1"},
            {"--max-steps-per-epoch", "1"},
            {"--threads", "1"},
            {"--workers", "1"},
            {"--progress-port", "-1"},
            {"--termination-log", term.toString()}
        }) {
            o.put(kv[0], kv[1]);
        }
        List<String> given = List.of(options);
        if (!given.contains("--config")) {
            o.put("--data", dir.resolve("data/JPEGImages").toString());
            o.put("--checkpoint-dir", dir.resolve("run" + System.nanoTime()).toString());
        }
        for (int i = 0; i + 1 < options.length; i += 2) {
            o.put(options[i], options[i + 1]);
        }
        List<String> a = new ArrayList<>(List.of("pretrain"));
        o.forEach((k, v) -> a.addAll(List.of(k, v)));
        assertThat(TrainerCli.execute(a.toArray(String[]::new)))
                .as(String.join(" ", options))
                .isEqualTo(expectedExit);
        return JSON.readTree(term.toFile());
    }

    private static void configError(String field, String... extra) throws Exception {
        JsonNode msg = pretrain(78, extra);
        assertThat(msg.get("result").asText()).isEqualTo("ConfigError");
        assertThat(msg.at("/error/field").asText()).as(String.join(" ", extra)).isEqualTo(field);
    }

    /** Before: exit 1 for each (NumberFormatException, IllegalArgumentException, NegativeArraySizeException, NPE, InvalidPathException). */
    @Test
    void impossibleSettingsAreConfigErrorsNamingTheField() throws Exception {
        configError("device", "--device", "gpu99999999999");
        configError("progressPort", "--progress-port", "70000");
        configError("training.imageSize", "--image-size", Integer.toString(1 << 30));
        configError("training.lr", "--lr", "Infinity");
        configError("training.lr", "--lr", "1e6");
        Path empty = Files.writeString(
                dir.resolve("empty-dir.json"),
                "{\"data\":{\"path\":\"" + dir.resolve("data/JPEGImages") + "\"},\"checkpoint\":{\"dir\":\"\"}}");
        configError("checkpoint.dir", "--config", empty.toString());
        Path nul = Files.writeString(
                dir.resolve("nul.json"),
                "{\"data\":{\"path\":\"" + dir.resolve("data/JPEGImages")
                        + "\"},\"checkpoint\":{\"dir\":\"/tmp/x\\u0000y\"}}");
        configError("checkpoint.dir", "--config", nul.toString());
    }

    /** A GPU that is not there is still a device fault (the operator may retry on another node). */
    @Test
    void aMissingGpuIsStillADeviceFault() throws Exception {
        JsonNode msg = pretrain(74, "--device", "gpu7");
        assertThat(msg.get("result").asText()).isEqualTo("DeviceError");
        assertThat(msg.at("/error/class").asText()).isEqualTo("DeviceError");
    }

    /** Before: 74 for both (FileSystemLoopException, MalformedInputException), and 0 "Complete" on 8 of 48 images. */
    @Test
    void unusableDataIsADataErrorNamingThePath() throws Exception {
        Path looped = Files.createDirectories(dir.resolve("looped"));
        Files.copy(dir.resolve("data/JPEGImages/synth_000000.jpg"), looped.resolve("a.jpg"));
        Path link = Files.createSymbolicLink(looped.resolve("self"), looped);
        JsonNode loop = pretrain(65, "--data", looped.toString());
        assertThat(loop.at("/error/class").asText()).isEqualTo("DataError");
        assertThat(loop.at("/error/path").asText()).isEqualTo(link.toString());

        Path list = dir.resolve("data/latin1.txt");
        Files.write(
                list,
                "JPEGImages/synth_000001.jpg\nJPEGImages/caf\u00e9.jpg\n"
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        JsonNode notUtf8 = pretrain(65, "--data", list.toString(), "--data-format", "list");
        assertThat(notUtf8.at("/error/message").asText()).contains("line 2 is not valid UTF-8");
        assertThat(notUtf8.at("/error/path").asText()).isEqualTo(list.toString());

        StringBuilder missing = new StringBuilder();
        for (int i = 0; i < 8; i++) missing.append(String.format("JPEGImages/synth_%06d.jpg%n", i));
        for (int i = 0; i < 40; i++)
            missing.append("JPEGImages/gone_").append(i).append(".jpg\n");
        Path mostlyMissing = Files.writeString(dir.resolve("data/mostly-missing.txt"), missing);
        JsonNode tooMany =
                pretrain(65, "--data", mostlyMissing.toString(), "--data-format", "list", "--max-steps-per-epoch", "0");
        assertThat(tooMany.at("/error/message").asText())
                .containsPattern("\\d of 48 files are unreadable")
                .contains("data.maxUnreadableFraction 0.1");
    }
}
