package io.densecl.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.contract.TrainerState;
import io.densecl.trainer.io.SafeTensors;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash-safety rules of the checkpoint directory, exercised on real files. */
class CheckpointStoreTest {
    @TempDir
    Path root;

    private final ObjectMapper json = new ObjectMapper();

    private Path save(CheckpointStore s, long step, int attempt) throws IOException {
        TrainerState t = trainer(step);
        return s.save(
                new TrainingPosition((int) step / 10, (int) step % 10, step),
                attempt,
                "h",
                List.of(SafeTensors.f32("x", new long[] {3}, new float[] {step, 1, 2})),
                t,
                Map.of("engine", "test"));
    }

    private static TrainerState trainer(long step) {
        return new TrainerState(
                (int) step / 10,
                (int) step % 10,
                step,
                0,
                0,
                0,
                0,
                "h",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    @Test
    void savedCheckpointIsValidAndLatest() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        Path d = save(s, 12, 0);
        assertThat(d.getFileName().toString()).isEqualTo("ckpt-e1-s12");
        assertThat(s.latestValid())
                .get()
                .extracting(c -> c.manifest().globalStep())
                .isEqualTo(12L);
        assertThat(Files.list(root).map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp"));
    }

    @Test
    void aStagedCheckpointDoesNotExistUntilCommittedAndCommitHashesWhatWasWritten() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        save(s, 10, 0);
        List<SafeTensors.Entry> tensors = List.of(SafeTensors.f32("x", new long[] {3}, new float[] {20, 1, 2}));
        CheckpointStore.Staged staged =
                s.stage(new TrainingPosition(2, 0, 20), 0, "h", tensors, trainer(20), Map.of("engine", "test"), false);
        assertThat(staged.stateSha256()).isNull();
        // what a process killed between stage and commit leaves behind: resume ignores it
        assertThat(s.latestValid())
                .get()
                .extracting(c -> c.manifest().globalStep())
                .isEqualTo(10L);
        Path committed = s.commit(staged);
        assertThat(s.latestValid())
                .get()
                .extracting(c -> c.manifest().globalStep())
                .isEqualTo(20L);
        assertThat(s.validate(committed)
                        .orElseThrow()
                        .manifest()
                        .files()
                        .get(CheckpointStore.STATE)
                        .sha256())
                .isEqualTo(CheckpointStore.sha256(committed.resolve(CheckpointStore.STATE)))
                .hasSize(64);
        // the same bytes hashed while writing give the same digest as hashing them back from disk
        Path viaSave = save(s, 30, 0);
        String whileWriting = s.validate(viaSave)
                .orElseThrow()
                .manifest()
                .files()
                .get(CheckpointStore.STATE)
                .sha256();
        assertThat(whileWriting).isEqualTo(CheckpointStore.sha256(viaSave.resolve(CheckpointStore.STATE)));
    }

    @Test
    void aFlippedByteMakesTheCheckpointInvisibleAndResumeFallsBack() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        save(s, 10, 0);
        Path newer = save(s, 20, 0);
        try (RandomAccessFile f =
                new RandomAccessFile(newer.resolve(CheckpointStore.STATE).toFile(), "rw")) {
            f.seek(f.length() - 2);
            int b = f.read();
            f.seek(f.length() - 2);
            f.write(b ^ 0xFF);
        }
        assertThat(s.validate(newer)).isEmpty();
        assertThat(s.latestValid())
                .get()
                .extracting(c -> c.manifest().globalStep())
                .isEqualTo(10L);
    }

