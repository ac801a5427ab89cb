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
 */
public final class ResumePlanner {
    private ResumePlanner() {}

    /** Where the session now stands; {@code from} is null when starting from scratch. */
    public record Plan(TrainingPosition position, Progress.ResumedFrom from) {}

    public static Plan apply(RunConfig c, CheckpointStore own, TrainingSession s, String configHash) throws IOException {
        JsonNode fingerprint = ConfigFingerprint.of(c);
        if (c.resume.mode == ResumeMode.Auto) {
            Optional<CheckpointStore.Checkpoint> mine = own.latestValid();
            if (mine.isPresent()) {
                return restore(mine.get(), s, fingerprint, configHash, false);
            }
        }
        if (c.resume.fromDir != null && !c.resume.fromDir.isBlank()) {
            CheckpointStore other = new CheckpointStore(Path.of(c.resume.fromDir));
            Optional<CheckpointStore.Checkpoint> cp = other.latestValid().or(() -> other.validate(Path.of(c.resume.fromDir)));
            if (cp.isEmpty()) {
                throw new ConfigException("resume.fromDir", "no valid checkpoint in '" + c.resume.fromDir + "'");
            }
            return restore(cp.get(), s, fingerprint, configHash, c.resume.warmStart);
        }
        return new Plan(TrainingPosition.START, null);
    }

    private static Plan restore(CheckpointStore.Checkpoint cp, TrainingSession s, JsonNode fingerprint, String hash, boolean warm)
            throws IOException {
        if (!warm && !hash.equals(cp.manifest().configHash())) {
            List<String> changes = ConfigFingerprint.diff(
                    cp.trainer().fingerprint() == null ? MissingNode.getInstance() : cp.trainer().fingerprint(), fingerprint);
            throw new ConfigException("checkpoint", "the configuration changed since checkpoint " + cp.dir().getFileName()
                    + " (" + String.join("; ", changes) + "); refusing to resume. Use a new run, or warm start from it.");
        }
        try (SafeTensors.File state = cp.state()) {
            StateCodec.decode(state, s.model(), s.sgd(), warm);
        }
        TrainingPosition pos = warm ? TrainingPosition.START : cp.position();
        if (!warm) {
            s.model().setQueuePointers(cp.trainer().queuePtr(), cp.trainer().queue2Ptr());
        }
        System.err.printf("INFO %s from %s (epoch %d, step %d)%n", warm ? "warm start" : "resuming",
                cp.dir(), cp.position().epoch(), cp.position().globalStep());
        return new Plan(pos, new Progress.ResumedFrom(cp.position().epoch(), cp.position().globalStep(), cp.dir().toString()));
    }
}
