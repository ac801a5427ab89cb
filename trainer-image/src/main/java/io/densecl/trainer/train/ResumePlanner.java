package io.densecl.trainer.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.densecl.contract.ConfigException;
import io.densecl.contract.Progress;
import io.densecl.contract.ResumeMode;
import io.densecl.contract.RunConfig;
import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.checkpoint.StateCodec;
import io.densecl.trainer.checkpoint.TrainingPosition;
import io.densecl.trainer.config.ConfigFingerprint;
import io.densecl.trainer.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Decides where training starts and loads that state: this run's newest valid checkpoint
 * (resume mode Auto), another run's checkpoint (full resume or weights-only warm start), or scratch.
 * A checkpoint of this run whose state does not fit the model or is not finite is passed over like
 * one that fails its hash; the same fault in another run's checkpoint is a configuration error.
 */
public final class ResumePlanner {
    private ResumePlanner() {}

    /** Where the session now stands; {@code from} is null when starting from scratch. */
    public record Plan(TrainingPosition position, Progress.ResumedFrom from) {}

    public static Plan apply(RunConfig c, CheckpointStore own, TrainingSession s, String configHash)
            throws IOException {
        JsonNode fingerprint = ConfigFingerprint.of(c);
        if (c.resume.mode == ResumeMode.Auto) {
            Optional<CheckpointStore.Checkpoint> mine = own.latestValid(cp -> {
                requireSameConfig(cp, fingerprint, configHash); // a changed configuration is never skipped silently
                String why = unfit(cp, s, false);
                if (why != null) {
                    System.err.println("WARN checkpoint " + cp.dir().getFileName() + " is not usable (" + why
                            + "); trying an older one");
                }
                return why == null;
            });
            if (mine.isPresent()) {
                return restore(mine.get(), s, false);
            }
        }
        if (c.resume.fromDir != null && !c.resume.fromDir.isBlank()) {
            CheckpointStore other = new CheckpointStore(Path.of(c.resume.fromDir));
            Optional<CheckpointStore.Checkpoint> cp =
                    other.latestValid().or(() -> other.validate(Path.of(c.resume.fromDir)));
            if (cp.isEmpty()) {
                throw new ConfigException("resume.fromDir", "no valid checkpoint in '" + c.resume.fromDir + "'");
            }
            if (!c.resume.warmStart) {
                requireSameConfig(cp.get(), fingerprint, configHash);
            }
            String why = unfit(cp.get(), s, c.resume.warmStart);
            if (why != null) {
                RunConfig.Model m = cp.get().trainer().config() == null
                        ? null
                        : cp.get().trainer().config().model;
                String trained =
                        m == null ? "model unknown" : "backbone " + m.backbone + ", hid " + m.hid + ", dim " + m.dim;
                throw new ConfigException(
                        "resume.fromDir",
                        "checkpoint " + cp.get().dir() + " (" + trained + ") cannot start this run (backbone "
                                + c.model.backbone + ", hid " + c.model.hid + ", dim " + c.model.dim + "): " + why);
            }
            return restore(cp.get(), s, c.resume.warmStart);
        }
        return new Plan(TrainingPosition.START, null);
    }

    private static void requireSameConfig(CheckpointStore.Checkpoint cp, JsonNode fingerprint, String hash) {
        if (!hash.equals(cp.manifest().configHash())) {
            List<String> changes = ConfigFingerprint.diff(
                    cp.trainer().fingerprint() == null
                            ? MissingNode.getInstance()
                            : cp.trainer().fingerprint(),
                    fingerprint);
            throw new ConfigException(
                    "checkpoint",
                    "the configuration changed since checkpoint " + cp.dir().getFileName() + " ("
                            + String.join("; ", changes)
                            + "); refusing to resume. Use a new run, or warm start from it.");
        }
    }

    /** Why the checkpoint's state cannot be trained from (does not fit the model, not finite, exploded), or null. */
    private static String unfit(CheckpointStore.Checkpoint cp, TrainingSession s, boolean weightsOnly) {
        try (SafeTensors.File state = cp.state()) {
            String why = StateCodec.mismatch(state, s.model(), s.sgd(), weightsOnly);
            if (why == null && !weightsOnly) {
                why = queuePointers(cp, s.model().hyper().queueSize());
            }
            if (why == null) {
                StateGuard.checkStored(state, "checkpoint " + cp.dir().getFileName(), weightsOnly);
            }
            return why;
        } catch (TrainingDivergedException e) {
            return e.getMessage();
        } catch (IOException | RuntimeException e) {
            return "unreadable state: " + e.getMessage();
        }
    }

    private static String queuePointers(CheckpointStore.Checkpoint cp, int queueSize) {
        String why = queuePointer("queuePtr", cp.trainer().queuePtr(), queueSize);
        return why != null ? why : queuePointer("queue2Ptr", cp.trainer().queue2Ptr(), queueSize);
    }

    private static String queuePointer(String key, long p, int queueSize) {
        return p >= 0 && p < queueSize ? null : key + " " + p + " is not a position in a queue of " + queueSize;
    }

    private static Plan restore(CheckpointStore.Checkpoint cp, TrainingSession s, boolean warm) throws IOException {
        try (SafeTensors.File state = cp.state()) {
            StateCodec.decode(state, s.model(), s.sgd(), warm);
        }
        TrainingPosition pos = warm ? TrainingPosition.START : cp.position();
        if (!warm) {
            s.model().setQueuePointers(cp.trainer().queuePtr(), cp.trainer().queue2Ptr());
        }
        s.syncReplicas(); // one state, whatever the number of devices it was saved from or is resumed on
        System.err.printf(
                "INFO %s from %s (epoch %d, step %d)%n",
                warm ? "warm start" : "resuming",
                cp.dir(),
                cp.position().epoch(),
                cp.position().globalStep());
        return new Plan(
                pos,
                new Progress.ResumedFrom(
                        cp.position().epoch(),
                        cp.position().globalStep(),
                        cp.dir().toString()));
    }
}
