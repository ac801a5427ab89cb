package io.densecl.trainer.checkpoint;

import java.nio.file.Path;

/** Another trainer holds this run's checkpoint directory (exit 69: an attempt is still running). */
public final class CheckpointLockedException extends RuntimeException {
    private final Path dir;

    public CheckpointLockedException(Path dir, String holder) {
        super("checkpoint directory " + dir + " is locked by another trainer (" + holder
                + "); refusing to write beside it. It is released when that process exits.");
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }
}
