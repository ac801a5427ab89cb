package io.densecl.operator.reconciler;

import io.densecl.contract.RunConfigJson;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.resources.ChildNames;
import io.densecl.operator.resources.ChildResources;
import io.densecl.operator.resources.PodFactory;
import io.densecl.operator.resources.TrainerNetworkPolicies;
import io.densecl.operator.resources.TrainerPolicySettings;
import io.densecl.operator.state.Action;
import io.densecl.operator.state.Decision;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** Performs a decision's side effects; every operation is idempotent so a repeated reconcile is harmless. */
public class Actuator {

    private static final Logger LOG = Logger.getLogger(Actuator.class);

    private final KubernetesClient client;
    private final PodFactory pods;
    private final TrainerPolicySettings trainerPolicy;
    /** Run uid -> generation whose ConfigMap, claim and trainer policy were last ensured; saves GETs per reconcile. */
    private final Map<String, Long> ensured = new ConcurrentHashMap<>();
    /** Run uid -> pins.json last written; saves a GET per reconcile. */
    private final Map<String, String> pinned = new ConcurrentHashMap<>();
    /** Run uid -> consecutive refused actions, for the retry back-off. */
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    public Actuator(KubernetesClient client, PodFactory pods) {
        this(client, pods, TrainerPolicySettings.DISABLED);
    }

    public Actuator(KubernetesClient client, PodFactory pods, TrainerPolicySettings trainerPolicy) {
        this.client = client;
        this.pods = pods;
        this.trainerPolicy = trainerPolicy;
    }

    /**
     * Makes sure the run's ConfigMap holds the current run.json, the checkpoint claim exists and (when enabled) the
     * NetworkPolicy that admits the operator to the trainer's progress port exists.
     */
    public void ensureSupporting(DenseCLRun run, Supplier<String> runJson) {
        String uid = run.getMetadata().getUid();
        Long generation = run.getMetadata().getGeneration();
        if (Objects.equals(ensured.get(uid), generation)) {
            return;
        }
        ConfigMap desired = ChildResources.config(run, runJson.get());
        // A run that never started an attempt almost never has children yet: create first and read only when that
        // fails (409, quota, ...), which saves two GETs per new run (bench/operator: the fleet benchmark).
        boolean fresh = !ensured.containsKey(uid) && (run.getStatus() == null || run.getStatus().attempt == null);
        if (!(fresh && created(desired))) {
            ensureConfig(desired);
        }
        String existingClaim = run.getSpec().checkpoint.claimName;
        if (existingClaim == null || existingClaim.isBlank()) {
            PersistentVolumeClaim claim = ChildResources.checkpointClaim(run);
            if (!(fresh && created(claim))
                    && client.resources(PersistentVolumeClaim.class)
                                    .inNamespace(run.getMetadata().getNamespace())
                                    .withName(claim.getMetadata().getName())
                                    .get()
                            == null) {
                createIfAbsent(claim);
            }
        }
        if (trainerPolicy.enabled() && !ensurePolicy(run, fresh)) {
            return; // not remembered as ensured: the next reconcile checks the policy again
        }
        ensured.put(uid, generation);
    }

