package io.densecl.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.cli.TrainerCli;
import io.densecl.trainer.synth.SynthDataset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, tampered and poisoned checkpoints, through the real {@code pretrain} command (in this JVM):
 * a resealed checkpoint (hashes recomputed) that does not parse or does not fit the model, or whose
 * state is not finite, is passed over for the previous valid one; a state that turns non-finite while
 * training is never committed; another run's checkpoint that does not fit is a configuration error.
 * Slow-ish (about a minute on a quiet machine): every scenario copies, reseals, verifies and writes
 * ResNet-18 checkpoints of 128 MB.
 */
class CheckpointFaultTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    /** ckpt-e0-s1 and ckpt-e1-s2 (LATEST) of a ResNet-18 run. */
    static Path reference;

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
                "2",
                "--max-steps-per-epoch",
                "2",
                "--lr",
                "0.3",
                "--threads",
                "1",
                "--workers",
                "1",
                "--checkpoint-every-steps",
                "1",
                "--progress-port",
                "-1",
                "--termination-log",
                term(ckpt).toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static Path term(Path ckpt) {
        return ckpt.resolveSibling(ckpt.getFileName() + ".term");
    }

    @BeforeAll
    static void referenceRun() throws IOException {
        new SynthDataset(12, 48, 3, 4).write(dir.resolve("data"));
        reference = dir.resolve("reference");
        String[] a = args(reference);
        a[java.util.Arrays.asList(a).indexOf("--epochs") + 1] = "1";
        assertThat(TrainerCli.execute(a)).isZero();
        assertThat(new CheckpointStore(reference).candidates())
                .extracting(p -> p.getFileName().toString())
                .containsExactly("ckpt-e1-s2", "ckpt-e0-s1");
    }

    /** Before: 74 (header length 2^62, offsets outside the file) and 1 (shape, dtype). After: resumes from step 1. */
    @Test
    void resealedCheckpointsThatDoNotParseOrFitFallBackToThePreviousOne() throws Exception {
        tamperedResumesFromStepOne("header-length", (header, data) -> header.put("__length__", 1L << 62));
        tamperedResumesFromStepOne(
                "offsets",
                (header, data) -> ((com.fasterxml.jackson.databind.node.ArrayNode)
                                header.get("queue").get("data_offsets"))
                        .set(1, 1L << 40));
        tamperedResumesFromStepOne(
                "shape",
                (header, data) -> ((ObjectNode) header.get("encoder_q.params"))
                        .putArray("shape")
                        .add(5)
                        .add(3));
        tamperedResumesFromStepOne(
                "dtype", (header, data) -> ((ObjectNode) header.get("encoder_q.params")).put("dtype", "F16"));
        // bytes consistent with the header, but not what the model needs: I32 of the same width
        tamperedResumesFromStepOne(
                "dtype-consistent",
                (header, data) -> ((ObjectNode) header.get("encoder_k.params")).put("dtype", "I32"));
    }

    /** Before: resumed the Inf weights and failed at every retry ("loss is NaN"). After: the previous checkpoint. */
    @Test
    void aNonFiniteCheckpointFallsBackToThePreviousOne() throws Exception {
        tamperedResumesFromStepOne(
                "inf-weights",
                (header, data) -> data.putFloat(offset(header, "encoder_q.params"), Float.POSITIVE_INFINITY));
    }

    /**
     * A checkpoint whose momentum is finite but huge (3e38): the first step's loss is finite, its update
     * overflows the weights. Before: exit 0 "Complete" with weights of RMS 1e35 committed and LATEST on them.
     * After: TrainingDiverged (exit 1) before staging, LATEST still on the resumed checkpoint.
     */
    @Test
    void aStateThatTurnsNonFiniteIsNeverCommitted() throws Exception {
        Path run = copyOfReference("poisoned-momentum", (header, data) -> {
            int at = offset(header, "sgd.momentum_buffer");
            int end =
                    header.get("sgd.momentum_buffer").get("data_offsets").get(1).asInt();
            for (int i = at; i < end; i += 4) data.putFloat(i, 3e38f);
        });
        assertThat(TrainerCli.execute(args(run))).isEqualTo(1);
        JsonNode msg = JSON.readTree(term(run).toFile());
        assertThat(msg.at("/error/class").asText()).isEqualTo("TrainingDiverged");
        assertThat(msg.at("/error/message").asText())
                .contains("encoder_q.params")
                .contains("at step 3")
                .contains("not checkpointed");
        assertThat(JSON.readTree(run.resolve(CheckpointStore.LATEST).toFile())
                        .get("checkpoint")
                        .asText())
                .isEqualTo("ckpt-e1-s2");
        assertThat(new CheckpointStore(run).candidates())
                .extracting(p -> p.getFileName().toString())
                .containsExactly("ckpt-e1-s2", "ckpt-e0-s1");
        try (var files = Files.list(run)) {
            assertThat(files).extracting(p -> p.getFileName().toString()).noneMatch(n -> n.startsWith(".tmp-"));
        }
    }

    /** Before: exit 1 ("has 11210400 F32 values, the model needs 21318560"). After: 78 naming resume.fromDir and both backbones. */
    @Test
    void aWarmStartFromAnotherBackboneIsAConfigurationError() throws Exception {
        Path run = dir.resolve("warm-r34");
        String[] a = args(run, "--resume-from", reference.toString(), "--warm-start");
        a[java.util.Arrays.asList(a).indexOf("--backbone") + 1] = "resnet34";
        assertThat(TrainerCli.execute(a)).isEqualTo(78);
        JsonNode msg = JSON.readTree(term(run).toFile());
        assertThat(msg.at("/error/field").asText()).isEqualTo("resume.fromDir");
        assertThat(msg.at("/error/message").asText())
                .contains("backbone resnet18")
                .contains("this run (backbone resnet34");
    }

    /** Before: kept, because its name ended in this process's pid (in a container every trainer is pid 1). */
    @Test
    void aStaleTemporaryDirectoryIsRemovedAtStartEvenWithThisPid() throws Exception {
        Path run = copyOfReference("stale-tmp", null);
        // what a killed attempt 7 of this pid left (a name this run never writes itself)
        Path stale = Files.createDirectories(
                run.resolve(".tmp-ckpt-e9-s99-a7-" + ProcessHandle.current().pid()));
        Files.write(stale.resolve(CheckpointStore.STATE), new byte[8 << 20]);
        assertThat(TrainerCli.execute(args(run))).isZero();
        assertThat(stale).doesNotExist();
        assertThat(new CheckpointStore(run)
                        .latestValid()
                        .orElseThrow()
                        .manifest()
                        .globalStep())
                .isEqualTo(4);
    }

    /** Resumes the tampered copy for the one remaining step of the reference run: it must start from step 1, not 2. */
    private void tamperedResumesFromStepOne(String name, BiConsumer<ObjectNode, ByteBuffer> tamper) throws Exception {
        Path run = copyOfReference(name, tamper);
        String[] a = args(run);
        List<String> list = java.util.Arrays.asList(a);
        a[list.indexOf("--epochs") + 1] = "1";
        a[list.indexOf("--checkpoint-every-steps") + 1] = "0";
        assertThat(TrainerCli.execute(a)).as(name).isZero();
        JsonNode msg = JSON.readTree(term(run).toFile());
        assertThat(msg.at("/resumedFrom/step").asLong())
                .as(name + ": resumed from the previous checkpoint")
                .isEqualTo(1);
        assertThat(msg.get("step").asLong()).isEqualTo(2);
        assertThat(new CheckpointStore(run)
                        .latestValid()
                        .orElseThrow()
                        .dir()
                        .getFileName()
                        .toString())
                .as("the tampered checkpoint was replaced by a valid one")
                .isEqualTo("ckpt-e1-s2");
    }

    /** A copy of the reference run; {@code tamper} edits the header and data of its newest state, then the manifest is resealed. */
    private static Path copyOfReference(String name, BiConsumer<ObjectNode, ByteBuffer> tamper) throws Exception {
        Path run = dir.resolve(name);
        try (var walk = Files.walk(reference)) {
            for (Path p : walk.toList()) {
                if (!p.getFileName().toString().equals(io.densecl.trainer.checkpoint.CheckpointLock.FILE)) {
                    Files.copy(p, run.resolve(reference.relativize(p).toString()));
                }
            }
        }
        if (tamper != null) {
            Path state = run.resolve("ckpt-e1-s2").resolve(CheckpointStore.STATE);
            byte[] bytes = Files.readAllBytes(state);
            int len =
                    (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            ObjectNode header = (ObjectNode) JSON.readTree(new String(bytes, 8, len, StandardCharsets.UTF_8));
            ByteBuffer data = ByteBuffer.wrap(bytes, 8 + len, bytes.length - 8 - len)
                    .slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            tamper.accept(header, data);
            long claimed =
                    header.has("__length__") ? header.remove("__length__").asLong() : -1;
            byte[] h = JSON.writeValueAsBytes(header);
            ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(claimed >= 0 ? claimed : h.length).put(h).put(data.rewind());
            Files.write(state, out.array());
            reseal(run.resolve("ckpt-e1-s2"));
        }
        return run;
    }

    private static int offset(ObjectNode header, String tensor) {
        return header.get(tensor).get("data_offsets").get(0).asInt();
    }

    private static void reseal(Path ckpt) throws Exception {
        Path mf = ckpt.resolve(CheckpointStore.MANIFEST);
        ObjectNode m = (ObjectNode) JSON.readTree(mf.toFile());
        byte[] state = Files.readAllBytes(ckpt.resolve(CheckpointStore.STATE));
        ((ObjectNode) m.get("files").get(CheckpointStore.STATE))
                .put("size", state.length)
                .put(
                        "sha256",
                        HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(state)));
        Files.write(mf, JSON.writeValueAsBytes(m));
    }
}
