package io.densecl.operator.trainer;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * The JSON the trainer writes to its termination log (docs/contract.md), read back from
 * {@code containerStatuses[].state.terminated.message}; it survives operator downtime.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TerminationMessage(String result, Integer epoch, Long step, String checkpoint,
        Position resumedFrom, Map<String, Object> metrics, ErrorInfo error) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** An epoch/step position. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Position(Integer epoch, Long step) {
    }

    /** The error class, the field at fault and the message of a failed run. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ErrorInfo(@com.fasterxml.jackson.annotation.JsonProperty("class") String errorClass,
            String field, String message) {
    }

    /**
     * Parses a termination message; with FallbackToLogsOnError the message may be the log tail
     * instead of JSON, which is kept as the error message.
     */
    public static TerminationMessage parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return JSON.readValue(text, TerminationMessage.class);
        } catch (Exception notJson) {
            String tail = text.length() > 1024 ? text.substring(text.length() - 1024) : text;
            return new TerminationMessage(null, null, null, null, null, null, new ErrorInfo(null, null, tail.strip()));
        }
    }

    /** A numeric metric, or null when absent or not a number. */
    public Double metric(String name) {
        Object value = metrics == null ? null : metrics.get(name);
        return value instanceof Number n ? n.doubleValue() : null;
    }
}
