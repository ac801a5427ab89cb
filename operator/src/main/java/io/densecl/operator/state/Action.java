package io.densecl.operator.state;

import io.densecl.contract.RunConfig;

/** A side effect the state machine asks for; the reconciler performs it idempotently. */
public sealed interface Action {

    /**
     * Make sure the run's ConfigMap holds this run.json and its checkpoint claim exists; comes before any pod is
     * created, on every reconcile of a valid run that is not finished.
     */
    record EnsureSupporting(RunConfig runConfig) implements Action {
    }

    /** Create the trainer pod of attempt {@code index} (create-only, deterministic name). */
    record StartAttempt(int index) implements Action {
    }

    /** Delete a pod (graceful: the trainer checkpoints on SIGTERM). */
    record DeletePod(String pod, String reason) implements Action {
    }

    /** Create an evaluation pod for a checkpoint. */
    record StartEvaluation(String evaluation, String pod, int checkpointEpoch, String checkpointPath)
            implements Action {
    }
}
