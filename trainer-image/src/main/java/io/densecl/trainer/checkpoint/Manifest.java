package io.densecl.trainer.checkpoint;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * {@code MANIFEST.json}: written last into a checkpoint directory. A checkpoint whose manifest is
 * missing, unparsable, or disagrees with the files (size, sha256) does not exist.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        int formatVersion,
        Map<String, FileEntry> files,
        int epoch,
        int stepInEpoch,
        long globalStep,
        int attempt,
        String configHash,
        Map<String, String> engine,
        String created) {

    /** Size and SHA-256 of one file of the checkpoint. */
    public record FileEntry(long size, String sha256) {}
}
