package io.densecl.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.densecl.contract.ErrorClass;
import io.densecl.trainer.cli.Outcome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage preflight, the one-writer lock and how storage failures are classified (exit 73, never 74). */
class StorageAndLockTest {
    @TempDir
    Path root;

    @Test
    void preflightWritesReadsAndRemovesItsProbeAndChecksRoomForTwoCheckpoints() throws IOException {
        Path dir = root.resolve("run");
        StoragePreflight.check(dir, 1 << 20);
        try (var files = Files.list(dir)) {
            assertThat(files).as("the probe is gone").isEmpty();
        }
        long usable = Files.getFileStore(dir).getUsableSpace();
        assertThatThrownBy(() -> StoragePreflight.check(dir, usable / 2 + (1L << 30)))
                .isInstanceOfSatisfying(StorageException.class, e -> {
                    assertThat(e.errorClass()).isEqualTo(ErrorClass.InsufficientStorage);
                    assertThat(e.path()).isEqualTo(dir);
                })
                .hasMessageContaining("two checkpoints need");
        assertThatThrownBy(() -> StoragePreflight.require(dir, 100 << 20, 257 << 20))
                .hasMessageContaining("100.0 MiB free");
    }

    @Test
    void aCheckpointDirectoryThatIsAFileIsNotWritable() throws IOException {
        Path file = Files.writeString(root.resolve("plain-file"), "x");
        assertThatThrownBy(() -> StoragePreflight.check(file, 1))
                .isInstanceOfSatisfying(
                        StorageException.class,
                        e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.StorageNotWritable));
        assertThat(Outcome.classify(new StorageException(ErrorClass.StorageNotWritable, file, "x", null))
                        .exitCode())
                .isEqualTo(73);
    }

    /** Real errno values from the kernel: ENOSPC from /dev/full, and the exception types EACCES and EFBIG give. */
    @Test
    void storageFailuresAreExit73WithTheirErrorClass() throws IOException {
        IOException enospc = null;
        try (FileChannel full = FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)) {
            full.write(ByteBuffer.allocate(4096));
            full.force(true);
        } catch (IOException e) {
            enospc = e;
        }
        assertThat(enospc).as("/dev/full refuses writes").isNotNull();
        ErrorClass f = Outcome.classify(enospc);
        assertThat(f.exitCode()).isEqualTo(73);
        assertThat(f).isEqualTo(ErrorClass.InsufficientStorage);
        ErrorClass denied = Outcome.classify(new AccessDeniedException("/checkpoints/ns/run"));
        assertThat(denied.exitCode()).isEqualTo(73);
        assertThat(denied).isEqualTo(ErrorClass.StorageNotWritable);
        assertThat(Outcome.classify(new IOException("File too large"))).isEqualTo(ErrorClass.InsufficientStorage);
        assertThat(Outcome.classify(new java.io.UncheckedIOException(new IOException("Disk quota exceeded"))))
                .isEqualTo(ErrorClass.InsufficientStorage);
    }

    @Test
    void aSecondLockOnTheSameDirectoryIsRefusedAndTheFirstSurvivesIt() throws IOException {
        Path dir = root.resolve("run");
        try (CheckpointLock first = CheckpointLock.acquire(dir, 3)) {
            assertThatThrownBy(() -> CheckpointLock.acquire(dir, 4))
                    .isInstanceOf(CheckpointLockedException.class)
                    .hasMessageContaining(dir.toString());
            assertThatThrownBy(() -> CheckpointLock.acquire(dir.resolve("../run"), 4))
                    .as("another spelling of the same directory")
                    .isInstanceOf(CheckpointLockedException.class);
            assertThat(Files.readString(dir.resolve(CheckpointLock.FILE)))
                    .contains("pid " + ProcessHandle.current().pid())
                    .contains("attempt 3");
            assertThat(Outcome.classify(new CheckpointLockedException(dir, "x")).exitCode())
                    .isEqualTo(69);
        }
        try (CheckpointLock again = CheckpointLock.acquire(dir, 5)) {
            assertThat(Files.readString(dir.resolve(CheckpointLock.FILE))).contains("attempt 5");
        }
    }
}
