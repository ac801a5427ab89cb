package io.densecl.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.cli.TrainerCli;
import io.densecl.trainer.synth.SynthDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, faults only a separate process can have: permissions (as root, the child runs without the
 * capabilities that override them), a file-size limit (the kernel's EFBIG, as a full disk refuses a
 * write), a small heap against an image bomb, and a second trainer on the same directory. Each child
 * starts a JVM, so these take seconds each.
 */
class FaultProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    /** The command line; {@code overrides} are option/value pairs that replace the defaults or are added. */
    static String[] args(Path data, Path ckpt, String... overrides) {
        List<String> a = new ArrayList<>(List.of(
                "pretrain",
                "--data",
                data.toString(),
                "--checkpoint-dir",
                ckpt.toString(),
                "--backbone",
                "resnet18",
                "--hid",
                "32",
                "--dim",
                "16",
                "--image-size",
                "64",
                "--batch-size",
                "4",
                "--queue-size",
                "16",
                "--epochs",
                "1",
                "--max-steps-per-epoch",
                "2",
                "--threads",
                "1",
                "--workers",
                "1",
                "--progress-port",
                "-1",
                "--termination-log",
                term(ckpt).toString()));
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            int at = a.indexOf(overrides[i]);
            if (at >= 0) {
                a.set(at + 1, overrides[i + 1]);
            } else {
                a.addAll(List.of(overrides[i], overrides[i + 1]));
            }
        }
        return a.toArray(String[]::new);
    }

    static Path term(Path ckpt) {
        return ckpt.resolveSibling(ckpt.getFileName() + ".term");
    }

    static Path images() {
        return dir.resolve("data/JPEGImages");
    }

    @BeforeAll
    static void data() throws IOException {
        new SynthDataset(24, 48, 3, 4).write(dir.resolve("data"));
    }

    /** Root ignores file permissions; the child drops the two capabilities that let it (util-linux setpriv). */
    private static List<String> withoutPermissionOverride() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return List.of();
        }
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "running as root without setpriv: permissions cannot be tested");
        return List.of("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search");
    }

    private static JsonNode run(Path log, List<String> prefix, List<String> jvm, int expectedExit, String... args)
            throws Exception {
        int rc = TrainerProcess.await(TrainerProcess.start(log, prefix, jvm, args), 300);
        assertThat(rc).as(Files.readString(log)).isEqualTo(expectedExit);
        return JSON.readTree(term(Path.of(args[Arrays.asList(args).indexOf("--checkpoint-dir") + 1]))
                .toFile());
    }

    /** Before: exit 74 (DeviceError: the operator would avoid a healthy node). After: 73 StorageNotWritable naming the directory. */
    @Test
    void aCheckpointDirectoryThatCannotBeWrittenIsAStorageError() throws Exception {
        Path parent = Files.createDirectories(dir.resolve("read-only"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("r-xr-xr-x"));
        Path ckpt = parent.resolve("run");
        String[] a = args(images(), ckpt);
        Path termLog = dir.resolve("eacces.term");
        a[Arrays.asList(a).indexOf("--termination-log") + 1] = termLog.toString();
        int rc = TrainerProcess.await(
                TrainerProcess.start(dir.resolve("eacces.log"), withoutPermissionOverride(), List.of("-Xmx1g"), a),
                300);
        assertThat(rc).as(Files.readString(dir.resolve("eacces.log"))).isEqualTo(73);
        JsonNode msg = JSON.readTree(termLog.toFile());
        assertThat(msg.get("result").asText()).isEqualTo("StorageError");
        assertThat(msg.at("/error/class").asText()).isEqualTo("StorageNotWritable");
        assertThat(msg.at("/error/message").asText()).contains(ckpt.toString()).contains("permission denied");
    }

    /** Before: exit 74 (AccessDeniedException). After: 65 DataError naming the directory. */
    @Test
    void anUnreadableDataDirectoryIsADataErrorNamingIt() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data-with-locked-dir"));
        try (var files = Files.list(images())) {
            for (Path f : files.toList()) Files.copy(f, data.resolve(f.getFileName()));
        }
        Path locked = Files.createDirectories(data.resolve("locked"));
        Files.copy(images().resolve("synth_000000.jpg"), locked.resolve("x.jpg"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            JsonNode msg = run(
                    dir.resolve("unreadable.log"),
                    withoutPermissionOverride(),
                    List.of("-Xmx1g"),
                    65,
                    args(data, dir.resolve("unreadable-run")));
            assertThat(msg.at("/error/class").asText()).isEqualTo("DataError");
            assertThat(msg.at("/error/path").asText()).isEqualTo(locked.toString());
            assertThat(msg.at("/error/message").asText()).contains("permission denied");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /**
     * The kernel refuses the checkpoint's write (RLIMIT_FSIZE: EFBIG, as ENOSPC does on a full disk).
     * Before: exit 74, and the 50 MB partial temporary directory stayed. After: 73 InsufficientStorage, and it is gone.
     */
    @Test
    void aCheckpointWriteTheDiskRefusesLeavesNothingBehindAndIsAStorageError() throws Exception {
        Path ckpt = dir.resolve("fsize-run");
        List<String> limit = List.of(
                "bash", "-c", "ulimit -f 51200; exec \"$0\" \"$@\""); // 50 MiB per file; a checkpoint is 128 MiB
        JsonNode msg = run(dir.resolve("fsize.log"), limit, List.of("-Xmx1g"), 73, args(images(), ckpt));
        assertThat(msg.at("/error/class").asText()).isEqualTo("InsufficientStorage");
        assertThat(msg.at("/error/message").asText()).contains("File too large");
        try (var files = Files.list(ckpt)) {
            assertThat(files)
                    .extracting(p -> p.getFileName().toString())
                    .noneMatch(n -> n.startsWith(".tmp-"))
                    .noneMatch(n -> n.startsWith("ckpt-"));
        }
    }

    /**
     * A 782 KB PNG that decodes to 16384x16384 among 24 JPEGs, and a 1.4 KB JPEG claiming 20000x20000.
     * Before: OutOfMemoryError with a 1 GB heap (exit 1, naming no file). After: both skipped and counted, the run completes.
     */
    @Test
    void imageBombsAreSkippedAndCountedAndTheRunCompletes() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data-with-bombs"));
        try (var files = Files.list(images())) {
            for (Path f : files.toList()) Files.copy(f, data.resolve(f.getFileName()));
        }
        Files.write(data.resolve("zz_bomb.png"), io.densecl.trainer.data.ImageBombs.png(16384, 16384, 16384));
        Files.write(data.resolve("zz_claims.jpg"), io.densecl.trainer.data.ImageBombs.jpegClaiming(20000, 20000));
        Path ckpt = dir.resolve("bomb-run");
        String[] a = args(data, ckpt, "--max-steps-per-epoch", "0"); // the whole epoch: every file is read
        JsonNode msg = run(dir.resolve("bomb.log"), List.of(), List.of("-Xmx1g", "-XX:MaxDirectMemorySize=512m"), 0, a);
        assertThat(msg.get("result").asText()).isEqualTo("Complete");
        assertThat(msg.get("skippedFiles").asInt()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("bomb.log")))
                .contains("zz_bomb.png: 16384x16384 = 268435456 pixels exceeds")
                .contains("zz_claims.jpg: 20000x20000");
    }

    /**
     * Before: the second trainer ran beside the first; one died when the other's prune removed its
     * temporary directory, and metrics.csv got duplicate rows. After: the second exits 69 at once, naming
     * the holder, and touches nothing; the first completes.
     */
    @Test
    void aSecondTrainerOnTheSameDirectoryExits69AndTouchesNothing() throws Exception {
        Path ckpt = dir.resolve("shared-run");
        Path log = dir.resolve("first.log");
        Process first = TrainerProcess.start(
                log,
                args(
                        images(),
                        ckpt,
                        "--max-steps-per-epoch",
                        "0",
                        "--checkpoint-every-steps",
                        "2",
                        "--keep-last",
                        "1"));
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (first.isAlive() && new CheckpointStore(ckpt).candidates().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(first.isAlive())
                .as("the first trainer is training; log:\n" + Files.readString(log))
                .isTrue();
        Path secondTerm = dir.resolve("second.term");
        String[] second = args(
                images(),
                ckpt,
                "--max-steps-per-epoch",
                "0",
                "--checkpoint-every-steps",
                "2",
                "--keep-last",
                "1",
                "--termination-log",
                secondTerm.toString());
        assertThat(TrainerCli.execute(second)).isEqualTo(69);
        JsonNode msg = JSON.readTree(secondTerm.toFile());
        assertThat(msg.get("result").asText()).isEqualTo("CheckpointLocked");
        assertThat(msg.at("/error/class").asText()).isEqualTo("CheckpointLocked");
        assertThat(msg.at("/error/message").asText())
                .contains("pid " + first.pid())
                .contains(ckpt.toString());
        assertThat(TrainerProcess.await(first, 300)).as(Files.readString(log)).isZero();
        List<String> steps = Files.readAllLines(ckpt.resolve("metrics.csv")).stream()
                .skip(1)
                .map(l -> l.substring(0, l.indexOf(',')))
                .toList();
        assertThat(steps).doesNotHaveDuplicates().isNotEmpty();
    }
}
