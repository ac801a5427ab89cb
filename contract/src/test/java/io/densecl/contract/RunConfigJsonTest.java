package io.densecl.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RunConfigJsonTest {

    @Test
    void writtenConfigReadsBackEqual() {
        RunConfig c = RunConfigValidatorTest.valid();
        c.model.backbone = Backbone.resnet18;
        c.data.format = DataFormat.list;
        c.training.schedule = Schedule.constant;
        c.training.seed = 7;
        c.resume.fromDir = "/checkpoints/ns/other";
        String json = RunConfigJson.write(c);
        assertThat(json).endsWith("}\n").contains("\"backbone\" : \"resnet18\"");
        assertThat(RunConfigJson.write(RunConfigJson.read(json))).isEqualTo(json);
    }

    @Test
    void missingKeysKeepTheirDefaults() {
        RunConfig c = RunConfigJson.read("{\"data\":{\"path\":\"/d\"},\"training\":{\"batchSize\":64}}");
        assertThat(c.training.batchSize).isEqualTo(64);
        assertThat(c.training.recipe).isEqualTo(Recipe.imagenet);
        assertThat(c.training.epochs).as("left to the recipe").isNull();
        assertThat(c.training.lr).as("left to the recipe").isNull();
        assertThat(c.denseCL.bnGroupSize).isEqualTo(32);
        assertThat(c.model.backbone).isEqualTo(Backbone.resnet50);
    }

    @Test
    void unsetLrAndEpochsWriteAsNullAndReadBackUnset() {
        RunConfig c = RunConfigValidatorTest.valid();
        c.training.recipe = Recipe.coco;
        String json = RunConfigJson.write(c);
        assertThat(json)
                .contains("\"recipe\" : \"coco\"")
                .contains("\"lr\" : null")
                .contains("\"epochs\" : null");
        RunConfig read = RunConfigJson.read(json);
        assertThat(read.training.lr).isNull();
        assertThat(RunConfigValidator.validate(read).training.lr).isEqualTo(0.3);
        assertThat(read.training.epochs).isEqualTo(800);
    }

    @Test
    void explicitNullableNumbersReadAsWritten() {
        RunConfig c = RunConfigJson.read("{\"training\":{\"recipe\":\"coco\",\"lr\":0.05,\"epochs\":12}}");
        assertThat(c.training.lr).isEqualTo(0.05);
        assertThat(c.training.epochs).isEqualTo(12);
        RunConfig nulls = RunConfigJson.read("{\"training\":{\"lr\":null,\"epochs\":null}}");
        assertThat(nulls.training.lr).isNull();
        assertThat(nulls.training.epochs).isNull();
    }

    /** Each row: a document, the field the error must name, a fragment of its message. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"trainig\":{\"epochs\":3}}                         | trainig              | did you mean 'training'?",
                "{\"training\":{\"batch_size\":32}}                   | training.batch_size  | did you mean 'batchSize'?",
                "{\"training\":{\"batchsize\":32}}                    | training.batchsize   | did you mean 'batchSize'?",
                "{\"model\":{\"backbone\":\"resnet18\",\"depth\":18}} | model.depth          | unknown key 'depth'",
                "{\"training\":{\"batchSize\":4.7}}                   | training.batchSize   | expected an integer",
                "{\"training\":{\"batchSize\":4.0}}                   | training.batchSize   | expected an integer",
                "{\"training\":{\"batchSize\":\"32\"}}                | training.batchSize   | expected an integer",
                "{\"training\":{\"batchSize\":null}}                  | training.batchSize   | ",
                "{\"training\":{\"lr\":\"fast\"}}                     | training.lr          | expected a number",
                "{\"resume\":{\"warmStart\":1}}                       | resume.warmStart     | ",
                "{\"device\":0}                                       | device               | expected a string",
                "{\"training\":null}                                  | training             | must not be null",
                "{\"training\":{\"epochs\":3,\"epochs\":4}}           | training.epochs      | duplicate key",
                "{\"data\":{\"path\":\"/a\"},\"data\":{\"path\":\"/b\"}} | data              | duplicate key",
                "{\"training\":{\"epochs\":3}} {\"x\":1}              | run.json             | unexpected content after the end",
                "{\"training\":{\"epochs\":3}} garbage                | run.json             | ",
                "{\"training\":{\"epochs\":3}                         | run.json             | cannot parse",
                "{\"data\":{\"format\":\"coco\"}}                     | data.format          | 'coco' is not one of [imageFolder, list]",
                "{\"training\":{\"schedule\":\"step\"}}               | training.schedule    | 'step' is not one of [cosine, constant]",
                "{\"model\":{\"backbone\":\"vgg16\"}}                 | model.backbone       | 'vgg16' is not one of [resnet18",
                "{\"model\":{\"backbone\":1}}                         | model.backbone       | ",
                "{\"training\":{\"epochs\":1.5}}                      | training.epochs      | expected an integer",
                "{\"training\":{\"epochs\":200.0}}                    | training.epochs      | expected an integer",
                "{\"training\":{\"epochs\":\"200\"}}                  | training.epochs      | expected an integer",
                "{\"training\":{\"epochs\":\"\"}}                     | training.epochs      | expected an integer",
                "{\"training\":{\"lr\":\"0.3\"}}                      | training.lr          | expected a number",
                "{\"training\":{\"lr\":true}}                         | training.lr          | ",
                "{\"training\":{\"recipe\":\"cityscapes\"}}           | training.recipe      | 'cityscapes' is not one of [imagenet, coco]",
                "{\"training\":{\"recipe\":\"COCO\"}}                 | training.recipe      | 'COCO' is not one of [imagenet, coco]",
                "{\"training\":{\"recipe\":0}}                        | training.recipe      | ",
                "{\"denseCL\":{\"bnGroupSize\":0.5}}                  | denseCL.bnGroupSize  | expected an integer",
                "{\"denseCL\":{\"bnGroupSize\":null}}                 | denseCL.bnGroupSize  | ",
            })
    void strictReadingNamesTheKey(String json, String field, String message) {
        assertThatThrownBy(() -> RunConfigJson.read(json))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo(field))
                .hasMessageContaining(message == null ? "" : message);
    }

    @Test
    void unknownKeysListTheKnownOnes() {
        assertThatThrownBy(() -> RunConfigJson.read("{\"training\":{\"xyz\":1}}"))
                .hasMessageContaining(
                        "known keys: [batchSize, epochs, imageSize, lr, maxStepsPerEpoch, momentum, recipe, schedule, "
                                + "seed, threads, weightDecay, workers]");
    }
}
