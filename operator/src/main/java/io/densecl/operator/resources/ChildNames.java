package io.densecl.operator.resources;

import io.densecl.operator.api.v1alpha1.DenseCLRun;

/** Deterministic names, labels and paths of a run's children; names are how create stays idempotent. */
public final class ChildNames {

    public static final String LABEL_RUN = "densecl.io/run";
    public static final String LABEL_ATTEMPT = "densecl.io/attempt";
    public static final String LABEL_ROLE = "densecl.io/role";
    public static final String LABEL_EVALUATION = "densecl.io/evaluation";
    public static final String LABEL_CHECKPOINT_EPOCH = "densecl.io/checkpoint-epoch";
    public static final String ROLE_PRETRAIN = "pretrain";
    public static final String ROLE_EVALUATE = "evaluate";
    public static final String CONFIG_KEY = "run.json";
    public static final String CHECKPOINT_ROOT = "/checkpoints";

    private ChildNames() {
    }

    public static String config(String run) {
        return run + "-config";
    }

    public static String checkpointClaim(DenseCLRun run) {
        String existing = run.getSpec().checkpoint.claimName;
        return existing != null && !existing.isBlank() ? existing : run.getMetadata().getName() + "-checkpoints";
    }

    public static String attemptPod(String run, int attempt) {
        return run + "-a" + attempt;
    }

    /** After-training evaluations use {@code <run>-eval-<name>}; periodic ones add the checkpoint epoch. */
    public static String evaluationPod(String run, String evaluation, Integer epoch) {
        return run + "-eval-" + evaluation + (epoch == null ? "" : "-e" + epoch);
    }

    /** {@code /checkpoints/<ns>/<run>-<first 8 chars of uid>}: unique even if a run is deleted and re-created. */
    public static String checkpointDir(DenseCLRun run) {
        return checkpointDir(run.getMetadata().getNamespace(), run.getMetadata().getName(), run.getMetadata().getUid());
    }

    public static String checkpointDir(String namespace, String name, String uid) {
        String prefix = uid == null ? "nouid" : uid.substring(0, Math.min(8, uid.length()));
        return CHECKPOINT_ROOT + "/" + namespace + "/" + name + "-" + prefix;
    }

    /** Joins /data with a claim-relative path, ignoring leading and trailing slashes. */
    public static String dataPath(String relative) {
        String p = relative == null ? "" : relative.replaceAll("^/+", "").replaceAll("/+$", "");
        return p.isEmpty() ? "/data" : "/data/" + p;
    }
}
