package io.densecl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.contract.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the CLI fails before training starts: exit code, and a termination message in the right file. */
class CliFailureTest {
    @TempDir
    Path dir;

    static final ObjectMapper JSON = new ObjectMapper();

    /** A config file whose terminationLog points into the test directory; {@code training} is spliced in. */
    private Path config(String training) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Path f = dir.resolve("run.json");
        Files.writeString(
                f,
                "{\"data\":{\"path\":\"" + dir.resolve("data") + "\"},\"checkpoint\":{\"dir\":\"" + dir.resolve("ckpt")
                        + "\"},\"progressPort\":-1,\"terminationLog\":\"" + dir.resolve("configured.log") + "\","
                        + training + "}");
        return f;
    }

    private JsonNode message(String file) throws IOException {
        return JSON.readTree(dir.resolve(file).toFile());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "\"trainig\":{\"epochs\":3}                           | trainig",
                "\"training\":{\"batch_size\":32}                     | training.batch_size",
                "\"training\":{\"batchSize\":4.7}                     | training.batchSize",
                "\"training\":{\"epochs\":3},\"training\":{\"epochs\":4} | training",
                "\"training\":{\"imageSize\":100}                     | training.imageSize",
                "\"training\":{\"workers\":0}                         | training.workers",
                "\"data\":{\"path\":\"/x\",\"format\":\"coco\"}       | data",
                "\"training\":{\"schedule\":\"step\"}                 | training.schedule",
            })
    void configErrorsExit78AndNameTheKeyInTheConfiguredLog(String training, String field) throws IOException {
        int rc = TrainerCli.execute("pretrain", "--config", config(training).toString());
        assertThat(rc).isEqualTo(ExitCodes.CONFIG);
        JsonNode m = message("configured.log");
        assertThat(m.get("result").asText()).isEqualTo("ConfigError");
        assertThat(m.at("/error/class").asText()).isEqualTo("ConfigError");
        assertThat(m.at("/error/field").asText()).isEqualTo(field);
    }

    @Test
    void trailingGarbageIsAConfigErrorAboutTheFile() throws IOException {
        Path f = config("\"training\":{\"epochs\":3}");
        Files.writeString(f, Files.readString(f) + " garbage");
        assertThat(TrainerCli.execute("pretrain", "--config", f.toString())).isEqualTo(ExitCodes.CONFIG);
        assertThat(message("configured.log").at("/error/field").asText()).isEqualTo("--config");
    }

    @Test
    void theTerminationLogFlagWinsOverTheConfigFile() throws IOException {
        Path flagged = dir.resolve("flag.log");
        int rc = TrainerCli.execute(
                "pretrain",
                "--config",
                config("\"training\":{\"workers\":0}").toString(),
                "--termination-log",
                flagged.toString());
        assertThat(rc).isEqualTo(ExitCodes.CONFIG);
        assertThat(JSON.readTree(flagged.toFile()).at("/error/field").asText()).isEqualTo("training.workers");
        assertThat(dir.resolve("configured.log")).doesNotExist();
    }

    @Test
    void usageErrorsExit64AndWriteAMessageToo() throws IOException {
        Path log = dir.resolve("usage.log");
        assertThat(TrainerCli.execute("pretrain", "--epochs", "many", "--termination-log", log.toString()))
                .isEqualTo(ExitCodes.USAGE);
        JsonNode m = JSON.readTree(log.toFile());
        assertThat(m.get("result").asText()).isEqualTo("UsageError");
        assertThat(m.at("/error/message").asText()).contains("--epochs");
        assertThat(TrainerCli.execute("pretrain", "--no-such-flag", "--termination-log=" + log))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(JSON.readTree(log.toFile()).at("/error/message").asText()).contains("--no-such-flag");
        assertThat(TrainerCli.execute(
                        "evaluate",
                        "--task",
                        "detection",
                        "--data",
                        "/x",
                        "--init",
                        "random",
                        "--termination-log",
                        log.toString()))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(JSON.readTree(log.toFile()).at("/error/class").asText()).isEqualTo("UsageError");
    }

    @Test
    void anEvaluationOfAnEpochWithoutSuchACheckpointIsAConfigErrorNamingTheFlag() throws IOException {
        Path log = dir.resolve("eval.log");
        Files.createDirectories(dir.resolve("run-dir"));
        assertThat(TrainerCli.execute(
                        "evaluate",
                        "--task",
                        "knn",
                        "--data",
                        dir.toString(),
                        "--checkpoint",
                        dir.resolve("run-dir").toString(),
                        "--checkpoint-epoch",
                        "3",
                        "--progress-port",
                        "-1",
                        "--termination-log",
                        log.toString()))
                .isEqualTo(ExitCodes.CONFIG);
        assertThat(JSON.readTree(log.toFile()).at("/error/field").asText()).isEqualTo("--checkpoint-epoch");
        assertThat(JSON.readTree(log.toFile()).at("/error/message").asText())
                .contains("no valid checkpoint of epoch 3");
        assertThat(TrainerCli.execute(
                        "evaluate",
                        "--task",
                        "knn",
                        "--data",
                        dir.toString(),
                        "--init",
                        "random",
                        "--checkpoint-epoch",
                        "3",
                        "--progress-port",
                        "-1",
                        "--termination-log",
                        log.toString()))
                .isEqualTo(ExitCodes.CONFIG);
        assertThat(JSON.readTree(log.toFile()).at("/error/message").asText()).contains("needs --checkpoint");
    }

    @Test
    void aUsageErrorFindsTheLogInTheConfigFile() throws IOException {
        assertThat(TrainerCli.execute(
                        "pretrain", "--config", config("\"training\":{}").toString(), "--bogus"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(message("configured.log").get("result").asText()).isEqualTo("UsageError");
    }
}
