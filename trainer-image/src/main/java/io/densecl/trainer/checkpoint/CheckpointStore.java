package io.densecl.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.contract.CheckpointLayout;
import io.densecl.contract.CheckpointManifest;
import io.densecl.contract.ContractJson;
import io.densecl.contract.TrainerState;
import io.densecl.trainer.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkpoint directory of one run. Writes are crash-safe: files go into a temporary directory,
 * are fsynced, {@code MANIFEST.json} is written last, the directory is renamed into place, then
 * {@code LATEST} is replaced atomically. Reads trust only manifests whose files match size and SHA-256.
 */
public final class CheckpointStore {
    public static final String MANIFEST = CheckpointLayout.MANIFEST;
    public static final String STATE = CheckpointLayout.STATE;
    public static final String TRAINER = CheckpointLayout.TRAINER;
    public static final String LATEST = CheckpointLayout.LATEST;
    private static final Pattern NAME = Pattern.compile(CheckpointLayout.DIR_PATTERN);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root;

    /** A checkpoint found valid on disk. */
    public record Checkpoint(Path dir, CheckpointManifest manifest, TrainerState trainer) {
        public TrainingPosition position() {
            return new TrainingPosition(manifest.epoch(), manifest.stepInEpoch(), manifest.globalStep());
        }

        public SafeTensors.File state() throws IOException {
            return SafeTensors.read(dir.resolve(STATE));
        }
    }

    public CheckpointStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public static String dirName(TrainingPosition p) {
        return CheckpointLayout.dirName(p.epoch(), p.globalStep());
    }

    /**
     * Writes one checkpoint and moves {@code LATEST} to it unless a newer attempt already owns
     * {@code LATEST}. Returns the final directory. Same as {@link #commit} of {@link #stage} with the
     * state hashed by a second thread while it is written.
     */
    public Path save(
            TrainingPosition pos,
            int attempt,
            String configHash,
            List<SafeTensors.Entry> tensors,
            TrainerState trainer,
            Map<String, String> engine)
            throws IOException {
        return commit(stage(pos, attempt, configHash, tensors, trainer, engine, true));
    }

    /**
     * A checkpoint whose data files are written and fsynced in a temporary directory but which does not
     * exist yet: no manifest. {@code stateSha256} is null when it is still to be computed.
     */
    public record Staged(
            Path tmp,
            TrainingPosition pos,
            int attempt,
            String configHash,
            Map<String, String> engine,
            String stateSha256) {}

    /**
     * The part of a save that needs the tensors: writes {@code state.safetensors} and {@code trainer.json}
     * into a temporary directory and fsyncs them. Without {@code hashWhileWriting} nothing is hashed
     * yet, so the caller may go on changing the tensors as soon as this returns and leave the
     * read-back hash, the manifest and the rename to {@link #commit} on another thread.
     */
    public Staged stage(
            TrainingPosition pos,
            int attempt,
            String configHash,
            List<SafeTensors.Entry> tensors,
            TrainerState trainer,
            Map<String, String> engine,
            boolean hashWhileWriting)
            throws IOException {
        Files.createDirectories(root);
        Path tmp = root.resolve(".tmp-" + dirName(pos) + "-a" + attempt + "-"
                + ProcessHandle.current().pid());
        deleteTree(tmp);
        try {
            Files.createDirectories(tmp);
            Map<String, String> meta = Map.of("format", "densecl-checkpoint-v1");
            String stateHash = null;
            if (hashWhileWriting) {
                stateHash = SafeTensors.writeHashed(tmp.resolve(STATE), meta, tensors);
            } else {
                SafeTensors.write(tmp.resolve(STATE), meta, tensors);
            }
            writeSynced(tmp.resolve(TRAINER), ContractJson.prettyBytes(trainer));
            return new Staged(tmp, pos, attempt, configHash, engine, stateHash);
        } catch (IOException e) {
            discard(tmp, e); // a partial state must not keep the space that made the write fail
            throw StorageException.of(tmp, "cannot write checkpoint", e);
        } catch (RuntimeException e) {
            discard(tmp, e);
            throw e;
        }
    }

