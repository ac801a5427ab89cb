package io.densecl.operator.reconciler;

import io.densecl.contract.RunConfig;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.api.v1alpha1.ResumeSourceStatus;
import io.densecl.operator.resources.ChildNames;
import io.densecl.operator.resources.OperatorSettings;
import io.densecl.operator.resources.PodFactory;
import io.densecl.operator.resources.RunConfigRenderer;
import io.densecl.operator.state.Observed;
import io.densecl.operator.state.Observed.CheckpointSharing;
import io.densecl.operator.state.Observed.SpecProblem;
import io.densecl.operator.state.PodView;
import io.densecl.operator.state.RunStateMachine;
import io.densecl.operator.trainer.ProgressPoller;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The observe step: turns the run, its pods (from the informer cache) and a progress poll into an Observed, with
 * the spec rendered into run.json (resume source resolved) and validated the way the trainer will.
 */
public class RunObserver {

    private final ProgressPoller poller;
    private final ClusterLookup lookup;
    private final ResumeSources resumeSources;
    private final OperatorSettings settings;
    private final Clock clock;
    /** Run uid/generation -> how its existing checkpoint claim may be shared (one look-up per generation). */
    private final Map<String, CheckpointSharing> sharing = new java.util.concurrent.ConcurrentHashMap<>();

    private final PodFactory podFactory;

    public RunObserver(
            ProgressPoller poller,
            ClusterLookup lookup,
            ResumeSources resumeSources,
            OperatorSettings settings,
            Clock clock) {
        this.podFactory = new PodFactory(settings);
        this.poller = poller;
        this.lookup = lookup;
        this.resumeSources = resumeSources;
        this.settings = settings;
        this.clock = clock;
    }

    public Observed observe(DenseCLRun run, Collection<Pod> pods) {
        DenseCLRunStatus status = run.getStatus();
        SpecProblem invalid = SpecValidator.validateName(run.getMetadata().getName())
                .or(() -> SpecValidator.validate(run.getSpec(), settings))
                .orElse(null);
        RunConfig runConfig = null;
        // Pinned when the first attempt started: the source run may be gone since, and must not turn into "no source".
        ResumeSourceStatus resumeSource =
                status != null && status.resumeSource != null ? status.resumeSource : resumeSources.resolveSource(run);
        if (invalid == null) {
            runConfig = RunConfigRenderer.config(run, settings, resumeSource == null ? null : resumeSource.dir);
            invalid = SpecValidator.validateForTrainer(runConfig).orElse(null);
        }
        if (invalid == null && beforeFirstAttempt(status)) {
            // References are checked only before the first pod: afterwards they are the pod's problem (exit 65).
            invalid = SpecValidator.validateReferences(run, lookup).orElse(null);
        }
        String attemptPodName = status == null || status.attempt == null ? null : status.attempt.pod;
        PodView attemptPod = null;
        Pod attemptRaw = null;
        Map<String, PodView> evaluations = new HashMap<>();
        List<String> foreignTrainers = new ArrayList<>();
        for (Pod pod : pods) {
            var labels = pod.getMetadata().getLabels();
            if (labels == null || !run.getMetadata().getName().equals(labels.get(ChildNames.LABEL_RUN))) {
                continue;
            }
            if (!ownedBy(pod, run)) {
                // A deleted run's pod with the same name (terminating, or orphaned): never ours, but while its trainer
                // lives it may still write to the same checkpoint directory.
                if (!ChildNames.ROLE_EVALUATE.equals(labels.get(ChildNames.LABEL_ROLE))
                        && PodView.of(pod).holdsCheckpoints(clock.instant())) {
                    foreignTrainers.add(pod.getMetadata().getName());
                }
                continue;
            }
            if (pod.getMetadata().getName().equals(attemptPodName)) {
                attemptPod = PodView.of(pod);
                attemptRaw = pod;
            } else if (ChildNames.ROLE_EVALUATE.equals(labels.get(ChildNames.LABEL_ROLE))) {
                evaluations.put(pod.getMetadata().getName(), PodView.of(pod));
            }
        }
        if (attemptPod == null
                && attemptPodName != null
                && status.attempt.endedAt == null
                && status.attempt.createdAt != null
                && !clock.instant()
                        .isBefore(Instant.parse(status.attempt.createdAt).plus(RunStateMachine.POD_LOST_GRACE))) {
            // Not in the informer cache for longer than informer lag usually lasts: only a live read may say the pod is
            // gone (declaring it lost when it is not would start a second trainer on the same checkpoints).
            Pod live =
                    lookup.pod(run.getMetadata().getNamespace(), attemptPodName).orElse(null);
            if (live != null && ownedBy(live, run)) {
                attemptPod = PodView.of(live);
                attemptRaw = live;
            }
        }
        ProgressPoller.Poll poll = new ProgressPoller.Poll(null, null);
        if (attemptPod != null && attemptPod.state() == PodView.State.RUNNING && status.attempt.endedAt == null) {
            poll = poller.pollOrDefer(key(run), attemptPod.podIp());
        }
        return new Observed(
                clock.instant(),
                run.getMetadata().getName(),
                run.getSpec(),
                status,
                runConfig,
                invalid,
                attemptPod,
                evaluations,
                poll.progress(),
                poll.retryAfter(),
                foreignTrainers,
                poll.unanswered(),
                resumeSource,
                attemptPod != null && attemptPod.alive() && attemptRaw != null
                        ? podFactory.changedSince(run, attemptRaw)
                        : List.of(),
                checkpointSharing(run));
    }

