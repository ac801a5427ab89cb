package io.densecl.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checkpoint epochs that pruning must keep because an evaluation has yet to read them: the file
 * {@code checkpoint.pinFile} ({@code {"epochs": [50, 100]}}), written by the operator (a ConfigMap key, so it
 * changes while the trainer runs) and re-read before every prune. A missing file pins nothing; an unreadable one
 * pins nothing too, with a warning: a pin only ever keeps more, so it must never stop training.
 */
public final class CheckpointPins {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointPins() {}

    /** The pinned epochs of {@code file}; empty for a null path, a missing or an unreadable file. */
    public static Set<Integer> read(Path file) {
        Set<Integer> epochs = new TreeSet<>();
        if (file == null) {
            return epochs;
        }
        try {
            JsonNode list = JSON.readTree(Files.readAllBytes(file)).path("epochs");
            for (JsonNode e : list) {
                if (e.canConvertToInt()) {
                    epochs.add(e.asInt());
                }
            }
        } catch (NoSuchFileException missing) {
            // no evaluation pending
        } catch (IOException | RuntimeException e) {
            System.err.println("WARN checkpoint pins " + file + " unreadable, none applied: " + e.getMessage());
        }
        return epochs;
    }
}
