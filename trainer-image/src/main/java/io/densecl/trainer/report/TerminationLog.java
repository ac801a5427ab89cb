package io.densecl.trainer.report;

import io.densecl.contract.TerminationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the termination message (at most 4096 bytes of JSON) where the kubelet picks it up. */
public final class TerminationLog {
    private TerminationLog() {}

    /** Writes {@code message} to {@code path} (nothing when blank, or the default path outside a pod); a failure to write never changes the exit code. */
    public static void write(String path, TerminationMessage message) {
        if (path == null
                || path.isBlank()
                || (path.equals(TerminationMessage.DEFAULT_PATH) && !Files.exists(Path.of(path)))) {
            return; // not in a pod: the kubelet creates the default file, nobody else reads it
        }
        try {
            Files.write(Path.of(path), message.render());
        } catch (IOException | RuntimeException e) {
            System.err.println("WARN cannot write termination message to " + path + ": " + e.getMessage());
        }
    }
}
