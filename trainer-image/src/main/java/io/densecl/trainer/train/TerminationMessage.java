package io.densecl.trainer.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JSON the kubelet copies into {@code containerStatuses[].state.terminated.message}: at most
 * 4096 bytes, so long error messages are shortened first and optional parts dropped after.
 */
public final class TerminationMessage {
    public static final int LIMIT = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TerminationMessage() {}

    public static ObjectNode create(String result) {
        ObjectNode n = JSON.createObjectNode();
        n.put("result", result);
        return n;
    }

    /** The message as bytes within the limit. */
    public static byte[] render(ObjectNode message) {
        ObjectNode m = message.deepCopy();
        byte[] bytes = bytes(m);
        if (bytes.length > LIMIT && m.has("error")) {
            ObjectNode err = (ObjectNode) m.get("error");
            String msg = err.path("message").asText("");
            err.put("message", msg.substring(0, Math.min(msg.length(), 1500)) + "...");
            bytes = bytes(m);
        }
        for (String optional : new String[] {"metrics", "resumedFrom", "skippedFiles"}) {
            if (bytes.length <= LIMIT) break;
            m.remove(optional);
            bytes = bytes(m);
        }
        return bytes;
    }

    /** Writes the message; a failure to write is reported but never changes the exit code. */
    public static void write(String path, ObjectNode message) {
        if (path == null || path.isBlank()) {
            return;
        }
        try {
            Files.write(Path.of(path), render(message));
        } catch (IOException | RuntimeException e) {
            System.err.println("WARN cannot write termination message to " + path + ": " + e.getMessage());
        }
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
