package io.densecl.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RunConfigValidatorTest {

    static RunConfig valid() {
        RunConfig c = new RunConfig();
        c.data.path = "/data";
        c.checkpoint.dir = "/ckpt";
        return c;
    }

    @Test
    void defaultsWithDataAndCheckpointDirAreValid() {
        assertThat(RunConfigValidator.violations(valid())).isEmpty();
        assertThat(RunConfigValidator.validate(valid())).isNotNull();
    }

    @Test
    void dataPathAndCheckpointDirAreRequired() {
        assertThat(RunConfigValidator.violations(new RunConfig()))
                .extracting(ConfigViolation::field)
                .containsExactly("data.path", "checkpoint.dir");
    }

    @Test
    void aNullSectionIsNamedAndStopsTheOtherChecks() {
        RunConfig c = valid();
        c.training = null;
        assertThat(RunConfigValidator.violations(c))
                .containsExactly(new ConfigViolation("training", "must not be null"));
    }

    @Test
    void theFirstViolationIsThrownWithItsField() {
        RunConfig c = valid();
        c.training.batchSize = 48;
        assertThatThrownBy(() -> RunConfigValidator.validate(c))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("denseCL.queueSize: must be divisible by training.batchSize (65536 % 48 != 0)")
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo("denseCL.queueSize"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void refuses(String field, Consumer<RunConfig> edit) {
        RunConfig c = valid();
        edit.accept(c);
        assertThat(RunConfigValidator.violations(c))
                .extracting(ConfigViolation::field)
                .containsExactly(field);
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("data.format", (Consumer<RunConfig>) c -> c.data.format = null),
                Arguments.of("model.backbone", (Consumer<RunConfig>) c -> c.model.backbone = null),
                Arguments.of("model.hid", (Consumer<RunConfig>) c -> c.model.hid = 0),
                Arguments.of("model.dim", (Consumer<RunConfig>) c -> c.model.dim = -1),
                Arguments.of("denseCL.momentum", (Consumer<RunConfig>) c -> c.denseCL.momentum = 1.0),
                Arguments.of("denseCL.temperature", (Consumer<RunConfig>) c -> c.denseCL.temperature = 0),
                Arguments.of("denseCL.temperature", (Consumer<RunConfig>)
                        c -> c.denseCL.temperature = Double.POSITIVE_INFINITY),
                Arguments.of("denseCL.lossLambda", (Consumer<RunConfig>) c -> c.denseCL.lossLambda = 1.5),
                Arguments.of("denseCL.lambdaWarmupIters", (Consumer<RunConfig>) c -> c.denseCL.lambdaWarmupIters = -1),
                Arguments.of("training.epochs", (Consumer<RunConfig>) c -> c.training.epochs = 0),
                Arguments.of("training.recipe", (Consumer<RunConfig>) c -> c.training.recipe = null),
                Arguments.of("denseCL.bnGroupSize", (Consumer<RunConfig>) c -> c.denseCL.bnGroupSize = 0),
                Arguments.of("denseCL.bnGroupSize", (Consumer<RunConfig>) c -> c.denseCL.bnGroupSize = 48),
                Arguments.of("training.lr", (Consumer<RunConfig>) c -> c.training.lr = Double.NaN),
                Arguments.of("training.lr", (Consumer<RunConfig>) c -> c.training.lr = Double.POSITIVE_INFINITY),
                Arguments.of("training.momentum", (Consumer<RunConfig>) c -> c.training.momentum = -0.1),
                Arguments.of("training.weightDecay", (Consumer<RunConfig>) c -> c.training.weightDecay = -1e-4),
                Arguments.of("training.schedule", (Consumer<RunConfig>) c -> c.training.schedule = null),
                Arguments.of("training.imageSize", (Consumer<RunConfig>) c -> c.training.imageSize = 100),
                Arguments.of("training.imageSize", (Consumer<RunConfig>) c -> c.training.imageSize = 0),
                Arguments.of("training.workers", (Consumer<RunConfig>) c -> c.training.workers = 0),
                Arguments.of("training.maxStepsPerEpoch", (Consumer<RunConfig>) c -> c.training.maxStepsPerEpoch = -1),
                Arguments.of("training.threads", (Consumer<RunConfig>) c -> c.training.threads = -2),
                Arguments.of("checkpoint.intervalEpochs", (Consumer<RunConfig>) c -> c.checkpoint.intervalEpochs = -1),
                Arguments.of(
                        "checkpoint.intervalMinutes", (Consumer<RunConfig>) c -> c.checkpoint.intervalMinutes = -1),
                Arguments.of("checkpoint.intervalSteps", (Consumer<RunConfig>) c -> c.checkpoint.intervalSteps = -1),
                Arguments.of("checkpoint.keepLast", (Consumer<RunConfig>) c -> c.checkpoint.keepLast = 0),
                Arguments.of("resume.mode", (Consumer<RunConfig>) c -> c.resume.mode = null),
                Arguments.of("device", (Consumer<RunConfig>) c -> c.device = "tpu"),
                Arguments.of("device", (Consumer<RunConfig>) c -> c.device = "gpu99999999999"),
                Arguments.of("progressPort", (Consumer<RunConfig>) c -> c.progressPort = 70000),
                // non-finite and absurd values, sizes that overflow one tensor, paths no file system names
                Arguments.of("data.path", (Consumer<RunConfig>) c -> c.data.path = "/data/a\0b"),
                Arguments.of("data.maxImagePixels", (Consumer<RunConfig>) c -> c.data.maxImagePixels = 0),
                Arguments.of("data.maxImagePixels", (Consumer<RunConfig>)
                        c -> c.data.maxImagePixels = Limits.MAX_IMAGE_PIXELS + 1),
                Arguments.of(
                        "data.maxUnreadableFraction", (Consumer<RunConfig>) c -> c.data.maxUnreadableFraction = 1.01),
                Arguments.of("data.maxUnreadableFraction", (Consumer<RunConfig>)
                        c -> c.data.maxUnreadableFraction = Double.NaN),
                Arguments.of("model.hid", (Consumer<RunConfig>) c -> c.model.hid = 65537),
                Arguments.of("model.dim", (Consumer<RunConfig>) c -> c.model.dim = 65537),
                Arguments.of("denseCL.queueSize", (Consumer<RunConfig>) c -> {
                    c.denseCL.queueSize = 1 << 24;
                    c.model.dim = 256;
                }),
                Arguments.of("denseCL.temperature", (Consumer<RunConfig>) c -> c.denseCL.temperature = 0.009),
                Arguments.of("denseCL.temperature", (Consumer<RunConfig>) c -> c.denseCL.temperature = 1.01),
                Arguments.of("training.lr", (Consumer<RunConfig>) c -> c.training.lr = 1e6),
                Arguments.of("training.lr", (Consumer<RunConfig>) c -> c.training.lr = 0.0),
                Arguments.of("training.weightDecay", (Consumer<RunConfig>) c -> c.training.weightDecay = 1),
                Arguments.of("denseCL.temperature", (Consumer<RunConfig>) c -> c.denseCL.temperature = 1e-4),
                Arguments.of(
                        "data.maxImagePixels", (Consumer<RunConfig>) c -> c.data.maxImagePixels = Integer.MAX_VALUE),
                Arguments.of("checkpoint.intervalMinutes", (Consumer<RunConfig>)
                        c -> c.checkpoint.intervalMinutes = Integer.MAX_VALUE),
                Arguments.of("training.lr", (Consumer<RunConfig>) c -> c.training.lr = 10.0001),
                Arguments.of("training.weightDecay", (Consumer<RunConfig>) c -> c.training.weightDecay = 0.11),
                Arguments.of("training.weightDecay", (Consumer<RunConfig>)
                        c -> c.training.weightDecay = Double.POSITIVE_INFINITY),
                Arguments.of("training.imageSize", (Consumer<RunConfig>) c -> c.training.imageSize = 1 << 30),
                Arguments.of("training.imageSize", (Consumer<RunConfig>) c -> c.training.imageSize = 2080),
                Arguments.of(
                        "training.imageSize", (Consumer<RunConfig>) c -> c.training.imageSize = 2048), // x 256 images
                Arguments.of("training.workers", (Consumer<RunConfig>) c -> c.training.workers = 257),
                Arguments.of("training.threads", (Consumer<RunConfig>) c -> c.training.threads = 1025),
                Arguments.of("checkpoint.dir", (Consumer<RunConfig>) c -> c.checkpoint.dir = ""),
                Arguments.of("checkpoint.dir", (Consumer<RunConfig>) c -> c.checkpoint.dir = "/tmp/x\0y"),
                Arguments.of("checkpoint.intervalMinutes", (Consumer<RunConfig>)
                        c -> c.checkpoint.intervalMinutes = 525_601),
                Arguments.of("resume.fromDir", (Consumer<RunConfig>) c -> c.resume.fromDir = "\0"),
                Arguments.of("device", (Consumer<RunConfig>) c -> c.device = "gpu10000"),
                Arguments.of("device", (Consumer<RunConfig>) c -> c.device = "gpu01"),
                Arguments.of("devices", (Consumer<RunConfig>) c -> c.devices = java.util.List.of("gpu0", "tpu1")),
                Arguments.of("devices", (Consumer<RunConfig>) c -> c.devices = java.util.List.of()),
                Arguments.of("checkpoint.pinFile", (Consumer<RunConfig>) c -> c.checkpoint.pinFile = "/etc/p\0"),
                Arguments.of("progressPort", (Consumer<RunConfig>) c -> c.progressPort = -2),
                Arguments.of("healthzStaleSeconds", (Consumer<RunConfig>) c -> c.healthzStaleSeconds = -1),
                Arguments.of("terminationLog", (Consumer<RunConfig>) c -> c.terminationLog = "/dev/t\0"));
    }

    @ParameterizedTest(name = "imageSize {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {32, 64, 96, 224, 512})
    void imageSizesThatAreMultiplesOf32AreAccepted(int size) {
        RunConfig c = valid();
        c.training.imageSize = size;
        assertThat(RunConfigValidator.violations(c)).isEmpty();
    }

    @Test
    void edgeValuesAreAccepted() {
        RunConfig c = valid();
        c.denseCL.momentum = 0;
        c.denseCL.lossLambda = 1;
        c.training.workers = 1;
        c.training.momentum = 0;
        c.training.weightDecay = 0;
        c.checkpoint.intervalEpochs = 0;
        c.checkpoint.intervalMinutes = 0;
        c.checkpoint.keepLast = 1;
        c.progressPort = -1;
        c.device = "gpu3";
        c.devices = java.util.List.of("gpu3", "gpu3", "gpu7", "cpu"); // a device may repeat
        c.checkpoint.pinFile = "/etc/densecl/pins.json";
        c.training.batchSize = c.denseCL.queueSize;
        c.training.imageSize = Limits.MIN_IMAGE_SIZE; // 3 x 32² x 65536 values per view fit one array
        assertThat(RunConfigValidator.violations(c)).isEmpty();
    }

    @Test
    void devicesListsTheReplicasAndDeviceIsItsShorthand() {
        RunConfig c = valid();
        assertThat(c.deviceList()).containsExactly("cpu");
        c.device = "gpu1";
        assertThat(c.deviceList()).containsExactly("gpu1");
        c.device = null;
        c.devices = java.util.List.of(
                "gpu0", "gpu1", "gpu2", "gpu3", "gpu4", "gpu5", "gpu6", "gpu7"); // 8 groups of 32, 1 each
        assertThat(RunConfigValidator.violations(c)).isEmpty();
        assertThat(c.deviceList()).hasSize(8);
        c.device = "gpu0"; // the first of devices, as the operator renders it
        assertThat(RunConfigValidator.violations(c)).isEmpty();
        c.devices = java.util.List.of("cpu", "cpu"); // a device may repeat
        c.device = null;
        c.training.batchSize = 8;
        c.denseCL.queueSize = 64;
        c.denseCL.bnGroupSize = 2; // 4 groups, 2 per replica
        assertThat(RunConfigValidator.violations(c)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDevices")
    void refusesDevices(String field, String message, Consumer<RunConfig> edit) {
        RunConfig c = valid();
        edit.accept(c);
        assertThat(RunConfigValidator.violations(c)).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo(field);
            assertThat(v.message()).contains(message);
        });
    }

    static Stream<Arguments> badDevices() {
        return Stream.of(
                Arguments.of("devices", "must list 1 to 64 devices, got 0", (Consumer<RunConfig>)
                        c -> c.devices = java.util.List.of()),
                Arguments.of("devices", "entry 1 must be cpu or gpuN", (Consumer<RunConfig>)
                        c -> c.devices = java.util.List.of("gpu0", "tpu1")),
                Arguments.of("devices", "entry 0 must be cpu or gpuN", (Consumer<RunConfig>)
                        c -> c.devices = java.util.Arrays.asList((String) null)),
                Arguments.of("devices", "must list 1 to 64", (Consumer<RunConfig>)
                        c -> c.devices = java.util.Collections.nCopies(65, "cpu")),
                Arguments.of("device", "the first of devices (gpu0)", (Consumer<RunConfig>) c -> {
                    c.devices = java.util.List.of("gpu0", "gpu1");
                    c.device = "gpu1";
                }),
                Arguments.of("devices", "3 replicas must split training.batchSize evenly (256 % 3 != 0)", (Consumer<
                                RunConfig>)
                        c -> c.devices = java.util.List.of("gpu0", "gpu1", "gpu2")),
                Arguments.of(
                        "devices",
                        "gives 8 group(s) (256 / 32)", // 8 groups cannot go 16 ways
                        (Consumer<RunConfig>) c -> c.devices = java.util.Collections.nCopies(16, "cpu")),
                Arguments.of("devices", "gives 1 group(s) (32 / 32)", (Consumer<RunConfig>) c -> {
                    c.training.batchSize = 32; // one group: two replicas would each normalise half of it
                    c.denseCL.queueSize = 64;
                    c.devices = java.util.List.of("cpu", "cpu");
                }));
    }

    @Test
    void issue18KeysHaveTheDocumentedDefaults() {
        RunConfig c = new RunConfig();
        assertThat(c.data.maxImagePixels).isEqualTo(89_478_485L); // PIL's Image.MAX_IMAGE_PIXELS
        assertThat(c.data.maxUnreadableFraction).isEqualTo(0.1);
        assertThat(c.healthzStaleSeconds).isEqualTo(1800);
    }

    @Test
    void theUpperEdgesAreAccepted() {
        RunConfig c = valid();
        c.data.maxImagePixels = Limits.MAX_IMAGE_PIXELS;
        c.data.maxUnreadableFraction = 1;
        c.model.hid = Limits.MAX_WIDTH;
        c.denseCL.temperature = Limits.MAX_TEMPERATURE;
        c.training.lr = Limits.MAX_LR;
        c.training.weightDecay = Limits.MAX_WEIGHT_DECAY;
        c.training.imageSize = Limits.MAX_IMAGE_SIZE;
        c.training.batchSize = 128; // 3 x 2048² x 128 = 1.6e9 values per view
        c.training.workers = Limits.MAX_WORKERS;
        c.training.threads = Limits.MAX_THREADS;
        c.checkpoint.intervalMinutes = Limits.MAX_INTERVAL_MINUTES;
        c.device = "gpu9999";
        c.progressPort = 0;
        c.healthzStaleSeconds = 0;
        assertThat(RunConfigValidator.violations(c)).isEmpty();
        c.denseCL.temperature = Limits.MIN_TEMPERATURE;
        c.data.maxUnreadableFraction = 0;
        c.data.maxImagePixels = 1;
        assertThat(RunConfigValidator.violations(c)).isEmpty();
    }

    @Test
    void theRecipeFillsOnlyUnsetLrAndEpochs() {
        RunConfig imagenet = RunConfigValidator.validate(valid());
        assertThat(imagenet.training.lr).isEqualTo(0.03);
        assertThat(imagenet.training.epochs).isEqualTo(200);
        RunConfig coco = valid();
        coco.training.recipe = Recipe.coco;
        assertThat(Recipe.epochs(coco.training))
                .as("resolved without changing the config")
                .isEqualTo(800);
        assertThat(coco.training.epochs).isNull();
        RunConfigValidator.validate(coco);
        assertThat(coco.training.lr).isEqualTo(0.3);
        assertThat(coco.training.epochs).isEqualTo(800);
        RunConfig explicit = valid();
        explicit.training.recipe = Recipe.coco;
        explicit.training.lr = 0.03;
        RunConfigValidator.validate(explicit);
        assertThat(explicit.training.lr).as("an explicit lr beats the recipe").isEqualTo(0.03);
        assertThat(explicit.training.epochs)
                .as("the unset field still comes from the recipe")
                .isEqualTo(800);
    }

    @Test
    void aRefusedConfigIsNotResolved() {
        RunConfig c = valid();
        c.model.hid = 0;
        assertThatThrownBy(() -> RunConfigValidator.validate(c)).hasMessageStartingWith("model.hid");
        assertThat(c.training.lr).isNull();
    }

    @ParameterizedTest(name = "batch {0}, group {1}")
    @org.junit.jupiter.params.provider.CsvSource({
        "256, 32", "16, 32", "32, 32", "48, 48", "96, 32", "1, 1", "7, 1", "8, 9"
    })
    void bnGroupSizesThatDivideTheBatchOrExceedItAreAccepted(int batch, int group) {
        RunConfig c = valid();
        c.training.batchSize = batch;
        c.denseCL.queueSize = batch * group * 64;
        c.denseCL.bnGroupSize = group;
        assertThat(RunConfigValidator.violations(c)).isEmpty();
    }

    @Test
    void aBatchThatIsNotAMultipleOfItsGroupIsNamedWithBothNumbers() {
        RunConfig c = valid();
        c.training.batchSize = 48;
        c.denseCL.queueSize = 48 * 100;
        assertThat(RunConfigValidator.violations(c))
                .containsExactly(new ConfigViolation(
                        "denseCL.bnGroupSize",
                        "must divide training.batchSize when the batch is larger than one group (48 % 32 != 0)"));
    }
}