    /**
     * Makes a staged checkpoint exist: hashes what is not hashed yet (reading the files back), writes
     * the manifest last, fsyncs, renames the directory into place and moves {@code LATEST}.
     */
    public Path commit(Staged st) throws IOException {
        Path tmp = st.tmp();
        TrainingPosition pos = st.pos();
        Path dest = root.resolve(dirName(pos));
        try {
            String stateHash = st.stateSha256() != null ? st.stateSha256() : sha256(tmp.resolve(STATE));
            Map<String, CheckpointManifest.FileEntry> files = new LinkedHashMap<>();
            files.put(STATE, new CheckpointManifest.FileEntry(Files.size(tmp.resolve(STATE)), stateHash));
            files.put(
                    TRAINER,
                    new CheckpointManifest.FileEntry(Files.size(tmp.resolve(TRAINER)), sha256(tmp.resolve(TRAINER))));
            CheckpointManifest manifest = new CheckpointManifest(
                    CheckpointManifest.FORMAT_VERSION,
                    files,
                    pos.epoch(),
                    pos.stepInEpoch(),
                    pos.globalStep(),
                    st.attempt(),
                    st.configHash(),
                    st.engine(),
                    Instant.now().toString());
            writeSynced(
                    tmp.resolve(MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            fsyncDir(tmp);
            if (Files.exists(dest)) {
                // the same step saved by an earlier attempt: the state is identical (deterministic) if it is valid
                if (validate(dest).isPresent()) {
                    deleteTree(tmp);
                    moveLatest(dest, st.attempt());
                    return dest;
                }
                deleteTree(dest);
            }
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            discard(tmp, e);
            throw StorageException.of(tmp, "cannot commit checkpoint", e);
        } catch (RuntimeException e) {
            discard(tmp, e);
            throw e;
        }
        fsyncDir(root);
        moveLatest(dest, st.attempt());
        return dest;
    }

    /** Deletes a temporary directory after a failed write; a failure to delete is added to {@code cause}. */
    private static void discard(Path tmp, Exception cause) {
        try {
            deleteTree(tmp);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** Points LATEST at {@code dest}, never on behalf of an attempt older than the one recorded there. */
    private void moveLatest(Path dest, int attempt) throws IOException {
        Path latest = root.resolve(LATEST);
        if (Files.exists(latest)) {
            try {
                JsonNode cur = JSON.readTree(latest.toFile());
                if (cur.path("attempt").asInt(-1) > attempt) {
                    System.err.println("WARN not moving LATEST: attempt "
                            + cur.path("attempt").asInt() + " > " + attempt);
                    return;
                }
            } catch (IOException damaged) {
                // a damaged LATEST is replaced
            }
        }
        ObjectNode l = JSON.createObjectNode();
        l.put("checkpoint", dest.getFileName().toString());
        l.put("attempt", attempt);
        Path tmp = root.resolve(LATEST + ".tmp-" + ProcessHandle.current().pid());
        writeSynced(tmp, JSON.writeValueAsBytes(l));
        try {
            Files.move(tmp, latest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, latest, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDir(root);
    }

    /** The checkpoint LATEST names if it is valid, otherwise the newest valid one (by global step). */
    public Optional<Checkpoint> latestValid() {
        return latestValid(c -> true);
    }

    /**
     * As {@link #latestValid()}, skipping checkpoints {@code usable} refuses (a state that does not fit
     * the model or is not finite): the next older valid one is tried, as for a checkpoint that fails its hash.
     */
    public Optional<Checkpoint> latestValid(Predicate<Checkpoint> usable) {
        Path latest = root.resolve(LATEST);
        String tried = null;
        if (Files.exists(latest)) {
            try {
                String name = JSON.readTree(latest.toFile()).path("checkpoint").asText("");
                if (NAME.matcher(name).matches()) {
                    tried = name;
                    Optional<Checkpoint> c = validate(root.resolve(name)).filter(usable);
                    if (c.isPresent()) {
                        return c;
                    }
                }
                System.err.println("WARN LATEST names no usable checkpoint; scanning " + root);
            } catch (IOException e) {
                System.err.println("WARN LATEST is damaged (" + e.getMessage() + "); scanning " + root);
            }
        }
        for (Path dir : candidates()) {
            if (dir.getFileName().toString().equals(tried)) {
                continue;
            }
            Optional<Checkpoint> c = validate(dir).filter(usable);
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    /** Checkpoint directories, newest (highest global step) first. */
    public List<Path> candidates() {
        List<Path> dirs = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return dirs;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "ckpt-e*-s*")) {
            for (Path p : ds) {
                if (NAME.matcher(p.getFileName().toString()).matches()) {
                    dirs.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dirs.sort(Comparator.comparingLong(CheckpointStore::stepOf).reversed());
        return dirs;
    }

    private static long stepOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(2)) : -1;
    }

    /**
     * The first valid checkpoint of {@code epoch} completed epochs (the lowest global step: the one written at the
     * epoch's end when the epoch cadence wrote one), as a periodic evaluation of that epoch reads it.
     */
    public Optional<Checkpoint> firstOfEpoch(int epoch) {
        List<Path> dirs = new ArrayList<>(candidates());
        java.util.Collections.reverse(dirs); // oldest first
        for (Path dir : dirs) {
            Matcher m = NAME.matcher(dir.getFileName().toString());
            if (m.matches() && m.group(1).equals(Integer.toString(epoch))) {
                Optional<Checkpoint> c = validate(dir).filter(v -> v.manifest().epoch() == epoch);
                if (c.isPresent()) {
                    return c;
                }
            }
        }
        return Optional.empty();
    }

    /** The checkpoint in {@code dir} if its manifest parses and every file matches size and SHA-256. */
    public Optional<Checkpoint> validate(Path dir) {
        return validate(dir, true);
    }

    /**
     * As {@link #validate(Path)}; without {@code verifyHashes} only the manifest and the file sizes are
     * checked (retention decisions: re-hashing every kept checkpoint at every save would cost more than
     * writing one). Resume always verifies hashes.
     */
    Optional<Checkpoint> validate(Path dir, boolean verifyHashes) {
        try {
            Path mf = dir.resolve(MANIFEST);
            if (!Files.isRegularFile(mf)) {
                return Optional.empty();
            }
            CheckpointManifest m = ContractJson.read(mf, CheckpointManifest.class);
            if (m == null
                    || m.files() == null
                    || !m.files().containsKey(STATE)
                    || !m.files().containsKey(TRAINER)
                    || m.files().keySet().stream()
                            .anyMatch(name -> !name.matches("[A-Za-z0-9_.-]+") || name.startsWith(".."))) {
                return Optional.empty();
            }
            for (Map.Entry<String, CheckpointManifest.FileEntry> f : m.files().entrySet()) {
                Path p = dir.resolve(f.getKey());
                if (!Files.isRegularFile(p)
                        || Files.size(p) != f.getValue().size()
                        || (verifyHashes && !sha256(p).equals(f.getValue().sha256()))) {
                    System.err.println("WARN checkpoint " + dir.getFileName() + ": " + f.getKey()
                            + " does not match its manifest");
                    return Optional.empty();
                }
            }
            SafeTensors.header(dir.resolve(STATE)); // one that fails to parse is as invalid as one that fails its hash
            TrainerState trainer = ContractJson.read(dir.resolve(TRAINER), TrainerState.class);
            if (trainer == null) {
                System.err.println("WARN checkpoint " + dir.getFileName() + ": " + TRAINER + " is not a JSON object");
                return Optional.empty();
            }
            return Optional.of(new Checkpoint(dir, m, trainer));
        } catch (IOException | RuntimeException e) {
            System.err.println("WARN checkpoint " + dir.getFileName() + " is not valid: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Keeps the newest {@code keepLast} valid checkpoints and whatever LATEST names; removes older ones,
     * invalid ones and leftovers of interrupted writes (temporary directories of other processes).
     */
    public void prune(int keepLast) throws IOException {
        prune(keepLast, Set.of());
    }

    /**
     * As {@link #prune(int)}, also keeping every valid checkpoint of a {@code pinned} epoch (an evaluation has yet
     * to read it; {@link CheckpointPins}); pinned checkpoints do not take a keepLast place.
     */
    public void prune(int keepLast, Set<Integer> pinned) throws IOException {
        String latestName = "";
        try {
            latestName = JSON.readTree(root.resolve(LATEST).toFile())
                    .path("checkpoint")
                    .asText("");
        } catch (IOException ignored) {
            // no LATEST yet
        }
        int kept = 0;
        for (Path dir : candidates()) {
            Optional<Checkpoint> checkpoint = validate(dir, false);
            boolean valid = checkpoint.isPresent();
            if (valid && pinned.contains(checkpoint.get().manifest().epoch())) {
                continue;
            }
            boolean isLatest = dir.getFileName().toString().equals(latestName);
            if (valid && (kept < keepLast || isLatest)) {
                kept++;
                continue;
            }
            if (valid || kept > 0) { // never delete anything while no valid checkpoint is kept
                deleteTree(dir);
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, ".tmp-*")) {
            for (Path p : ds) {
                if (!p.getFileName()
                        .toString()
                        .endsWith("-" + ProcessHandle.current().pid())) {
                    deleteTree(p);
                }
            }
        }
    }

    static String sha256(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            // plain reads, no mapping: a mapping would pin the pages of a checkpoint that prune deletes next
            ByteBuffer buf =
                    ByteBuffer.allocateDirect((int) Math.max(1, Math.min(8 << 20, ch.size()))); // trainer.json is small
            while (ch.read(buf.clear()) > 0) {
                md.update(buf.flip());
            }
            return SafeTensors.hex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void writeSynced(Path p, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(
                p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
    }

    static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some filesystems refuse to open directories; the rename is still ordered after the file fsyncs
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
