package io.densecl.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.cli.TrainerCli;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.report.TensorBoardSeries;
import io.densecl.trainer.synth.SynthDataset;
import io.densecl.trainer.util.SplitMix64;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real trainer processes, really killed: an uninterrupted run versus runs that are SIGKILLed (also in
 * the middle of checkpoint writes) and resumed must end in bitwise the same state, on one device and with two
 * data-parallel replicas; SIGTERM checkpoints and exits 75; a changed configuration refuses to resume with exit 78.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessRecoveryTest {
    static final int EPOCHS = 6;
    static final int STEPS = EPOCHS * 4;
    static final int KILLS = Integer.getInteger("densecl.faultKills", 50);
    /** A checkpoint being written: {@code .tmp-ckpt-e<epoch>-s<step>-a<attempt>-<pid>}. */
    static final Pattern TMP = Pattern.compile("\\.tmp-ckpt-e\\d+-s(\\d+)-a\\d+-(\\d+)");

    static final Pattern COMMITTED = Pattern.compile("ckpt-e\\d+-s(\\d+)");

    @TempDir
    static Path dir;

    static Path straight;

    static String[] args(Path ckpt, String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "pretrain",
                "--data",
                dir.resolve("data/JPEGImages").toString(),
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
                Integer.toString(EPOCHS),
                "--lr",
                "0.3",
                "--bn-group-size",
                "2",
                "--threads",
                "1",
                "--workers",
                "1",
                "--checkpoint-every-steps",
                "1",
                "--keep-last",
                "2",
                "--progress-port",
                "-1",
                "--termination-log",
                ckpt.resolveSibling(ckpt.getFileName() + ".term").toString()));
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

    /**
     * {@value #KILLS} SIGKILLs, each triggered by observed progress (the checkpoint directory's steps),
     * never by wall time alone, so the count and the spread are the same on a fast and on a slow
     * machine. The run's {@code STEPS - 3} steps are budgeted over the kills: while the run is behind
     * the budget, a process must first commit the step after the one it resumed (progress however slow
     * the machine), then dies inside the next write (stage, hash, manifest, rename: even kills) or at a
     * random instant before it (odd); while ahead, it dies as its first write starts (even) or at a
     * random instant before that (start-up, resume, the first step: odd). So no process can reach the
     * end (however fast the machine), and a final uninterrupted process finishes the run.
     */
    @Test
    @Order(1)
    void killedAtRandomInstantsAndResumedEndsBitwiseEqual() throws Exception {
        killAndResume(straight, "faulty", KILLS, STEPS);
    }

    /**
     * The same with two replicas ({@code --devices cpu,cpu}, one BatchNorm group each, the key shuffle across them):
     * fewer kills over two epochs, against an uninterrupted two-replica run.
     */
    @Test
    @Order(5)
    void twoReplicasKilledAndResumedEndBitwiseEqual() throws Exception {
        int epochs = 2;
        Path twoStraight = dir.resolve("straight-two");
        String[] a = withEpochs(args(twoStraight, "--devices", "cpu,cpu"), epochs);
        int rc = TrainerProcess.await(TrainerProcess.start(dir.resolve("straight-two.log"), a), 600);
        assertThat(rc).as(Files.readString(dir.resolve("straight-two.log"))).isZero();
        killAndResume(twoStraight, "faulty-two", Math.max(2, KILLS / 12), epochs * 4, "--devices", "cpu,cpu");
    }

    static String[] withEpochs(String[] a, int epochs) {
        a[java.util.Arrays.asList(a).indexOf("--epochs") + 1] = Integer.toString(epochs);
        return a;
    }

    /**
     * {@code kills} SIGKILLs, each triggered by observed progress (the checkpoint directory's steps),
     * never by wall time alone, so the count and the spread are the same on a fast and on a slow
     * machine. The run's {@code steps - 3} steps are budgeted over the kills: while the run is behind
     * the budget, a process must first commit the step after the one it resumed (progress however slow
     * the machine), then dies inside the next write (stage, hash, manifest, rename: even kills) or at a
     * random instant before it (odd); while ahead, it dies as its first write starts (even) or at a
     * random instant before that (start-up, resume, the first step: odd). So no process can reach the
     * end (however fast the machine), and a final uninterrupted process finishes the run, whose state must
     * equal {@code reference}'s bitwise.
     */
    static void killAndResume(Path reference, String name, int kills, int steps, String... extra) throws Exception {
        Path ckpt = dir.resolve(name);
        Path log = dir.resolve(name + ".log");
        SplitMix64 rng = SplitMix64.of(2026, 11, 28);
        CheckpointStore store = new CheckpointStore(ckpt);
        long resumedAt = 0;
        int midWrite = 0;
        int beforeOwnCommit = 0;
        for (int kill = 0; kill < kills; kill++) {
            long r = resumedAt;
            boolean advance = r < (long) (kill + 1) * (steps - 3) / kills;
            Process p = TrainerProcess.start(log, run(ckpt, steps, kill, extra));
            long pid = p.pid();
            if (advance) {
                await(p, log, "commit step " + (r + 1), () -> committedStep(ckpt) >= r + 1);
                if (kill % 2 == 0) {
                    await(p, log, "start writing step " + (r + 2), () -> writingStep(ckpt, pid) >= r + 2);
                    pause(p, log, (long) rng.uniform(0, 150), () -> committedStep(ckpt) >= r + 2);
                } else {
                    pause(p, log, (long) rng.uniform(0, 4000), () -> writingStep(ckpt, pid) >= r + 2);
                }
            } else if (kill % 2 == 0) {
                await(p, log, "start writing step " + (r + 1), () -> writingStep(ckpt, pid) >= r + 1);
            } else {
                pause(p, log, (long) rng.uniform(0, 4000), () -> writingStep(ckpt, pid) >= r + 1);
            }
            boolean writing = writingStep(ckpt, pid) >= 0;
            boolean committedNothing = committedStep(ckpt) <= r;
            TrainerProcess.kill(p);
            if (writing) midWrite++;
            if (!writing && committedNothing) beforeOwnCommit++;
            Optional<CheckpointStore.Checkpoint> latest = store.latestValid();
            long step = latest.map(c -> c.manifest().globalStep()).orElse(0L);
            assertThat(step).as("resume never goes backwards").isGreaterThanOrEqualTo(r);
            assertThat(step).as("at most two committed steps per kill").isLessThanOrEqualTo(r + 2);
            resumedAt = step;
        }
        assertThat(resumedAt).as("the kills left steps for the final run").isLessThan(steps);
        int rc = TrainerProcess.await(TrainerProcess.start(log, run(ckpt, steps, kills, extra)), 600);
        assertThat(rc).as(tail(log)).isZero();
        String variant = extra.length == 0 ? "" : " (" + String.join(" ", extra) + ")";
        System.out.printf(
                "fault injection%s: %d SIGKILLs (%d during a checkpoint write, %d before anything of its own was committed),"
                        + " the last at step %d of %d; final run exit %d%n",
                variant, kills, midWrite, beforeOwnCommit, resumedAt, steps, rc);
        assertThat(midWrite)
                .as("kills that hit a checkpoint write in progress")
                .isGreaterThanOrEqualTo(Math.min(kills / 5, 10));
        assertThat(resumedAt)
                .as("the kills were spread over the run")
                .isGreaterThanOrEqualTo(Math.min(kills, steps - 3) / 2);
        assertSameFinalState(reference, ckpt, steps);
        TensorBoardSeries.assertSameAs(reference, ckpt); // every step once, with the uninterrupted run's values
    }

    /** The arguments of attempt {@code attempt} of a run of {@code steps} steps (4 per epoch). */
    private static String[] run(Path ckpt, int steps, int attempt, String... extra) {
        List<String> a = new ArrayList<>(List.of("--attempt", Integer.toString(attempt)));
        a.addAll(List.of(extra));
        return withEpochs(args(ckpt, a.toArray(String[]::new)), steps / 4);
    }

    /** Waits (up to 5 minutes) until {@code done}; the process exiting by itself fails the test, each is meant to be killed. */
    private static void await(Process p, Path log, String what, Check done) throws Exception {
        long until = System.nanoTime() + 300_000_000_000L;
        while (!done.met()) {
            if (!p.isAlive()) {
                throw new AssertionError(
                        "trainer exited with " + p.exitValue() + " before its planned kill; log:\n" + tail(log));
            }
            if (System.nanoTime() > until) {
                throw new AssertionError("trainer did not " + what + " within 5 minutes; log:\n" + tail(log));
            }
            Thread.sleep(1);
        }
    }

    /** Waits {@code millis}, or less if {@code early} is met first. */
    private static void pause(Process p, Path log, long millis, Check early) throws Exception {
        long until = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < until && !early.met()) {
            if (!p.isAlive()) {
                throw new AssertionError(
                        "trainer exited with " + p.exitValue() + " before its planned kill; log:\n" + tail(log));
            }
            Thread.sleep(1);
        }
    }

    /** A condition on the checkpoint directory. */
    private interface Check {
        boolean met() throws IOException;
    }

    /** The highest step whose checkpoint directory has been renamed into place (manifest written), or -1. */
    private static long committedStep(Path ckpt) throws IOException {
        long step = -1;
        for (String name : names(ckpt)) {
            Matcher m = COMMITTED.matcher(name);
            if (m.matches()) {
                step = Math.max(step, Long.parseLong(m.group(1)));
            }
        }
        return step;
    }

    /** The step process {@code pid} is writing a checkpoint of now (its temporary directory), or -1. */
    private static long writingStep(Path ckpt, long pid) throws IOException {
        long step = -1;
        for (String name : names(ckpt)) {
            Matcher m = TMP.matcher(name);
            if (m.matches() && Long.parseLong(m.group(2)) == pid) {
                step = Math.max(step, Long.parseLong(m.group(1)));
            }
        }
        return step;
    }

    private static List<String> names(Path ckpt) throws IOException {
        try (var s = Files.list(ckpt)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (java.nio.file.NoSuchFileException notYet) {
            return List.of();
        }
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
        JsonNode msg =
                new ObjectMapper().readTree(ckpt.resolveSibling("term.term").toFile());
        assertThat(msg.get("result").asText()).isEqualTo("Checkpointed");
        Path cp = Path.of(msg.get("checkpoint").asText());
        assertThat(store.validate(cp)).isPresent();
        assertThat(store.latestValid().get().manifest().globalStep())
                .isEqualTo(msg.get("step").asLong());
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
        JsonNode msg =
                new ObjectMapper().readTree(ckpt.resolveSibling("term.term").toFile());
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

    static void assertSameFinalState(Path a, Path b, int steps) throws IOException {
        CheckpointStore.Checkpoint ca = new CheckpointStore(a).latestValid().orElseThrow();
        CheckpointStore.Checkpoint cb = new CheckpointStore(b).latestValid().orElseThrow();
        assertThat(cb.manifest().globalStep())
                .isEqualTo(ca.manifest().globalStep())
                .isEqualTo(steps);
        SafeTensors.File fa = ca.state();
        SafeTensors.File fb = cb.state();
        assertThat(fb.tensors().keySet()).isEqualTo(fa.tensors().keySet());
        for (String name : fa.tensors().keySet()) {
            ByteBuffer x = fa.get(name).data();
            ByteBuffer y = fb.get(name).data();
            assertThat(x.mismatch(y))
                    .as("tensor %s differs (first differing byte)", name)
                    .isEqualTo(-1);
        }
        assertThat(cb.trainer().queuePtr()).isEqualTo(ca.trainer().queuePtr());
        assertThat(cb.trainer().queue2Ptr()).isEqualTo(ca.trainer().queue2Ptr());
    }

    private static String tail(Path log) throws java.io.IOException {
        String all = Files.readString(log);
        return all.substring(Math.max(0, all.length() - 4000));
    }
}
