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

    /** Issue 18: every one of these was accepted and failed later (exit 1), trained on an Inf state, or "Complete"d exploded. */
    @Test
    void nonFiniteAndAbsurdValuesAreRefusedNamingTheField() {
        refused("training.lr", c -> c.training.lr = Double.POSITIVE_INFINITY);
        refused("training.lr", c -> c.training.lr = Double.NaN);
        refused("training.lr", c -> c.training.lr = 1e6);
        refused("training.lr", c -> c.training.lr = 0);
        refused("training.weightDecay", c -> c.training.weightDecay = Double.POSITIVE_INFINITY);
        refused("training.weightDecay", c -> c.training.weightDecay = 1);
        refused("denseCL.temperature", c -> c.denseCL.temperature = Double.POSITIVE_INFINITY);
        refused("denseCL.temperature", c -> c.denseCL.temperature = 1e-4);
        refused("device", c -> c.device = "gpu99999999999");
        refused("progressPort", c -> c.progressPort = 70000);
        refused("progressPort", c -> c.progressPort = -2);
        refused("checkpoint.dir", c -> c.checkpoint.dir = "");
        refused("checkpoint.dir", c -> c.checkpoint.dir = "/ckpt\0x");
        refused("data.path", c -> c.data.path = "/data\0");
        refused("resume.fromDir", c -> c.resume.fromDir = "/other\0");
        refused("training.imageSize", c -> c.training.imageSize = 1 << 30);
        refused("training.imageSize", c -> { c.training.imageSize = 2048; c.training.batchSize = 256; });
        refused("denseCL.queueSize", c -> { c.denseCL.queueSize = 1 << 30; c.training.batchSize = 1; c.model.dim = 128; });
        refused("data.maxImagePixels", c -> c.data.maxImagePixels = 0);
        refused("data.maxImagePixels", c -> c.data.maxImagePixels = Integer.MAX_VALUE);
        refused("data.maxUnreadableFraction", c -> c.data.maxUnreadableFraction = Double.NaN);
        refused("data.maxUnreadableFraction", c -> c.data.maxUnreadableFraction = 1.5);
        refused("healthzStaleSeconds", c -> c.healthzStaleSeconds = -1);
        refused("checkpoint.intervalMinutes", c -> c.checkpoint.intervalMinutes = Integer.MAX_VALUE);
        // the edges themselves are valid settings
        RunConfig edge = valid();
        edge.training.lr = ConfigValidator.MAX_LR;
        edge.training.weightDecay = ConfigValidator.MAX_WEIGHT_DECAY;
        edge.denseCL.temperature = ConfigValidator.MIN_TEMPERATURE;
        edge.device = "gpu7";
        edge.progressPort = -1;
        edge.data.maxUnreadableFraction = 1;
        assertThat(ConfigValidator.validate(edge)).isNotNull();
    }

    @Test
    void newKeysHaveTheDocumentedDefaults() {
        RunConfig c = new RunConfig();
        assertThat(c.data.maxImagePixels).isEqualTo(89_478_485L); // PIL's Image.MAX_IMAGE_PIXELS
        assertThat(c.data.maxUnreadableFraction).isEqualTo(0.1);
        assertThat(c.healthzStaleSeconds).isEqualTo(1800);
    }

    private static void refused(String field, java.util.function.Consumer<RunConfig> change) {
        RunConfig c = valid();
        change.accept(c);
        assertThatThrownBy(() -> ConfigValidator.validate(c)).as(field).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo(field));
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
}
