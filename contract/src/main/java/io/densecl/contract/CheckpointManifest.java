package io.densecl.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * {@code MANIFEST.json}, written last into a checkpoint directory. A checkpoint whose manifest is missing,
 * unparsable, or disagrees with the files (size, sha256) does not exist.
 *
 * @param epoch completed epochs
 * @param stepInEpoch the next step to run within {@code epoch}
 * @param globalStep completed optimiser steps
 * @param configHash hash of the trajectory fields of the run configuration the state was trained with
 * @param engine engine facts (engine, engineVersion, djl, device)
 * @param created RFC 3339 time of the commit
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckpointManifest(
        int formatVersion,
        Map<String, FileEntry> files,
        int epoch,
        int stepInEpoch,
        long globalStep,
        int attempt,
        String configHash,
        Map<String, String> engine,
        String created) {

    /** The manifest format this trainer writes. */
    public static final int FORMAT_VERSION = 1;

    /** Size and SHA-256 of one file of the checkpoint. */
    public record FileEntry(long size, String sha256) {}
}