    /**
     * Creates the run's trainer NetworkPolicy if absent; never updates it (its content depends on operator settings
     * alone, and get and create are all the operator may do to policies). False while the policy of a deleted run
     * with the same name is still there (another owner uid): the garbage collector removes it soon and a later
     * reconcile creates this run's.
     */
    private boolean ensurePolicy(DenseCLRun run, boolean fresh) {
        NetworkPolicy desired = TrainerNetworkPolicies.trainerPolicy(run, trainerPolicy);
        if (fresh && created(desired)) {
            return true;
        }
        NetworkPolicy current = client.resources(NetworkPolicy.class)
                .inNamespace(run.getMetadata().getNamespace())
                .withName(desired.getMetadata().getName())
                .get();
        if (current == null) {
            createIfAbsent(desired);
            return true;
        }
        return current.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> run.getMetadata().getUid().equals(o.getUid()));
    }

    private void ensureConfig(ConfigMap desired) {
        ConfigMap current = client.resources(ConfigMap.class)
                .inNamespace(desired.getMetadata().getNamespace())
                .withName(desired.getMetadata().getName())
                .get();
        if (current == null) {
            createIfAbsent(desired);
        } else if (current.getData() == null
                || !desired.getData()
                        .get(ChildNames.CONFIG_KEY)
                        .equals(current.getData().get(ChildNames.CONFIG_KEY))
                || !desired.getMetadata()
                        .getOwnerReferences()
                        .equals(current.getMetadata().getOwnerReferences())) {
            // Also adopts the ConfigMap of a deleted run with the same name that the garbage collector has not
            // removed yet (a GitOps re-sync re-creates the run at once): otherwise it would vanish under the new run.
            // The pins (pins.json) are the state machine's and stay.
            Map<String, String> data = current.getData() == null ? new HashMap<>() : new HashMap<>(current.getData());
            data.putAll(desired.getData());
            current.setData(data);
            current.getMetadata().setOwnerReferences(desired.getMetadata().getOwnerReferences());
            client.resource(current).update();
        }
    }

    /** True when the create succeeded; false on any API error (the caller then reads and reconciles). */
    private boolean created(HasMetadata resource) {
        try {
            client.resource(resource).create();
            return true;
        } catch (KubernetesClientException e) {
            return false;
        }
    }

    /** An action the API server refused: which one, and the server's code, reason and message. */
    public record Failure(String action, int code, String reason, String message) {

        /** One line for the status and the Event. */
        public String describe() {
            return action + " refused by the API server (" + code + (reason == null ? "" : " " + reason) + "): "
                    + message;
        }
    }

    /**
     * Performs the actions in order and stops at the first the API server refuses (a later one may depend on it, a pod
     * on its ConfigMap). The refusal is returned, not thrown: JOSDK would give up on the run after a few retries,
     * while quota or a webhook may let it through an hour later.
     */
    public Optional<Failure> perform(DenseCLRun run, Decision decision) {
        String uid = run.getMetadata().getUid();
        for (Action action : decision.actions()) {
            try {
                perform(run, decision, action);
            } catch (KubernetesClientException e) {
                ensured.remove(uid); // ensure the children again next time
                int count = failures.merge(uid, 1, Integer::sum);
                LOG.warnf(
                        "%s/%s: %s failed (%d in a row): %s",
                        run.getMetadata().getNamespace(),
                        run.getMetadata().getName(),
                        name(action),
                        count,
                        e.getMessage());
                return Optional.of(new Failure(
                        name(action),
                        e.getCode(),
                        e.getStatus() == null ? null : e.getStatus().getReason(),
                        e.getStatus() != null && e.getStatus().getMessage() != null
                                ? e.getStatus().getMessage()
                                : e.getMessage()));
            }
        }
        failures.remove(uid);
        return Optional.empty();
    }

    /** How long to wait before retrying after the consecutive refusals so far: 5 s doubling to 5 min. */
    public Duration retryAfter(DenseCLRun run) {
        int count = failures.getOrDefault(run.getMetadata().getUid(), 1);
        return Duration.ofSeconds(Math.min(300, 5L << Math.min(6, Math.max(0, count - 1))));
    }

    private static String name(Action action) {
        if (action instanceof Action.EnsureSupporting) {
            return "ensuring the ConfigMap, checkpoint claim and trainer NetworkPolicy";
        } else if (action instanceof Action.StartAttempt start) {
            return "creating attempt " + start.index() + "'s pod";
        } else if (action instanceof Action.DeletePod delete) {
            return "deleting pod " + delete.pod();
        } else if (action instanceof Action.PinCheckpoints) {
            return "pinning checkpoints in the run's ConfigMap";
        }
        return "creating evaluation pod " + ((Action.StartEvaluation) action).pod();
    }

    private void perform(DenseCLRun run, Decision decision, Action action) {
        if (action instanceof Action.EnsureSupporting ensure) {
            ensureSupporting(run, () -> RunConfigJson.write(ensure.runConfig()));
        } else if (action instanceof Action.StartAttempt start) {
            createIfAbsent(pods.trainerPod(run, start.index(), decision.avoidNodes()));
        } else if (action instanceof Action.DeletePod delete) {
            LOG.infof("deleting pod %s/%s: %s", run.getMetadata().getNamespace(), delete.pod(), delete.reason());
            client.pods()
                    .inNamespace(run.getMetadata().getNamespace())
                    .withName(delete.pod())
                    .delete();
        } else if (action instanceof Action.StartEvaluation eval) {
            EvaluationSpec spec = run.getSpec().evaluations.stream()
                    .filter(e -> e.name.equals(eval.evaluation()))
                    .findFirst()
                    .orElseThrow();
            createIfAbsent(pods.evaluationPod(
                    run, spec, eval.pod(), eval.checkpointEpoch(), eval.checkpointPath(), eval.byEpoch(), eval.node()));
        } else if (action instanceof Action.PinCheckpoints pins) {
            pin(run, pins.epochs());
        }
    }

    /**
     * The finalizer JOSDK added while the reconciler was a Cleaner: left on a run, its deletion (and its namespace's)
     * would wait for ever now that no cleanup removes it.
     */
    public static final String LEGACY_FINALIZER = "denseclruns.densecl.io/finalizer";

    /** Removes {@link #LEGACY_FINALIZER} from the run if it carries it (best effort: the next event retries). */
    public void dropLegacyFinalizer(DenseCLRun run) {
        var finalizers = run.getMetadata().getFinalizers();
        if (finalizers == null || !finalizers.contains(LEGACY_FINALIZER)) {
            return;
        }
        try {
            client.resources(DenseCLRun.class)
                    .inNamespace(run.getMetadata().getNamespace())
                    .withName(run.getMetadata().getName())
                    .edit(r -> {
                        r.getMetadata().getFinalizers().remove(LEGACY_FINALIZER);
                        return r;
                    });
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "could not remove the finalizer of %s/%s: %s",
                    run.getMetadata().getNamespace(), run.getMetadata().getName(), e.getMessage());
        }
    }

    /**
     * Writes the pinned checkpoint epochs into the ConfigMap's pins.json (the trainer re-reads it before pruning);
     * remembered per run, so an unchanged list costs no request.
     */
    void pin(DenseCLRun run, List<Integer> epochs) {
        String uid = run.getMetadata().getUid();
        String json = ChildResources.pinsJson(epochs);
        if (json.equals(pinned.get(uid))) {
            return;
        }
        ConfigMap current = client.resources(ConfigMap.class)
                .inNamespace(run.getMetadata().getNamespace())
                .withName(ChildNames.config(run.getMetadata().getName()))
                .get();
        if (current == null) {
            return; // EnsureSupporting creates it first; the next reconcile pins
        }
        if (current.getData() == null || !json.equals(current.getData().get(ChildNames.PINS_KEY))) {
            Map<String, String> data = current.getData() == null ? new HashMap<>() : new HashMap<>(current.getData());
            data.put(ChildNames.PINS_KEY, json);
            current.setData(data);
            client.resource(current).update();
        }
        pinned.put(uid, json);
    }

    /** Forgets a run (deleted). */
    public void forget(String uid) {
        ensured.remove(uid);
        pinned.remove(uid);
        failures.remove(uid);
    }

    private void createIfAbsent(HasMetadata resource) {
        try {
            client.resource(resource).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return; // created by an earlier reconcile whose status write was lost
            }
            if (namespaceTerminating(e)) {
                // The namespace is being deleted (its pods go first, so the run may still try a next attempt): its runs
                // follow, nothing created here would survive, and retrying only fills the log with 403s.
                LOG.debugf(
                        "not creating %s in terminating namespace %s",
                        resource.getMetadata().getName(), resource.getMetadata().getNamespace());
                return;
            }
            throw e;
        }
    }

    /** The API server refuses every create in a namespace being deleted with 403 and cause NamespaceTerminating. */
    static boolean namespaceTerminating(KubernetesClientException e) {
        return e.getCode() == 403
                && e.getStatus() != null
                && e.getStatus().getDetails() != null
                && e.getStatus().getDetails().getCauses() != null
                && e.getStatus().getDetails().getCauses().stream()
                        .anyMatch(c -> "NamespaceTerminating".equals(c.getReason()));
    }
}
