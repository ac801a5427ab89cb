package io.densecl.operator.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.contract.Recipe;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.ResumeSpec;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Deterministic names, labels and paths of a run's children; names are how create stays idempotent. */
public final class ChildNames {

    public static final String LABEL_RUN = "densecl.io/run";
    public static final String LABEL_ATTEMPT = "densecl.io/attempt";
    public static final String LABEL_ROLE = "densecl.io/role";
    public static final String LABEL_EVALUATION = "densecl.io/evaluation";
    public static final String LABEL_CHECKPOINT_EPOCH = "densecl.io/checkpoint-epoch";
    /** The name of the trainer container in every pod the operator creates (sidecars may be injected beside it). */
    public static final String TRAINER_CONTAINER = "trainer";

    public static final String ROLE_PRETRAIN = "pretrain";
    public static final String ROLE_EVALUATE = "evaluate";
    public static final String CONFIG_KEY = "run.json";
    /** The ConfigMap key the trainer re-reads before pruning: checkpoint epochs an evaluation has yet to read. */
    public static final String PINS_KEY = "pins.json";

    public static final String CHECKPOINT_ROOT = "/checkpoints";
    /** On an evaluation pod bound by node affinity to the trainer's node (a shared ReadWriteOnce checkpoint claim). */
    public static final String LABEL_ON_TRAINER_NODE = "densecl.io/on-trainer-node";

    private static final ObjectMapper HASH_JSON = new ObjectMapper();

    private ChildNames() {}

    public static String config(String run) {
        return run + "-config";
    }

    public static String checkpointClaim(DenseCLRun run) {
        String existing = run.getSpec().checkpoint.claimName;
        return existing != null && !existing.isBlank()
                ? existing
                : run.getMetadata().getName() + "-checkpoints";
    }

    /** The NetworkPolicy that lets the operator reach the run's trainer pods on the progress port. */
    public static String trainerPolicy(String run) {
        return run + "-trainer";
    }

    public static String attemptPod(String run, int attempt) {
        return run + "-a" + attempt;
    }

    /** After-training evaluations use {@code <run>-eval-<name>}; periodic ones add the checkpoint epoch. */
    public static String evaluationPod(String run, String evaluation, Integer epoch) {
        return run + "-eval-" + evaluation + (epoch == null ? "" : "-e" + epoch);
    }

    /**
     * The run's checkpoint directory. Once recorded in {@code status.checkpoint.dir} that value is kept (so an
     * operator upgrade never moves a running run's checkpoints); otherwise {@link #checkpointDir(String, String,
     * String, DenseCLRunSpec)}.
     */
    public static String checkpointDir(DenseCLRun run) {
        DenseCLRunStatus status = run.getStatus();
        if (status != null
                && status.checkpoint != null
                && status.checkpoint.dir != null
                && !status.checkpoint.dir.isBlank()) {
            return status.checkpoint.dir;
        }
        return checkpointDir(
                run.getMetadata().getNamespace(),
                run.getMetadata().getName(),
                run.getMetadata().getUid(),
                run.getSpec());
    }

    /**
     * {@code /checkpoints/<ns>/<run>-<trajectory hash>}: the same for every run object with this namespace, name
     * and training trajectory, so a finished run that is deleted and re-created with the same spec (a GitOps
     * re-sync) finds its final checkpoint and completes without retraining, while any change of a
     * trajectory-relevant field gives a new directory. With {@code resume.mode: Never} the suffix is the first 8
     * characters of the uid instead: every new object starts fresh.
     */
    public static String checkpointDir(String namespace, String name, String uid, DenseCLRunSpec spec) {
        String suffix;
        if (spec.resume != null && spec.resume.mode == ResumeSpec.Mode.Never) {
            suffix = uid == null ? "nouid" : uid.substring(0, Math.min(8, uid.length()));
        } else {
            suffix = trajectoryHash(spec);
        }
        return CHECKPOINT_ROOT + "/" + namespace + "/" + name + "-" + suffix;
    }

    /**
     * First 8 hex digits of the SHA-256 of the fields that decide the training trajectory, in a fixed order:
     * data (claimName, path, format), model (backbone, hid, dim), denseCL (all, bnGroupSize included), training
     * except epochs and workers (recipe, batchSize, lr as trained, i.e. the recipe's when unset, momentum,
     * weightDecay, schedule, seed, imageSize, maxStepsPerEpoch) and the start point (resume mode, fromRun,
     * fromPath). epochs may grow on the same checkpoints; workers, resources, checkpoint cadence, image and
     * evaluations do not change the trajectory (as in the trainer's config hash).
     */
    public static String trajectoryHash(DenseCLRunSpec s) {
        ObjectNode n = HASH_JSON.createObjectNode();
        n.put("data.claimName", s.data.claimName);
        n.put("data.path", dataPath(s.data.path));
        n.put("data.format", s.data.format == null ? null : s.data.format.name());
        n.put("model.backbone", s.model.backbone == null ? null : s.model.backbone.name());
        n.put("model.hid", s.model.hid);
        n.put("model.dim", s.model.dim);
        n.put("denseCL.queueSize", s.denseCL.queueSize);
        n.put("denseCL.momentum", s.denseCL.momentum);
        n.put("denseCL.temperature", s.denseCL.temperature);
        n.put("denseCL.lossLambda", s.denseCL.lossLambda);
        n.put("denseCL.lambdaWarmupIters", s.denseCL.lambdaWarmupIters);
        n.put("denseCL.bnGroupSize", s.denseCL.bnGroupSize);
        var t = s.training;
        Recipe recipe = Recipe.orDefault(t.recipe);
        n.put("training.recipe", recipe.name());
        n.put("training.batchSize", t.batchSize);
        n.put("training.lr", recipe.lrOr(t.lr));
        n.put("training.momentum", t.momentum);
        n.put("training.weightDecay", t.weightDecay);
        n.put("training.schedule", t.schedule == null ? null : t.schedule.name());
        n.put("training.seed", t.seed);
        n.put("training.imageSize", t.imageSize);
        n.put("training.maxStepsPerEpoch", t.maxStepsPerEpoch);
        ResumeSpec r = s.resume == null ? new ResumeSpec() : s.resume;
        n.put("resume.mode", r.mode == null ? null : r.mode.name());
        n.put("resume.fromRun", r.fromRun);
        n.put("resume.fromPath", r.fromPath);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(HASH_JSON.writeValueAsBytes(n));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (Exception e) {
            throw new IllegalStateException("cannot hash the run's spec", e);
        }
    }

    /** Joins /data with a claim-relative path, ignoring leading and trailing slashes. */
    public static String dataPath(String relative) {
        String p = relative == null ? "" : relative.replaceAll("^/+", "").replaceAll("/+$", "");
        return p.isEmpty() ? "/data" : "/data/" + p;
    }
}
