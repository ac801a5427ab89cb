package io.densecl.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.densecl.trainer.optim.LrSchedule;
import io.densecl.trainer.train.TerminationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    @TempDir Path dir;

    private static RunConfig valid() {
        RunConfig c = new RunConfig();
        c.data.path = "/data";
        c.checkpoint.dir = "/ckpt";
        return c;
    }

    @Test
    void validatorNamesTheField() {
        RunConfig c = valid();
        c.training.batchSize = 48;
        c.denseCL.queueSize = 65536;
        assertThatThrownBy(() -> ConfigValidator.validate(c)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo("denseCL.queueSize"));
        RunConfig d = valid();
        d.denseCL.momentum = 1.0;
        assertThatThrownBy(() -> ConfigValidator.validate(d)).hasMessageStartingWith("denseCL.momentum");
        RunConfig e = valid();
        e.model.backbone = "vgg16";
        assertThatThrownBy(() -> ConfigValidator.validate(e)).hasMessageStartingWith("model.backbone").hasMessageContaining("vgg16");
        RunConfig f = valid();
        f.device = "tpu";
        assertThatThrownBy(() -> ConfigValidator.validate(f)).hasMessageStartingWith("device");
        assertThat(ConfigValidator.validate(valid())).isNotNull();
    }

    @Test
    void loaderReadsJsonAndYamlAndNamesMistypedFields() throws IOException {
        Path j = dir.resolve("run.json");
        Files.writeString(j, "{\"data\":{\"path\":\"/d\"},\"training\":{\"batchSize\":64,\"unknownKey\":1},\"checkpoint\":{\"dir\":\"/c\"}}");
        assertThat(ConfigLoader.load(j).training.batchSize).isEqualTo(64);
        Path y = dir.resolve("run.yaml");
        Files.writeString(y, "model:\n  backbone: resnet18\ntraining:\n  epochs: 3\n");
        assertThat(ConfigLoader.load(y).model.backbone).isEqualTo("resnet18");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"training\":{\"batchSize\":\"many\"}}");
        assertThatThrownBy(() -> ConfigLoader.load(bad)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo("training.batchSize"));
    }

    @Test
    void fingerprintIgnoresEpochsButNotHyperParameters() {
        RunConfig a = valid();
        RunConfig b = valid();
        b.training.epochs = 400;
        b.training.workers = 16;
        assertThat(ConfigFingerprint.hash(ConfigFingerprint.of(a))).isEqualTo(ConfigFingerprint.hash(ConfigFingerprint.of(b)));
        b.training.batchSize = 128;
        assertThat(ConfigFingerprint.hash(ConfigFingerprint.of(a))).isNotEqualTo(ConfigFingerprint.hash(ConfigFingerprint.of(b)));
        assertThat(ConfigFingerprint.diff(ConfigFingerprint.of(a), ConfigFingerprint.of(b))).containsExactly("training.batchSize: 256 -> 128");
    }

    @Test
    void cosineScheduleWithLinearScaling() {
        LrSchedule s = new LrSchedule(0.03, 512, 200, "cosine");
        assertThat(s.at(0)).isEqualTo(0.06, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(100)).isEqualTo(0.03, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.at(199)).isLessThan(1e-5);
        assertThat(new LrSchedule(0.3, 256, 10, "constant").at(9)).isEqualTo(0.3);
    }

    @Test
    void terminationMessageStaysWithinTheKubeletLimit() {
        var m = TerminationMessage.create("Failed");
        m.putObject("error").put("message", "x".repeat(10_000));
        m.putObject("metrics").put("loss", 1.0);
        assertThat(TerminationMessage.render(m).length).isLessThanOrEqualTo(TerminationMessage.LIMIT);
        assertThat(new String(TerminationMessage.render(m))).contains("\"result\":\"Failed\"");
    }

    @Test
    void recipeFillsOnlyWhatTheConfigLeavesUnset() throws IOException {
        RunConfig plain = ConfigValidator.validate(valid());
        assertThat(plain.training.recipe).isEqualTo("imagenet");
        assertThat(plain.training.lr).isEqualTo(0.03);
        assertThat(plain.training.epochs).isEqualTo(200);
        Path coco = dir.resolve("coco.json");
        Files.writeString(coco, "{\"data\":{\"path\":\"/d\"},\"checkpoint\":{\"dir\":\"/c\"},\"training\":{\"recipe\":\"coco\"}}");
        RunConfig c = ConfigValidator.validate(ConfigLoader.load(coco));
        assertThat(c.training.lr).isEqualTo(0.3);
        assertThat(c.training.epochs).isEqualTo(800);
        Path explicit = dir.resolve("explicit.yaml");
        Files.writeString(explicit, "data: {path: /d}\ncheckpoint: {dir: /c}\ntraining: {recipe: coco, lr: 0.03}\n");
        RunConfig e = ConfigValidator.validate(ConfigLoader.load(explicit));
        assertThat(e.training.lr).as("an explicit lr beats the recipe").isEqualTo(0.03);
        assertThat(e.training.epochs).as("the unset field still comes from the recipe").isEqualTo(800);
        RunConfig bad = valid();
        bad.training.recipe = "cityscapes";
        assertThatThrownBy(() -> ConfigValidator.validate(bad)).hasMessageStartingWith("training.recipe").hasMessageContaining("cityscapes");
    }

    @Test
    void bnGroupSizeMustDivideABatchLargerThanOneGroup() {
        RunConfig c = valid();
        c.training.batchSize = 256;
        c.denseCL.bnGroupSize = 32;
        assertThat(io.densecl.trainer.train.TrainingSession.bnGroups(ConfigValidator.validate(c))).isEqualTo(8);
        RunConfig small = valid();
        small.training.batchSize = 16;
        small.denseCL.queueSize = 1024;
        assertThat(io.densecl.trainer.train.TrainingSession.bnGroups(ConfigValidator.validate(small))).as("batch below one group").isEqualTo(1);
        RunConfig odd = valid();
        odd.training.batchSize = 48;
        odd.denseCL.queueSize = 48 * 100;
        assertThatThrownBy(() -> ConfigValidator.validate(odd)).hasMessageStartingWith("denseCL.bnGroupSize").hasMessageContaining("48 % 32");
        RunConfig zero = valid();
        zero.denseCL.bnGroupSize = 0;
        assertThatThrownBy(() -> ConfigValidator.validate(zero)).hasMessageStartingWith("denseCL.bnGroupSize");
        RunConfig a = valid();
        RunConfig b = valid();
        b.denseCL.bnGroupSize = 64;
        assertThat(ConfigFingerprint.diff(ConfigFingerprint.of(a), ConfigFingerprint.of(b))).containsExactly("denseCL.bnGroupSize: 32 -> 64");
    }
}