    @Test
    void aDirectoryWithoutManifestDoesNotExist() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        save(s, 10, 0);
        // what a process killed between rename and... cannot produce, but a copy tool can: no manifest
        Path torn = Files.createDirectories(root.resolve("ckpt-e9-s99"));
        Files.write(torn.resolve(CheckpointStore.STATE), new byte[] {1, 2, 3});
        Files.writeString(root.resolve(CheckpointStore.LATEST), "{\"checkpoint\":\"ckpt-e9-s99\",\"attempt\":0}");
        assertThat(s.latestValid())
                .get()
                .extracting(c -> c.manifest().globalStep())
                .isEqualTo(10L);
    }

    @Test
    void damagedLatestFallsBackToNewestValid() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        save(s, 10, 0);
        save(s, 30, 0);
        Files.writeString(root.resolve(CheckpointStore.LATEST), "{garbage");
        assertThat(s.latestValid())
                .get()
                .extracting(c -> c.manifest().globalStep())
                .isEqualTo(30L);
    }

    @Test
    void anOlderAttemptNeverMovesLatestBackwards() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        save(s, 40, 3);
        save(s, 50, 2); // a zombie writer of attempt 2
        assertThat(json.readTree(root.resolve(CheckpointStore.LATEST).toFile())
                        .get("checkpoint")
                        .asText())
                .isEqualTo("ckpt-e4-s40");
    }

    @Test
    void pruneKeepsTheNewestAndRemovesLeftovers() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        for (long step = 10; step <= 50; step += 10) save(s, step, 0);
        Files.createDirectories(root.resolve(".tmp-ckpt-e9-s90-a0-1"));
        s.prune(2);
        assertThat(s.candidates())
                .extracting(p -> p.getFileName().toString())
                .containsExactly("ckpt-e5-s50", "ckpt-e4-s40");
        assertThat(Files.exists(root.resolve(".tmp-ckpt-e9-s90-a0-1"))).isFalse();
    }

    @Test
    void pinnedEpochsOutliveKeepLastUntilThePinFileReleasesThem() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        Path pins = root.resolveSibling(root.getFileName() + "-pins.json");
        for (long step = 10; step <= 30; step += 10) save(s, step, 0);
        Files.writeString(pins, "{\"epochs\": [2, 9]}"); // epoch 2 awaits an evaluation; 9 is not written yet
        s.prune(1, CheckpointPins.read(pins));
        assertThat(s.candidates())
                .extracting(p -> p.getFileName().toString())
                .containsExactly("ckpt-e3-s30", "ckpt-e2-s20");
        save(s, 40, 0);
        save(s, 50, 0);
        s.prune(1, CheckpointPins.read(pins));
        assertThat(s.candidates())
                .extracting(p -> p.getFileName().toString())
                .as("a pinned checkpoint takes no keepLast place")
                .containsExactly("ckpt-e5-s50", "ckpt-e2-s20");
        Files.writeString(pins, "{\"epochs\": []}"); // the evaluation has read it
        s.prune(1, CheckpointPins.read(pins));
        assertThat(s.candidates()).extracting(p -> p.getFileName().toString()).containsExactly("ckpt-e5-s50");
    }

    @Test
    void aMissingOrUnreadablePinFilePinsNothing() throws IOException {
        Path pins = root.resolve("pins.json");
        assertThat(CheckpointPins.read(null)).isEmpty();
        assertThat(CheckpointPins.read(pins)).isEmpty();
        Files.writeString(pins, "{not json");
        assertThat(CheckpointPins.read(pins)).isEmpty();
        Files.writeString(pins, "{\"epochs\": [50, \"x\", 100]}");
        assertThat(CheckpointPins.read(pins)).containsExactly(50, 100);
    }

    @Test
    void theFirstCheckpointOfAnEpochIsFoundNeverANewerOne() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        save(s, 20, 0); // epoch 2, its first checkpoint
        save(s, 25, 0); // epoch 2 again (a minutes checkpoint mid epoch 3)
        save(s, 30, 0);
        assertThat(s.firstOfEpoch(2))
                .get()
                .extracting(c -> c.manifest().globalStep())
                .isEqualTo(20L);
        assertThat(s.firstOfEpoch(3))
                .get()
                .extracting(c -> c.manifest().globalStep())
                .isEqualTo(30L);
        assertThat(s.firstOfEpoch(4)).isEmpty();
        try (RandomAccessFile f = new RandomAccessFile(
                root.resolve("ckpt-e2-s20").resolve(CheckpointStore.STATE).toFile(), "rw")) {
            f.seek(f.length() - 2);
            f.write(0x55 ^ f.read());
        }
        assertThat(s.firstOfEpoch(2))
                .as("an invalid one is skipped")
                .get()
                .extracting(c -> c.manifest().globalStep())
                .isEqualTo(25L);
    }

    @Test
    void resavingAStepOfAnEarlierAttemptKeepsTheValidCopy() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        Path first = save(s, 10, 0);
        String sha = CheckpointStore.sha256(first.resolve(CheckpointStore.MANIFEST));
        save(s, 10, 1);
        assertThat(CheckpointStore.sha256(first.resolve(CheckpointStore.MANIFEST)))
                .isEqualTo(sha);
        assertThat(json.readTree(root.resolve(CheckpointStore.LATEST).toFile())
                        .get("attempt")
                        .asInt())
                .isEqualTo(1);
    }

    /**
     * Issue 18: a checkpoint whose manifest hashes match but whose state does not parse (resealed after
     * tampering, or written by a broken tool) was trusted and resume died with exit 74. It is now as
     * invalid as one that fails its hash: resume falls back to the previous valid one.
     */
    @Test
    void aResealedCheckpointThatDoesNotParseFallsBackToThePreviousOne() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        save(s, 10, 0);
        for (String lie : new String[] {"headerLength", "offsets"}) {
            Path newer = save(s, 20, 0);
            Path state = newer.resolve(CheckpointStore.STATE);
            byte[] bytes = Files.readAllBytes(state);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (lie.equals("headerLength")) {
                b.putLong(0, 1L << 62);
                Files.write(state, bytes);
            } else {
                int len = (int) b.getLong(0);
                String header = new String(bytes, 8, len, java.nio.charset.StandardCharsets.US_ASCII);
                assertThat(header).contains("[0,12]");
                byte[] forged =
                        header.replace("[0,12]", "[0,99999]").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(8 + forged.length + bytes.length - 8 - len)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                out.putLong(forged.length).put(forged).put(bytes, 8 + len, bytes.length - 8 - len);
                Files.write(state, out.array());
            }
            reseal(newer);
            assertThat(s.validate(newer)).as(lie).isEmpty();
            assertThat(s.latestValid())
                    .as(lie)
                    .get()
                    .extracting(c -> c.manifest().globalStep())
                    .isEqualTo(10L);
            deleteTree(newer);
        }
    }

    /** A manifest naming files outside its directory is not a checkpoint. */
    @Test
    void aManifestNamingOtherFilesIsInvalid() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        Path d = save(s, 10, 0);
        ObjectNode m =
                (ObjectNode) json.readTree(d.resolve(CheckpointStore.MANIFEST).toFile());
        ((ObjectNode) m.get("files"))
                .putObject("../../etc/hostname")
                .put("size", 1)
                .put("sha256", "00");
        Files.write(d.resolve(CheckpointStore.MANIFEST), json.writeValueAsBytes(m));
        assertThat(s.validate(d)).isEmpty();
    }

    /** Issue 18: stale temporaries were kept when their name ended in the current pid (always 1 in a container). */
    @Test
    void startUpCleanupRemovesEveryStaleTemporaryWhateverItsPid() throws IOException {
        CheckpointStore s = new CheckpointStore(root);
        save(s, 10, 0);
        long pid = ProcessHandle.current().pid();
        Path mine = Files.createDirectories(root.resolve(".tmp-ckpt-e2-s20-a0-" + pid));
        Files.write(mine.resolve(CheckpointStore.STATE), new byte[1 << 20]);
        Path latestTmp = Files.writeString(root.resolve("LATEST.tmp-" + pid), "{");
        Path probe = Files.write(root.resolve(StoragePreflight.PROBE_PREFIX + "1"), new byte[16]);
        s.prune(3);
        assertThat(mine).as("what prune keeps (it may be in flight)").exists();
        assertThat(StaleFiles.remove(root)).isEqualTo((1 << 20) + 1 + 16);
        assertThat(mine).doesNotExist();
        assertThat(latestTmp).doesNotExist();
        assertThat(probe).doesNotExist();
        assertThat(s.latestValid())
                .get()
                .extracting(c -> c.manifest().globalStep())
                .isEqualTo(10L);
        assertThat(root.resolve("ckpt-e1-s10")).exists();
    }

    /** Recomputes the manifest's size and hash of the state file, as a tamperer would. */
    private void reseal(Path dir) throws IOException {
        Path mf = dir.resolve(CheckpointStore.MANIFEST);
        ObjectNode m = (ObjectNode) json.readTree(mf.toFile());
        ObjectNode st = (ObjectNode) m.get("files").get(CheckpointStore.STATE);
        st.put("size", Files.size(dir.resolve(CheckpointStore.STATE)));
        st.put("sha256", CheckpointStore.sha256(dir.resolve(CheckpointStore.STATE)));
        Files.write(mf, json.writeValueAsBytes(m));
    }

    private static void deleteTree(Path p) throws IOException {
        CheckpointStore.deleteTree(p);
    }
}