    /**
     * Where an evaluation may mount the checkpoint claim beside the trainer. Only periodic evaluations ask; the
     * claim the operator creates is ReadWriteOnce, an existing one is looked up once per run and generation.
     */
    CheckpointSharing checkpointSharing(DenseCLRun run) {
        String claim = run.getSpec().checkpoint == null ? null : run.getSpec().checkpoint.claimName;
        boolean periodic =
                run.getSpec().evaluations.stream().anyMatch(e -> e.trigger == EvaluationSpec.Trigger.EveryNEpochs);
        if (!periodic || claim == null || claim.isBlank()) {
            return CheckpointSharing.TRAINER_NODE;
        }
        String key = run.getMetadata().getUid() + "/" + run.getMetadata().getGeneration();
        return sharing.computeIfAbsent(key, k -> {
            sharing.keySet().removeIf(old -> old.startsWith(run.getMetadata().getUid() + "/"));
            return sharingOf(lookup.claimAccessModes(run.getMetadata().getNamespace(), claim));
        });
    }

    static CheckpointSharing sharingOf(List<String> accessModes) {
        if (accessModes.contains("ReadWriteMany")) {
            return CheckpointSharing.ANY_NODE;
        }
        return accessModes.contains("ReadWriteOnce") ? CheckpointSharing.TRAINER_NODE : CheckpointSharing.NONE;
    }

    /** Forgets a deleted run's progress throttle entry and resolved resume source. */
    public void forget(DenseCLRun run) {
        sharing.keySet().removeIf(k -> k.startsWith(run.getMetadata().getUid() + "/"));
        poller.forget(key(run));
        resumeSources.forget(run.getMetadata().getUid());
    }

    /**
     * True when the pod's controller owner is this run object (its uid). A pod without one (orphaned by a
     * {@code --cascade=orphan} delete, or made by someone else) is never taken as ours.
     */
    static boolean ownedBy(Pod pod, DenseCLRun run) {
        var owners = pod.getMetadata().getOwnerReferences();
        String uid = run.getMetadata().getUid();
        return owners != null
                && uid != null
                && owners.stream().anyMatch(o -> Boolean.TRUE.equals(o.getController()) && uid.equals(o.getUid()));
    }

    private static boolean beforeFirstAttempt(DenseCLRunStatus status) {
        return status == null
                || status.attempt == null
                || (status.phase == Phase.Failed
                        && status.lastFailure != null
                        && "InvalidSpec".equals(status.lastFailure.reason));
    }

    static String key(DenseCLRun run) {
        return run.getMetadata().getNamespace() + "/" + run.getMetadata().getName();
    }
}
