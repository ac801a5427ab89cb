package io.densecl.trainer.checkpoint;

import io.densecl.contract.ErrorClass;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Proves, before the first training step, that the checkpoint directory can take checkpoints: a probe
 * file is written, fsynced, read back and deleted, and the file system must have room for two
 * checkpoints (the one being written beside the newest one kept). Otherwise the run would train for
 * an epoch and then fail at its first checkpoint, losing that epoch on every retry.
 */
public final class StoragePreflight {
    /** Probe files are {@code .probe-<pid>}; start-up removes the leftovers of killed processes. */
    public static final String PROBE_PREFIX = ".probe-";

    private static final int PROBE_BYTES = 64 << 10;

    private StoragePreflight() {}

    /** Throws {@link StorageException} unless {@code dir} is writable and has room for two checkpoints of {@code checkpointBytes}. */
    public static void check(Path dir, long checkpointBytes) {
        Path probe = dir.resolve(PROBE_PREFIX + ProcessHandle.current().pid());
        byte[] pattern = new byte[PROBE_BYTES];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i * 131 + 7);
        }
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(
                    probe,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.READ)) {
                ByteBuffer out = ByteBuffer.wrap(pattern);
                while (out.hasRemaining()) ch.write(out);
                ch.force(true);
                ByteBuffer back = ByteBuffer.allocate(PROBE_BYTES);
                while (back.hasRemaining() && ch.read(back, back.position()) > 0) {
                    // read to the end
                }
                if (!Arrays.equals(back.array(), pattern)) {
                    deleteQuietly(probe);
                    throw new StorageException(
                            ErrorClass.StorageNotWritable,
                            dir,
                            "checkpoint storage " + dir + " returned different bytes than were written to a probe file",
                            null);
                }
            }
            Files.delete(probe);
            CheckpointStore.fsyncDir(dir);
        } catch (IOException e) {
            deleteQuietly(probe);
            throw StorageException.of(dir, "checkpoint storage is not writable:", e);
        }
        long usable;
        try {
            usable = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return; // some file systems do not report space; the writes above worked
        }
        require(dir, usable, 2 * checkpointBytes);
    }

    /** The free-space rule on its own (tests hand it the numbers). */
    static void require(Path dir, long usableBytes, long neededBytes) {
        if (usableBytes < neededBytes) {
            throw new StorageException(
                    ErrorClass.InsufficientStorage,
                    dir,
                    String.format(
                            "checkpoint storage %s has %.1f MiB free, two checkpoints need %.1f MiB; grow the volume or free space",
                            dir, usableBytes / 1048576.0, neededBytes / 1048576.0),
                    null);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the storage is failing already; start-up cleanup removes it next time
        }
    }
}
