package io.densecl.trainer.checkpoint;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one-writer rule of a checkpoint directory: an exclusive lock on {@code .lock} in it, held until
 * the process exits (the kernel drops it when the process dies, however it dies). A second trainer on
 * the same directory gets {@link CheckpointLockedException} before it touches anything: two writers
 * prune each other's temporary directories and interleave {@code metrics.csv}.
 */
public final class CheckpointLock implements AutoCloseable {
    public static final String FILE = ".lock";
    /**
     * Lock files this JVM holds. POSIX record locks belong to the process, and closing any descriptor
     * of the file drops them all: a second acquire from this JVM must be refused before it opens one.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private CheckpointLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates {@code dir} if needed and locks it, recording who holds it (read by the refused writer). */
    public static CheckpointLock acquire(Path dir, int attempt) {
        Path file = dir.toAbsolutePath().normalize().resolve(FILE);
        if (!HELD.add(file)) {
            throw new CheckpointLockedException(
                    dir, "this process, pid " + ProcessHandle.current().pid());
        }
        FileChannel ch;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            HELD.remove(file);
            throw StorageException.of(dir, "cannot create the checkpoint directory lock in", e);
        }
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                String holder = holder(ch);
                closeQuietly(ch);
                HELD.remove(file);
                throw new CheckpointLockedException(dir, holder);
            }
            recordHolder(ch, attempt);
            return new CheckpointLock(file, ch, lock);
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(ch);
            HELD.remove(file);
            throw e instanceof IOException io
                    ? StorageException.of(file, "cannot lock", io)
                    : new CheckpointLockedException(dir, "this process");
        }
    }

    /**
     * Best effort: the holder's identity only improves the refused writer's message. A full disk must not
     * stop the lock (start-up cleanup under it is what frees the space).
     */
    private static void recordHolder(FileChannel ch, int attempt) {
        try {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(describeSelf(attempt).getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
        } catch (IOException e) {
            System.err.println("WARN cannot record the lock holder in " + FILE + ": " + e.getMessage());
        }
    }

    private static String describeSelf(int attempt) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        return "pid " + ProcessHandle.current().pid() + " on " + host + ", attempt " + attempt + ", since "
                + Instant.now();
    }

    /** What the holder wrote into the lock file (a few hundred bytes at most are read). */
    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(512);
            ch.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "holder unknown" : s;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    /** Releases the lock (process exit does the same). */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel close below releases it too
        }
        closeQuietly(channel);
        HELD.remove(file);
    }
}
