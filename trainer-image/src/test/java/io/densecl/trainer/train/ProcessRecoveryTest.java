package io.densecl.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.cli.TrainerCli;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.synth.SynthDataset;
import io.densecl.trainer.util.SplitMix64;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real trainer processes, really killed: an uninterrupted run versus runs that are SIGKILLed (also in
 * the middle of checkpoint writes) and resumed must end in bitwise the same state; SIGTERM checkpoints
 * and exits 75; a changed configuration refuses to resume with exit 78.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessRecoveryTest {
    static final int EPOCHS = 6;
    static final int STEPS = EPOCHS * 4;
    static final int KILLS = Integer.getInteger("densecl.faultKills", 50);
    @TempDir static Path dir;
    static Path straight;

    static String[] args(Path ckpt, String... extra) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--data", dir.resolve("data/JPEGImages").toString(),
                "--checkpoint-dir", ckpt.toString(), "--backbone", "resnet18", "--hid", "32", "--dim", "16",
                "--image-size", "64", "--batch-size", "4", "--queue-size", "16", "--epochs", Integer.toString(EPOCHS),
                "--lr", "0.3", "--bn-group-size", "2", "--threads", "1", "--workers", "1", "--checkpoint-every-steps", "1", "--keep-last", "2",
                "--progress-port", "-1", "--termination-log", ckpt.resolveSibling(ckpt.getFileName() + ".term").toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        new SynthDataset(17, 48, 3, 4).write(dir.resolve("data")); // 17 images: 4 full batches, one dropped image
        straight = dir.resolve("straight");
        int rc = TrainerProcess.await(TrainerProcess.start(dir.resolve("straight.log"), args(straight)), 600);
        assertThat(rc).as(Files.readString(dir.resolve("straight.log"))).isZero();
    }

    @Test
    @Order(1)
    void killedAtRandomInstantsAndResumedEndsBitwiseEqual() throws Exception {
        Path ckpt = dir.resolve("faulty");
        Path log = dir.resolve("faulty.log");
        SplitMix64 rng = SplitMix64.of(2026, 11, 28);
        CheckpointStore store = new CheckpointStore(ckpt);
        long lastStep = -1;
        int kills = 0;
        int attempt = 0;
        int midWrite = 0;
        while (kills < KILLS) {
            Process p = TrainerProcess.start(log, args(ckpt, "--attempt", Integer.toString(attempt++)));
            if (kills % 2 == 0) {
                // every other kill lands inside a checkpoint write: wait for a temporary directory to appear
                long until = System.nanoTime() + 120_000_000_000L;
                while (p.isAlive() && !isWriting(ckpt, p.pid()) && System.nanoTime() < until) {
                    Thread.sleep(2);
                }
                Thread.sleep((long) rng.uniform(0, 150));
            } else {
                Thread.sleep((long) rng.uniform(1500, 6000));
            }
            if (!p.isAlive()) {
                assertThat(p.exitValue()).as("a run that was not killed completes; log:\n" + tail(log)).isZero();
                break;
            }
            boolean writing = isWriting(ckpt, p.pid());
            TrainerProcess.kill(p);
            kills++;
            if (writing) midWrite++;
            Optional<CheckpointStore.Checkpoint> latest = store.latestValid();
            if (latest.isPresent()) {
                long step = latest.get().manifest().globalStep();
                assertThat(step).as("resume never goes backwards").isGreaterThanOrEqualTo(lastStep);
                lastStep = step;
            }
        }
        int rc = TrainerProcess.await(TrainerProcess.start(log, args(ckpt, "--attempt", Integer.toString(attempt))), 600);
        assertThat(rc).isZero();
        System.out.printf("fault injection: %d SIGKILLs (%d during a checkpoint write), final run exit %d%n", kills, midWrite, rc);
        assertThat(kills).isGreaterThanOrEqualTo(Math.min(KILLS, 10));
        assertThat(midWrite).as("kills that hit a checkpoint write in progress").isGreaterThanOrEqualTo(Math.min(KILLS / 5, 10));
        assertSameFinalState(straight, ckpt);
    }

    @Test
    @Order(2)
    void sigtermCheckpointsWritesTheMessageAndExits75() throws Exception {
        Path ckpt = dir.resolve("term");
        Path log = dir.resolve("term.log");
        Process p = TrainerProcess.start(log, args(ckpt));
        CheckpointStore store = new CheckpointStore(ckpt);
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (store.latestValid().map(c -> c.manifest().globalStep()).orElse(0L) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        p.destroy(); // SIGTERM
        int rc = TrainerProcess.await(p, 120);
        assertThat(rc).as(Files.readString(log)).isEqualTo(75);
        JsonNode msg = new ObjectMapper().readTree(ckpt.resolveSibling("term.term").toFile());
        assertThat(msg.get("result").asText()).isEqualTo("Checkpointed");
        Path cp = Path.of(msg.get("checkpoint").asText());
        assertThat(store.validate(cp)).isPresent();
        assertThat(store.latestValid().get().manifest().globalStep()).isEqualTo(msg.get("step").asLong());
        assertThat(msg.get("step").asLong()).isLessThan(STEPS);
    }

    @Test
    @Order(3)
    void aChangedConfigurationRefusesToResumeNamingTheChange() throws Exception {
        Path ckpt = dir.resolve("term"); // left checkpointed by the SIGTERM test
        String[] changed = args(ckpt);
        changed[java.util.Arrays.asList(changed).indexOf("--batch-size") + 1] = "8";
        int rc = TrainerCli.execute(changed);
        assertThat(rc).isEqualTo(78);
        JsonNode msg = new ObjectMapper().readTree(ckpt.resolveSibling("term.term").toFile());
        assertThat(msg.get("result").asText()).isEqualTo("ConfigError");
        assertThat(msg.at("/error/message").asText()).contains("training.batchSize: 4 -> 8");
    }

    @Test
    @Order(4)
    void anEmptyDataFolderIsADataErrorAndAMissingOneAConfigError() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        String[] a = args(dir.resolve("x"));
        a[2] = empty.toString();
        assertThat(TrainerCli.execute(a)).isEqualTo(65);
        a[2] = dir.resolve("missing").toString();
        assertThat(TrainerCli.execute(a)).isEqualTo(78);
        JsonNode msg = new ObjectMapper().readTree(dir.resolve("x.term").toFile());
        assertThat(msg.at("/error/field").asText()).isEqualTo("data.path");
    }

    /** Whether process {@code pid} is writing a checkpoint now (its temporary directory exists). */
    private static boolean isWriting(Path ckpt, long pid) throws IOException {
        if (!Files.isDirectory(ckpt)) return false;
        try (var s = Files.list(ckpt)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-") && p.getFileName().toString().endsWith("-" + pid));
        } catch (java.nio.file.NoSuchFileException raced) {
            return false;
        }
    }

    static void assertSameFinalState(Path a, Path b) throws IOException {
        CheckpointStore.Checkpoint ca = new CheckpointStore(a).latestValid().orElseThrow();
        CheckpointStore.Checkpoint cb = new CheckpointStore(b).latestValid().orElseThrow();
        assertThat(cb.manifest().globalStep()).isEqualTo(ca.manifest().globalStep()).isEqualTo(STEPS);
        SafeTensors.File fa = ca.state();
        SafeTensors.File fb = cb.state();
        assertThat(fb.tensors().keySet()).isEqualTo(fa.tensors().keySet());
        for (String name : fa.tensors().keySet()) {
            ByteBuffer x = fa.get(name).data();
            ByteBuffer y = fb.get(name).data();
            assertThat(x.mismatch(y)).as("tensor %s differs (first differing byte)", name).isEqualTo(-1);
        }
        assertThat(cb.trainer().queuePtr()).isEqualTo(ca.trainer().queuePtr());
        assertThat(cb.trainer().queue2Ptr()).isEqualTo(ca.trainer().queue2Ptr());
    }

    private static String tail(Path log) throws java.io.IOException {
        String all = Files.readString(log);
        return all.substring(Math.max(0, all.length() - 4000));
    }
}
