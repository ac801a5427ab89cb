package io.densecl.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.densecl.contract.Backbone;
import io.densecl.contract.ConfigException;
import io.densecl.contract.ContractJson;
import io.densecl.contract.Recipe;
import io.densecl.contract.RunConfig;
import io.densecl.contract.RunConfigValidator;
import io.densecl.contract.Schedule;
import io.densecl.contract.TrainerState;
import io.densecl.trainer.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigTest {
    @TempDir
    Path dir;

    private static RunConfig valid() {
        RunConfig c = new RunConfig();
        c.data.path = "/data";
        c.checkpoint.dir = "/ckpt";
        return c;
    }

    @Test
    void loaderReadsJsonAndYaml() throws IOException {
        Path j = dir.resolve("run.json");
        Files.writeString(
                j, "{\"data\":{\"path\":\"/d\"},\"training\":{\"batchSize\":64},\"checkpoint\":{\"dir\":\"/c\"}}");
        assertThat(ConfigLoader.load(j).training.batchSize).isEqualTo(64);
        Path y = dir.resolve("run.yaml");
        Files.writeString(y, "model:\n  backbone: resnet18\ntraining:\n  epochs: 3\n");
        assertThat(ConfigLoader.load(y).model.backbone).isEqualTo(Backbone.resnet18);
    }

    /** Each row: a file name, its content, the field the error must name, a fragment of the message. */
    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "run.json | {\"training\":{\"batchSize\":\"many\"}}      | training.batchSize | expected an integer",
                "run.json | {\"training\":{\"batchSize\":64,\"unknownKey\":1}} | training.unknownKey | unknown key",
                "run.yaml | 'trainig:\n  epochs: 3\n'                   | trainig            | did you mean 'training'?",
                "run.yaml | 'training:\n  batch_size: 32\n'             | training.batch_size | did you mean 'batchSize'?",
                "run.yaml | 'training:\n  batchSize: 4.7\n'             | training.batchSize | expected an integer",
                "run.yaml | 'training:\n  epochs: 3\n  epochs: 4\n'     | training.epochs    | duplicate key",
                "run.yaml | 'training:\n  epochs: 3\n---\nmodel: {}\n'  | --config           | unexpected content after the end",
                "run.yaml | 'data:\n  format: coco\n'                   | data.format        | 'coco' is not one of [imageFolder, list]",
                "run.json | {\"training\":{\"epochs\":3}} trailing       | --config           | ",
            })
    void loaderIsStrict(String name, String content, String field, String message) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content.replace("\\n", "\n"));
        assertThatThrownBy(() -> ConfigLoader.load(f))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo(field))
                .hasMessageContaining(message == null ? "" : message);
    }

    @Test
    void theTerminationLogOfAnInvalidFileIsStillFound() throws IOException {
        Path f = dir.resolve("run.json");
        Files.writeString(f, "{\"terminationLog\":\"/tmp/x/log\",\"trainig\":{}}");
        assertThat(ConfigLoader.terminationLog(f)).contains("/tmp/x/log");
        Files.writeString(f, "{not json");
        assertThat(ConfigLoader.terminationLog(f)).isEmpty();
        assertThat(ConfigLoader.terminationLog(null)).isEmpty();
    }

    @Test
    void fingerprintIgnoresEpochsButNotHyperParameters() {
        RunConfig a = valid();
        RunConfig b = valid();
        b.training.epochs = 400;
        b.training.workers = 16;
        assertThat(ConfigFingerprint.hash(ConfigFingerprint.of(a)))
                .isEqualTo(ConfigFingerprint.hash(ConfigFingerprint.of(b)));
        b.training.batchSize = 128;
        assertThat(ConfigFingerprint.hash(ConfigFingerprint.of(a)))
                .isNotEqualTo(ConfigFingerprint.hash(ConfigFingerprint.of(b)));
        assertThat(ConfigFingerprint.diff(ConfigFingerprint.of(a), ConfigFingerprint.of(b)))
                .containsExactly("training.batchSize: 256 -> 128");
    }

    @Test
    void aFingerprintReadBackFromTrainerJsonDiffsOnlyInWhatChanged() throws IOException {
        RunConfig saved = valid();
        TrainerState written = new TrainerState(
                1,
                0,
                10,
                0,
                0,
                saved.training.seed,
                0,
                "h",
                ConfigFingerprint.of(saved),
                saved,
                null,
                null,
                null,
                null,
                null,
                null);
        TrainerState read = ContractJson.read(new String(ContractJson.prettyBytes(written)), TrainerState.class);
        RunConfig now = valid();
        // seed and lambdaWarmupIters are longs in memory and read back as ints: no "training.seed: 0 -> 0"
        assertThat(ConfigFingerprint.diff(read.fingerprint(), ConfigFingerprint.of(now)))
                .isEmpty();
        now.training.imageSize = 96;
        assertThat(ConfigFingerprint.diff(read.fingerprint(), ConfigFingerprint.of(now)))
                .containsExactly("training.imageSize: 224 -> 96");
    }

    @Test
    void cosineScheduleWithLinearScaling() {
        LrSchedule s = new LrSchedule(0.03, 512, 200, Schedule.cosine);
        assertThat(s.at(0)).isEqualTo(0.06, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(100)).isEqualTo(0.03, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(199)).isLessThan(1e-5);
        assertThat(new LrSchedule(0.3, 256, 10, Schedule.constant).at(9)).isEqualTo(0.3);
    }

    @Test
    void recipeFillsOnlyWhatTheConfigLeavesUnset() throws IOException {
        RunConfig plain = RunConfigValidator.validate(valid());
        assertThat(plain.training.recipe).isEqualTo(Recipe.imagenet);
        assertThat(plain.training.lr).isEqualTo(0.03);
        assertThat(plain.training.epochs).isEqualTo(200);
        Path coco = dir.resolve("coco.json");
        Files.writeString(
                coco,
                "{\"data\":{\"path\":\"/d\"},\"checkpoint\":{\"dir\":\"/c\"},\"training\":{\"recipe\":\"coco\"}}");
        RunConfig c = RunConfigValidator.validate(ConfigLoader.load(coco));
        assertThat(c.training.lr).isEqualTo(0.3);
        assertThat(c.training.epochs).isEqualTo(800);
        Path explicit = dir.resolve("explicit.yaml");
        Files.writeString(explicit, "data: {path: /d}\ncheckpoint: {dir: /c}\ntraining: {recipe: coco, lr: 0.03}\n");
        RunConfig e = RunConfigValidator.validate(ConfigLoader.load(explicit));
        assertThat(e.training.lr).as("an explicit lr beats the recipe").isEqualTo(0.03);
        assertThat(e.training.epochs)
                .as("the unset field still comes from the recipe")
                .isEqualTo(800);
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "training: {recipe: cityscapes}\n");
        assertThatThrownBy(() -> ConfigLoader.load(bad))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("training.recipe")
                .hasMessageContaining("'cityscapes' is not one of [imagenet, coco]");
    }

    @Test
    void bnGroupSizeMustDivideABatchLargerThanOneGroup() {
        RunConfig c = valid();
        c.training.batchSize = 256;
        c.denseCL.bnGroupSize = 32;
        assertThat(io.densecl.trainer.train.TrainingSession.bnGroups(RunConfigValidator.validate(c)))
                .isEqualTo(8);
        RunConfig small = valid();
        small.training.batchSize = 16;
        small.denseCL.queueSize = 1024;
        assertThat(io.densecl.trainer.train.TrainingSession.bnGroups(RunConfigValidator.validate(small)))
                .as("batch below one group")
                .isEqualTo(1);
        RunConfig odd = valid();
        odd.training.batchSize = 48;
        odd.denseCL.queueSize = 48 * 100;
        assertThatThrownBy(() -> RunConfigValidator.validate(odd))
                .hasMessageStartingWith("denseCL.bnGroupSize")
                .hasMessageContaining("48 % 32");
        RunConfig zero = valid();
        zero.denseCL.bnGroupSize = 0;
        assertThatThrownBy(() -> RunConfigValidator.validate(zero)).hasMessageStartingWith("denseCL.bnGroupSize");
        RunConfig a = valid();
        RunConfig b = valid();
        b.denseCL.bnGroupSize = 64;
        assertThat(ConfigFingerprint.diff(ConfigFingerprint.of(a), ConfigFingerprint.of(b)))
                .containsExactly("denseCL.bnGroupSize: 32 -> 64");
    }
}
