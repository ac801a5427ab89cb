package io.densecl.operator.state;

import io.densecl.contract.RunConfig;

/** A side effect the state machine asks for; the reconciler performs it idempotently. */
public sealed interface Action {

    /**
     * Make sure the run's ConfigMap holds this run.json and its checkpoint claim exists; comes before any pod is
     * created, on every reconcile of a valid run that is not finished.
     */
    record EnsureSupporting(RunConfig runConfig) implements Action {}

    /** Create the trainer pod of attempt {@code index} (create-only, deterministic name). */
    record StartAttempt(int index) implements Action {}

    /** Delete a pod (graceful: the trainer checkpoints on SIGTERM). */
    record DeletePod(String pod, String reason) implements Action {}

    /**
     * Create an evaluation pod for a checkpoint: {@code checkpointPath}, or with {@code byEpoch} the first checkpoint
     * of {@code checkpointEpoch} in the run's directory; {@code node}: run on this node (the trainer's, whose
     * ReadWriteOnce checkpoint claim it shares), or null for anywhere.
     */
    record StartEvaluation(
            String evaluation, String pod, int checkpointEpoch, String checkpointPath, boolean byEpoch, String node)
            implements Action {

        public StartEvaluation(String evaluation, String pod, int checkpointEpoch, String checkpointPath) {
            this(evaluation, pod, checkpointEpoch, checkpointPath, false, null);
        }
    }

    /** Keep these checkpoint epochs from keepLast pruning (the ConfigMap's pins.json, which the trainer re-reads). */
    record PinCheckpoints(java.util.List<Integer> epochs) implements Action {}
}
