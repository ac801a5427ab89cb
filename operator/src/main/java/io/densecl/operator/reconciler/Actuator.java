package io.densecl.operator.reconciler;

import io.densecl.contract.RunConfigJson;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.resources.ChildResources;
import io.densecl.operator.resources.PodFactory;
import io.densecl.operator.state.Action;
import io.densecl.operator.state.Decision;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.densecl.operator.resources.ChildNames;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** Performs a decision's side effects; every operation is idempotent so a repeated reconcile is harmless. */
public class Actuator {

    private static final Logger LOG = Logger.getLogger(Actuator.class);

    private final KubernetesClient client;
    private final PodFactory pods;
    /** Run uid -> generation whose ConfigMap and claim were last ensured; saves a GET per reconcile. */
    private final Map<String, Long> ensured = new ConcurrentHashMap<>();
    /** Run uid -> pins.json last written; saves a GET per reconcile. */
    private final Map<String, String> pinned = new ConcurrentHashMap<>();

    public Actuator(KubernetesClient client, PodFactory pods) {
        this.client = client;
        this.pods = pods;
    }

    /** Makes sure the run's ConfigMap holds the current run.json and the checkpoint claim exists. */
    void ensureSupporting(DenseCLRun run, Supplier<String> runJson) {
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
                    && client.resources(PersistentVolumeClaim.class).inNamespace(run.getMetadata().getNamespace())
                            .withName(claim.getMetadata().getName()).get() == null) {
                createIfAbsent(claim);
            }
        }
        ensured.put(uid, generation);
    }

    private void ensureConfig(ConfigMap desired) {
        ConfigMap current = client.resources(ConfigMap.class).inNamespace(desired.getMetadata().getNamespace())
                .withName(desired.getMetadata().getName()).get();
        if (current == null) {
            createIfAbsent(desired);
        } else if (current.getData() == null
                || !desired.getData().get(ChildNames.CONFIG_KEY).equals(current.getData().get(ChildNames.CONFIG_KEY))
                || !desired.getMetadata().getOwnerReferences().equals(current.getMetadata().getOwnerReferences())) {
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

    public void perform(DenseCLRun run, Decision decision) {
        for (Action action : decision.actions()) {
            if (action instanceof Action.EnsureSupporting ensure) {
                ensureSupporting(run, () -> RunConfigJson.write(ensure.runConfig()));
            } else if (action instanceof Action.StartAttempt start) {
                createIfAbsent(pods.trainerPod(run, start.index(), decision.avoidNodes()));
            } else if (action instanceof Action.DeletePod delete) {
                LOG.infof("deleting pod %s/%s: %s", run.getMetadata().getNamespace(), delete.pod(), delete.reason());
                client.pods().inNamespace(run.getMetadata().getNamespace()).withName(delete.pod()).delete();
            } else if (action instanceof Action.StartEvaluation eval) {
                EvaluationSpec spec = run.getSpec().evaluations.stream()
                        .filter(e -> e.name.equals(eval.evaluation())).findFirst().orElseThrow();
                createIfAbsent(pods.evaluationPod(run, spec, eval.pod(), eval.checkpointEpoch(), eval.checkpointPath(),
                        eval.byEpoch(), eval.node()));
            } else if (action instanceof Action.PinCheckpoints pins) {
                pin(run, pins.epochs());
            }
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
        ConfigMap current = client.resources(ConfigMap.class).inNamespace(run.getMetadata().getNamespace())
                .withName(ChildNames.config(run.getMetadata().getName())).get();
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
                LOG.debugf("not creating %s in terminating namespace %s", resource.getMetadata().getName(),
                        resource.getMetadata().getNamespace());
                return;
            }
            throw e;
        }
    }

    /** The API server refuses every create in a namespace being deleted with 403 and cause NamespaceTerminating. */
    static boolean namespaceTerminating(KubernetesClientException e) {
        return e.getCode() == 403 && e.getStatus() != null && e.getStatus().getDetails() != null
                && e.getStatus().getDetails().getCauses() != null && e.getStatus().getDetails().getCauses().stream()
                        .anyMatch(c -> "NamespaceTerminating".equals(c.getReason()));
    }
}
