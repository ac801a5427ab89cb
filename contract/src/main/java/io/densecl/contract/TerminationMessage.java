package io.densecl.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON a trainer process leaves in its termination log when it ends; the kubelet copies it into
 * {@code containerStatuses[].state.terminated.message} (at most {@link #LIMIT} bytes) and the operator reads
 * it from there, so it survives operator downtime.
 *
 * @param task the evaluated task (evaluate only)
 * @param checkpointEpoch the epoch of the evaluated checkpoint (evaluate only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TerminationMessage(
        TrainerResult result,
        Integer epoch,
        Long step,
        String checkpoint,
        Progress.ResumedFrom resumedFrom,
        Map<String, Double> metrics,
        Integer skippedFiles,
        EvaluationTask task,
        Integer checkpointEpoch,
        ErrorInfo error) {

    /** The kubelet keeps at most this many bytes of a termination message. */
    public static final int LIMIT = 4096;
    /** Where the kubelet expects the message (the container's terminationMessagePath). */
    public static final String DEFAULT_PATH = "/dev/termination-log";

    private static final int SHORT_TEXT = 256;

    /**
     * What failed: its class, the configuration field at fault (if any), the file or directory at fault (if any:
     * data and storage errors) and a message.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ErrorInfo(@JsonProperty("class") ErrorClass errorClass, String field, String path, String message) {}

    /** The end of a pre-training run ({@code Complete} or {@code Checkpointed}); non-finite metrics are left out. */
    public static TerminationMessage ended(
            TrainerResult result,
            int epoch,
            long step,
            String checkpoint,
            Progress.ResumedFrom resumedFrom,
            Map<String, Double> metrics,
            int skippedFiles) {
        return new TerminationMessage(
                result, epoch, step, checkpoint, resumedFrom, finite(metrics), skippedFiles, null, null, null);
    }

    /** A finished evaluation. */
    public static TerminationMessage evaluated(
            EvaluationTask task, Integer checkpointEpoch, Map<String, Double> metrics) {
        return new TerminationMessage(
                TrainerResult.Complete, null, null, null, null, finite(metrics), null, task, checkpointEpoch, null);
    }

    /** A failure; the result (and so the exit code) follows from the error class. */
    public static TerminationMessage failure(ErrorClass errorClass, String field, String message) {
        return failure(errorClass, field, null, message);
    }

    /** A failure naming the file or directory at fault ({@code path}, null for none). */
    public static TerminationMessage failure(ErrorClass errorClass, String field, String path, String message) {
        return new TerminationMessage(
                errorClass.result(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                new ErrorInfo(errorClass, field, path, message));
    }

    /**
     * The message as UTF-8 JSON of at most {@link #LIMIT} bytes. Too long a message loses, in this order, the end
     * of {@code error.message}, the optional parts (metrics, resumedFrom, ...), the end of long paths; the
     * result and the error class always stay, and the text is always complete JSON.
     */
    public byte[] render() {
        byte[] bytes = ContractJson.bytes(this);
        if (bytes.length <= LIMIT) {
            return bytes;
        }
        byte[] fitted = fitMessage(this);
        if (fitted == null) {
            fitted = fitMessage(essentials(this));
        }
        if (fitted == null) {
            TerminationMessage e = essentials(this);
            fitted = fitMessage(new TerminationMessage(
                    e.result,
                    e.epoch,
                    e.step,
                    shorten(e.checkpoint),
                    null,
                    null,
                    null,
                    null,
                    null,
                    e.error == null
                            ? null
                            : new ErrorInfo(
                                    e.error.errorClass,
                                    shorten(e.error.field),
                                    shorten(e.error.path),
                                    e.error.message)));
        }
        if (fitted == null) {
            fitted = ContractJson.bytes(new TerminationMessage(
                    result,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    error == null ? null : new ErrorInfo(error.errorClass, null, null, null)));
        }
        return fitted;
    }

    /** Parses the text the kubelet recorded; a plain-text tail (FallbackToLogsOnError) becomes the error message. */
    public static TerminationMessage parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return ContractJson.read(text, TerminationMessage.class);
        } catch (Exception notJson) {
            String tail = text.length() > 1024 ? text.substring(text.length() - 1024) : text;
            return new TerminationMessage(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    new ErrorInfo(null, null, null, tail.strip()));
        }
    }

    /** A numeric metric, or null when absent. */
    public Double metric(String name) {
        return metrics == null ? null : metrics.get(name);
    }

    /** The message with {@code error.message} cut to the longest prefix that fits, or null if nothing fits. */
    private static byte[] fitMessage(TerminationMessage m) {
        byte[] whole = ContractJson.bytes(m);
        if (whole.length <= LIMIT) {
            return whole;
        }
        if (m.error == null || m.error.message == null) {
            return null;
        }
        String text = m.error.message;
        int lo = 0;
        int hi = text.codePointCount(0, text.length());
        byte[] best = null;
        while (lo <= hi) { // the longest prefix (in code points, never splitting a surrogate pair) that fits
            int mid = (lo + hi) >>> 1;
            String prefix = text.substring(0, text.offsetByCodePoints(0, mid)) + "...";
            byte[] b = ContractJson.bytes(new TerminationMessage(
                    m.result,
                    m.epoch,
                    m.step,
                    m.checkpoint,
                    m.resumedFrom,
                    m.metrics,
                    m.skippedFiles,
                    m.task,
                    m.checkpointEpoch,
                    new ErrorInfo(m.error.errorClass, m.error.field, m.error.path, prefix)));
            if (b.length <= LIMIT) {
                best = b;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    /** Without the optional parts. */
    private static TerminationMessage essentials(TerminationMessage m) {
        return new TerminationMessage(m.result, m.epoch, m.step, m.checkpoint, null, null, null, null, null, m.error);
    }

    private static String shorten(String s) {
        if (s == null || s.codePointCount(0, s.length()) <= SHORT_TEXT) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, SHORT_TEXT)) + "...";
    }

    private static Map<String, Double> finite(Map<String, Double> metrics) {
        if (metrics == null) {
            return null;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
