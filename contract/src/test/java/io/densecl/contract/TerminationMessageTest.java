package io.densecl.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TerminationMessageTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aShortMessageIsRenderedWhole() throws Exception {
        TerminationMessage m = TerminationMessage.ended(
                TrainerResult.Checkpointed,
                3,
                120L,
                "/c/ckpt-e3-s120",
                new Progress.ResumedFrom(2, 80L, null),
                Map.of("loss", 5.1),
                0);
        JsonNode n = JSON.readTree(m.render());
        assertThat(n.get("result").asText()).isEqualTo("Checkpointed");
        assertThat(n.at("/resumedFrom/step").asLong()).isEqualTo(80);
        assertThat(n.has("error")).isFalse();
        assertThat(TerminationMessage.parse(new String(m.render(), StandardCharsets.UTF_8)))
                .isEqualTo(m);
    }

    @Test
    void multiByteCharactersAreCountedAsEncodedBytes() throws Exception {
        TerminationMessage m =
                TerminationMessage.failure(ErrorClass.ConfigError, "training.batchSize", "日".repeat(3000));
        byte[] bytes = m.render();
        assertThat(bytes.length)
                .isLessThanOrEqualTo(TerminationMessage.LIMIT)
                .isGreaterThan(TerminationMessage.LIMIT - 16);
        JsonNode n = JSON.readTree(bytes); // complete JSON, not cut in the middle of a character or a string
        assertThat(n.get("result").asText()).isEqualTo("ConfigError");
        assertThat(n.at("/error/class").asText()).isEqualTo("ConfigError");
        assertThat(n.at("/error/field").asText()).isEqualTo("training.batchSize");
        assertThat(n.at("/error/message").asText()).startsWith("日日日").endsWith("...");
    }

    @Test
    void escapedControlCharactersAndSurrogatePairsStayValid() throws Exception {
        String text = ("\u0001\"\\😀").repeat(2000);
        byte[] bytes = TerminationMessage.failure(ErrorClass.Failed, null, text).render();
        assertThat(bytes.length).isLessThanOrEqualTo(TerminationMessage.LIMIT);
        String message = JSON.readTree(bytes).at("/error/message").asText();
        assertThat(text).startsWith(message.substring(0, message.length() - 3));
        assertThat(Character.isHighSurrogate(message.charAt(message.length() - 4)))
                .isFalse();
    }

    @Test
    void optionalPartsGoBeforeTheErrorField() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int i = 0; i < 400; i++) {
            metrics.put("metric" + i, i + 0.5);
        }
        TerminationMessage big = new TerminationMessage(
                TrainerResult.DataError,
                1,
                10L,
                "/c/ckpt-e1-s10",
                null,
                metrics,
                3,
                null,
                null,
                new TerminationMessage.ErrorInfo(ErrorClass.DataError, "data.path", "/data/train", "no images"));
        JsonNode n = JSON.readTree(big.render());
        assertThat(n.has("metrics")).isFalse();
        assertThat(n.at("/error/message").asText()).isEqualTo("no images");
        assertThat(n.get("checkpoint").asText()).isEqualTo("/c/ckpt-e1-s10");
    }

    @Test
    void aHugeFieldNameIsShortenedToo() throws Exception {
        byte[] bytes = TerminationMessage.failure(ErrorClass.ConfigError, "k".repeat(10_000), "unknown key")
                .render();
        assertThat(bytes.length).isLessThanOrEqualTo(TerminationMessage.LIMIT);
        JsonNode n = JSON.readTree(bytes);
        assertThat(n.at("/error/class").asText()).isEqualTo("ConfigError");
        assertThat(n.at("/error/field").asText()).startsWith("kkkk").hasSizeLessThan(300);
    }

    @Test
    void theFaultyPathIsKeptAndAHugeOneShortened() throws Exception {
        JsonNode small = JSON.readTree(
                TerminationMessage.failure(ErrorClass.InsufficientStorage, null, "/checkpoints/ns/r", "no space left")
                        .render());
        assertThat(small.get("result").asText()).isEqualTo("StorageError");
        assertThat(small.at("/error/class").asText()).isEqualTo("InsufficientStorage");
        assertThat(small.at("/error/path").asText()).isEqualTo("/checkpoints/ns/r");
        byte[] bytes = TerminationMessage.failure(ErrorClass.DataError, null, "/d/" + "日".repeat(5000), "cannot read")
                .render();
        assertThat(bytes.length).isLessThanOrEqualTo(TerminationMessage.LIMIT);
        JsonNode n = JSON.readTree(bytes);
        assertThat(n.at("/error/class").asText()).isEqualTo("DataError");
        assertThat(n.at("/error/path").asText())
                .startsWith("/d/日")
                .endsWith("...")
                .hasSizeLessThan(300);
    }

    @Test
    void nonFiniteMetricsAreLeftOut() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", Double.NaN);
        metrics.put("imagesPerSecond", 80.0);
        JsonNode n = JSON.readTree(TerminationMessage.ended(TrainerResult.Complete, 1, 1L, null, null, metrics, 0)
                .render());
        assertThat(n.get("metrics").has("loss")).isFalse();
        assertThat(n.at("/metrics/imagesPerSecond").asDouble()).isEqualTo(80.0);
    }

    @Test
    void parsingIsLenientAboutNewerWriters() {
        TerminationMessage m =
                TerminationMessage.parse("{\"result\":\"SomethingNew\",\"extra\":1,\"error\":{\"class\":\"Novel\","
                        + "\"message\":\"x\"},\"metrics\":{\"mIoU\":0.4}}");
        assertThat(m.result()).isNull();
        assertThat(m.error().errorClass()).isNull();
        assertThat(m.error().message()).isEqualTo("x");
        assertThat(m.metric("mIoU")).isEqualTo(0.4);
    }

    @Test
    void aLogTailBecomesTheErrorMessage() {
        TerminationMessage m = TerminationMessage.parse("Exception in thread main\njava.lang.OutOfMemoryError");
        assertThat(m.result()).isNull();
        assertThat(m.error().message()).endsWith("OutOfMemoryError");
        assertThat(TerminationMessage.parse("  ")).isNull();
    }
}
