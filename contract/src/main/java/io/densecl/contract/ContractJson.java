package io.densecl.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * JSON of the documents one side writes and the other reads (progress, termination message, checkpoint
 * records). Reading is lenient on purpose, unlike {@link RunConfigJson}: a document written by a newer
 * version (an extra key, an enum value not known here) must still be readable, with the unknown value null.
 */
public final class ContractJson {

    private static final ObjectMapper LENIENT = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);
    private static final ObjectMapper PRETTY =
            new ObjectMapper().enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);

    private ContractJson() {}

    public static <T> T read(String json, Class<T> type) throws JsonProcessingException {
        return LENIENT.readValue(json, type);
    }

    public static <T> T read(Path file, Class<T> type) throws IOException {
        return LENIENT.readValue(file.toFile(), type);
    }

    /** Compact JSON. */
    public static byte[] bytes(Object value) {
        try {
            return LENIENT.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Indented JSON, for files people read (checkpoint records). */
    public static byte[] prettyBytes(Object value) {
        try {
            return PRETTY.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }
}
