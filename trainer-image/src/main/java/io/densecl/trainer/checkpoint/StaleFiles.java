package io.densecl.trainer.checkpoint;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Removes what killed writers left in a checkpoint directory: temporary checkpoint directories,
 * {@code LATEST} and probe temporaries. Only safe while holding the directory's {@link CheckpointLock}
 * (no other writer can be mid-write); the pid in a name proves nothing, in a container every trainer
 * is pid 1. Left in place they keep the space whose lack killed the writer, so every retry fails again.
 */
public final class StaleFiles {
    private StaleFiles() {}

    /** Deletes every leftover in {@code root}; returns the bytes freed. */
    public static long remove(Path root) {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        long freed = 0;
        try (DirectoryStream<Path> ds =
                Files.newDirectoryStream(root, p -> isTemporary(p.getFileName().toString()))) {
            for (Path p : ds) {
                long bytes = treeSize(p);
                CheckpointStore.deleteTree(p);
                freed += bytes;
                System.err.printf(
                        "INFO removed %s (%.1f MiB) left by an interrupted writer%n",
                        p.getFileName(), bytes / 1048576.0);
            }
        } catch (IOException e) {
            throw StorageException.of(root, "cannot remove stale temporary files in", e);
        }
        return freed;
    }

    private static boolean isTemporary(String name) {
        return name.startsWith(".tmp-")
                || name.startsWith(CheckpointStore.LATEST + ".tmp-")
                || name.startsWith(StoragePreflight.PROBE_PREFIX);
    }

    private static long treeSize(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            return walk.filter(Files::isRegularFile)
                    .mapToLong(q -> q.toFile().length())
                    .sum();
        }
    }
}
