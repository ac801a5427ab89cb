package io.densecl.operator.state;

import io.densecl.contract.Progress;
import io.densecl.contract.Recipe;
import io.densecl.contract.RunConfig;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.ResumeSourceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything decide() looks at, gathered once per reconcile: the spec, the last written status, the run.json
 * it renders to, the pods of the current attempt and of evaluations, and a fresh progress poll if one was due.
 *
 * @param runConfig the spec rendered for the trainer (resume source resolved), what EnsureSupporting writes; null
 *        when the spec breaks one of the operator's own rules
 * @param invalid a problem with the spec (the operator's rules or the trainer's), or null
 * @param attemptPod the pod named in status.attempt.pod, or null when it does not exist
 * @param progress a fresh /progress answer, or null when not polled or unreachable
 * @param pollRetryAfter when a poll was due but every poll slot was busy: how soon to try again; otherwise null
 * @param foreignTrainers live trainer pods labelled with this run's name that this run object did not create (a
 *     deleted run's with the same name, an orphan): they may still write to the same checkpoint directory
 * @param progressUnreachable a progress poll was made and got no answer (NetworkPolicy, mesh mTLS, port not bound,
 *     or a hung trainer): no evidence either way about progress
 * @param resumeSource resume.fromRun / fromPath as pinned in status, else as resolved now; null when none
 * @param changesAtNextAttempt spec fields whose current value the live attempt's pod does not have (image,
 *     resources): a pod cannot change them, the next attempt gets them
 * @param checkpointSharing where an evaluation may mount the checkpoint claim while the trainer has it (its access
 *     modes; the claim the operator creates is ReadWriteOnce)
 */
public record Observed(
        Instant now,
        String runName,
        DenseCLRunSpec spec,
        DenseCLRunStatus status,
        RunConfig runConfig,
        SpecProblem invalid,
        PodView attemptPod,
        Map<String, PodView> evaluationPods,
        Progress progress,
        Duration pollRetryAfter,
        List<String> foreignTrainers,
        boolean progressUnreachable,
        ResumeSourceStatus resumeSource,
        List<String> changesAtNextAttempt,
        CheckpointSharing checkpointSharing) {

    public Observed {
        foreignTrainers = foreignTrainers == null ? List.of() : List.copyOf(foreignTrainers);
        changesAtNextAttempt = changesAtNextAttempt == null ? List.of() : List.copyOf(changesAtNextAttempt);
        checkpointSharing = checkpointSharing == null ? CheckpointSharing.TRAINER_NODE : checkpointSharing;
    }

    /** With every poll answered (or not due) and the checkpoint claim the operator creates (ReadWriteOnce). */
    public Observed(
            Instant now,
            String runName,
            DenseCLRunSpec spec,
            DenseCLRunStatus status,
            RunConfig runConfig,
            SpecProblem invalid,
            PodView attemptPod,
            Map<String, PodView> evaluationPods,
            Progress progress,
            Duration pollRetryAfter,
            List<String> foreignTrainers) {
        this(
                now,
                runName,
                spec,
                status,
                runConfig,
                invalid,
                attemptPod,
                evaluationPods,
                progress,
                pollRetryAfter,
                foreignTrainers,
                false,
                null,
                List.of(),
                CheckpointSharing.TRAINER_NODE);
    }

    /** Without a resume source. */
    public Observed(
            Instant now,
            String runName,
            DenseCLRunSpec spec,
            DenseCLRunStatus status,
            RunConfig runConfig,
            SpecProblem invalid,
            PodView attemptPod,
            Map<String, PodView> evaluationPods,
            Progress progress,
            Duration pollRetryAfter,
            List<String> foreignTrainers,
            boolean progressUnreachable) {
        this(
                now,
                runName,
                spec,
                status,
                runConfig,
                invalid,
                attemptPod,
                evaluationPods,
                progress,
                pollRetryAfter,
                foreignTrainers,
                progressUnreachable,
                null,
                List.of(),
                CheckpointSharing.TRAINER_NODE);
    }

    /** Where a second pod may mount the checkpoint claim while the trainer has it (its access modes). */
    public enum CheckpointSharing {
        /** ReadWriteMany: on any node. */
        ANY_NODE,
        /** ReadWriteOnce: only on the trainer's node. */
        TRAINER_NODE,
        /** ReadWriteOncePod, or unknown: nowhere; evaluations wait until training ends. */
        NONE
    }

    /** Without a rendered config, a deferred poll or foreign trainers: for tests of decisions that are not acted on. */
    public Observed(
            Instant now,
            String runName,
            DenseCLRunSpec spec,
            DenseCLRunStatus status,
            SpecProblem invalid,
            PodView attemptPod,
            Map<String, PodView> evaluationPods,
            Progress progress) {
        this(now, runName, spec, status, null, invalid, attemptPod, evaluationPods, progress, null, List.of());
    }

    /**
     * The epochs the trainer runs: training.epochs, else its recipe's. Read from the rendered run.json when there is
     * one (what the pod gets), else from the spec, both resolved by the contract's {@link Recipe}.
     */
    public int epochs() {
        return runConfig != null
                ? Recipe.epochs(runConfig.training)
                : Recipe.orDefault(spec.training.recipe).epochsOr(spec.training.epochs);
    }

    /** A spec problem, naming the field at fault. */
    public record SpecProblem(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }
}
