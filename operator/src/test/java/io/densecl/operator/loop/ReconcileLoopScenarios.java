package io.densecl.operator.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.contract.ResumeMode;
import io.densecl.contract.RunConfig;
import io.densecl.contract.RunConfigJson;
import io.densecl.operator.Fixtures;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.api.v1alpha1.ResumeSpec;
import io.densecl.operator.reconciler.OperatorMetrics;
import io.densecl.operator.resources.ChildNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Full scenarios of the reconcile loop with a fake kubelet, run on two API servers: the Fabric8 mock in CRUD mode
 * ({@link ReconcileLoopTest}) and the real kube-apiserver with its controller-manager ({@code realapi.ReconcileLoopIT}).
 * Where the servers differ (garbage collection, graceful deletion of bound pods) the subclasses supply the step;
 * each such hook says what the difference is.
 */
public abstract class ReconcileLoopScenarios {

    protected LoopHarness loop;
    protected KubernetesClient client;

    /** The client of the server under test. */
    protected abstract KubernetesClient client();

    /** A fresh namespace for one test. */
    protected abstract String newNamespace();

    /** The fake kubelet for the namespace. */
    protected abstract FakeKubelet kubelet(String namespace, MutableClock clock);

    /**
     * After a run was deleted, waits until its owned children (pods, ConfigMap) are gone. The mock has no garbage
     * collector, so its subclass deletes them by hand; the real controller-manager's garbage collector does it.
     */
    protected abstract void awaitChildrenCollected(String run);

    /**
     * Deletes a run but keeps its children, without owner references ({@code kubectl delete --cascade=orphan}):
     * the real garbage collector strips the owner references; on the mock the subclass does it by hand.
     */
    protected abstract void deleteOrphaningChildren(DenseCLRun run);

    /**
     * The old pod of a deleted run goes away: on the real server the garbage collector has marked it for deletion
     * and the kubelet finishes it (SIGTERM, exit 75, grace 0); on the mock (no garbage collector) it is deleted.
     */
    protected abstract void retireOldPod(String pod);

    @BeforeEach
    void setUp() {
        client = client();
        String ns = newNamespace();
        MutableClock clock = new MutableClock(Fixtures.T0);
        loop = new LoopHarness(client, ns, clock, kubelet(ns, clock));
        client.resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName("densecl-data")
                        .withNamespace(ns)
                        .endMetadata()
                        .withNewSpec()
                        .withAccessModes("ReadOnlyMany")
                        .withNewResources()
                        .addToRequests("storage", new Quantity("1Gi"))
                        .endResources()
                        .endSpec()
                        .build())
                .create();
    }

    DenseCLRun create(String name, DenseCLRunSpec spec) {
        DenseCLRun run = new DenseCLRun();
        run.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(loop.namespace)
                .build());
        run.setSpec(spec);
        return client.resource(run).create();
    }

    @Test
    void successWithEvaluationEndsSucceeded() {
        DenseCLRunSpec spec = Fixtures.spec();
        spec.evaluations.add(Fixtures.segmentation("seg"));
        DenseCLRun created = create("r", spec);

        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Starting);
        assertThat(run.getStatus().observedGeneration)
                .isEqualTo(created.getMetadata().getGeneration());
        assertThat(loop.kubelet.get("r-a1")).isNotNull();
        ConfigMap config = client.configMaps()
                .inNamespace(loop.namespace)
                .withName("r-config")
                .get();
        String dir = ChildNames.checkpointDir(
                loop.namespace, "r", created.getMetadata().getUid(), spec);
        assertThat(dir).matches("/checkpoints/" + loop.namespace + "/r-[0-9a-f]{8}");
        assertThat(config.getData().get("run.json")).contains("\"dir\" : \"" + dir + "\"");
        assertThat(run.getStatus().checkpoint.dir).isEqualTo(dir);
        PersistentVolumeClaim claim = client.persistentVolumeClaims()
                .inNamespace(loop.namespace)
                .withName("r-checkpoints")
                .get();
        assertThat(claim.getMetadata().getOwnerReferences()).isEmpty(); // Retain by default

        String ip = loop.kubelet.start("r-a1");
        loop.progress.set(ip, Fixtures.progress(2, 30, 40, 1, 20L));
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Running);
        assertThat(run.getStatus().progress.percent).isEqualTo(75);
        assertThat(run.getStatus().checkpoint.latest.epoch).isEqualTo(1);
        assertThat(run.getStatus().attempt.node).isEqualTo(loop.kubelet.nodeName());
        assertThat(loop.last.requeueAfter()).isNotNull(); // keeps polling progress while running

        loop.kubelet.exit("r-a1", 0, "Completed", Fixtures.complete(2, 40));
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Evaluating);
        var evalPod = loop.kubelet.get("r-eval-seg");
        assertThat(evalPod.getSpec().getContainers().get(0).getCommand())
                .contains("evaluate", "--checkpoint", "/checkpoints/ml/r-0123abcd/ckpt-e2-s40");

        loop.kubelet.start("r-eval-seg");
        loop.kubelet.exit("r-eval-seg", 0, "Completed", Fixtures.segResult(0.41, 2));
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Succeeded);
        assertThat(run.getStatus().bestEvaluation).isEqualTo("seg mIoU=0.41 (e2)");
        assertThat(run.getStatus().evaluations)
                .singleElement()
                .satisfies(e -> assertThat(e.metrics).containsEntry("mIoU", 0.41));
        assertThat(run.getStatus().completionTime).isNotNull();
        assertThat(run.getStatus().restarts.total).isZero();
        assertThat(client.resources(Event.class)
                        .inNamespace(loop.namespace)
                        .list()
                        .getItems())
                .extracting(Event::getReason)
                .contains("PodCreated", "TrainerRunning", "Evaluating", "Complete");
        assertThat(loop.meters
                        .get(OperatorMetrics.RUNS)
                        .tag("phase", "Succeeded")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
    }

    @Test
    void disruptionRestartsWithoutChargingTheBackoffLimit() {
        create("r", Fixtures.spec());
        loop.settle("r");
        loop.kubelet.start("r-a1");
        loop.settle("r");
        loop.kubelet.disrupt("r-a1", "PreemptionByScheduler", 137);
        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().restarts.disruptions).isEqualTo(1);
        assertThat(run.getStatus().restarts.counted).isZero();
        assertThat(run.getStatus().lastFailure.reason).isEqualTo("PreemptionByScheduler");
        assertThat(run.getStatus().attempt.index).isEqualTo(2);
        assertThat(loop.kubelet.get("r-a2")).isNotNull();
        assertThat(loop.meters
                        .get(OperatorMetrics.RESTARTS)
                        .tag("kind", "Disruption")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void repeatedFailuresExhaustTheBackoffLimit() {
        create("r", Fixtures.spec()); // backoffLimit 2, base 10 s
        loop.settle("r");
        for (int attempt = 1; attempt <= 3; attempt++) {
            loop.kubelet.start("r-a" + attempt);
            loop.settle("r");
            loop.kubelet.exit("r-a" + attempt, 1, "Error", null);
            DenseCLRun run = loop.settle("r");
            assertThat(run.getStatus().restarts.counted).isEqualTo(attempt);
            if (attempt < 3) {
                assertThat(run.getStatus().phase).isEqualTo(Phase.Restarting);
                assertThat(loop.kubelet.get("r-a" + (attempt + 1)))
                        .as("no restart before the back-off")
                        .isNull();
                loop.clock.advance(Duration.ofSeconds(10L << (attempt - 1)));
                assertThat(loop.settle("r").getStatus().phase).isEqualTo(Phase.Starting);
            } else {
                assertThat(run.getStatus().phase).isEqualTo(Phase.Failed);
                assertThat(run.getStatus().message).contains("backoffLimit 2 exceeded");
            }
        }
        assertThat(loop.kubelet.get("r-a4")).isNull();
    }

    @Test
    void configErrorFailsFast() {
        create("r", Fixtures.spec());
        loop.settle("r");
        loop.kubelet.start("r-a1");
        loop.kubelet.exit("r-a1", 78, "Error", Fixtures.configError("training.batchSize", "config hash differs"));
        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Failed);
        assertThat(run.getStatus().lastFailure.reason).isEqualTo("ConfigError");
        assertThat(run.getStatus().lastFailure.field).isEqualTo("training.batchSize");
        assertThat(run.getStatus().lastFailure.exitCode).isEqualTo(78);
        assertThat(run.getStatus().restarts.total).isZero();
        loop.clock.advance(Duration.ofHours(1));
        loop.settle("r");
        assertThat(loop.kubelet.get("r-a2")).isNull();
    }

    @Test
    void suspendAndResume() {
        create("r", Fixtures.spec());
        loop.settle("r");
        loop.kubelet.start("r-a1");
        loop.settle("r");

        DenseCLRun run = loop.run("r");
        run.getSpec().suspend = true;
        client.resource(run).update();
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Suspended);
        assertThat(loop.kubelet.deletingOrGone("r-a1"))
                .as("deleted: the trainer checkpoints on SIGTERM")
                .isTrue();
        loop.kubelet.finishDeletions();
        assertThat(loop.kubelet.get("r-a1")).isNull();
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Suspended);

        run.getSpec().suspend = false;
        client.resource(run).update();
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Starting);
        assertThat(run.getStatus().attempt.index).isEqualTo(2);
        assertThat(loop.kubelet.get("r-a2")).isNotNull();
        assertThat(run.getStatus().restarts.total).isZero();
    }

    @Test
    void stalledProgressRestartsAsACountedFailure() {
        create("r", Fixtures.spec()); // progressDeadlineSeconds 600
        loop.settle("r");
        String ip = loop.kubelet.start("r-a1");
        loop.progress.set(ip, Fixtures.progress(1, 5, 40, null, null));
        loop.settle("r");
        loop.clock.advance(Duration.ofSeconds(601));
        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().restarts.counted).isEqualTo(1);
        assertThat(run.getStatus().lastFailure.reason).isEqualTo("ProgressDeadlineExceeded");
        assertThat(loop.kubelet.deletingOrGone("r-a1")).isTrue();
        assertThat(run.getStatus().lostWorkSeconds).isGreaterThanOrEqualTo(601);
        loop.kubelet.finishDeletions();
        assertThat(loop.kubelet.get("r-a1")).isNull();
        loop.clock.advance(Duration.ofSeconds(10)); // the back-off of the first counted failure
        run = loop.settle("r");
        assertThat(run.getStatus().attempt.index).isEqualTo(2);
        assertThat(run.getStatus().restarts.counted)
                .as("the SIGTERM exit is not a second failure")
                .isEqualTo(1);
    }

    @Test
    void invalidSpecsAreRejectedNamingTheField() {
        // A real API server refuses these at create (schema, CEL); the mock has no schema validation, so there the
        // operator's own check (the trainer's validator) must hold. Either way the field is named and no pod exists.
        DenseCLRunSpec oddImageSize = Fixtures.spec();
        oddImageSize.training.imageSize = 100;
        refusedNamingTheField("bad", oddImageSize, "spec.training.imageSize", "must be a multiple of 32");
        DenseCLRunSpec noWorkers = Fixtures.spec();
        noWorkers.training.workers = 0;
        refusedNamingTheField("noworkers", noWorkers, "spec.training.workers", null);
        DenseCLRunSpec noClaim = Fixtures.spec();
        noClaim.data.claimName = "missing";
        create("nodata", noClaim);
        DenseCLRun run = loop.settle("nodata");
        assertThat(run.getStatus().lastFailure.field).isEqualTo("spec.data.claimName");
        assertThat(loop.pods("nodata")).isEmpty();
    }

    /** The server refuses the spec naming the field, or the operator fails it (Accepted=False) before any child exists. */
    private void refusedNamingTheField(String name, DenseCLRunSpec spec, String field, String message) {
        DenseCLRun created;
        try {
            created = create(name, spec);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException refused) {
            assertThat(refused.getCode()).isEqualTo(422);
            assertThat(refused.getMessage()).contains(field);
            return;
        }
        assertThat(created).isNotNull();
        DenseCLRun run = loop.settle(name);
        assertThat(run.getStatus().phase).isEqualTo(Phase.Failed);
        assertThat(run.getStatus().lastFailure.field).isEqualTo(field);
        assertThat(run.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Accepted");
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getMessage()).startsWith(field + ": " + (message == null ? "" : message));
        });
        assertThat(loop.pods(name)).isEmpty();
        assertThat(loop.client
                        .configMaps()
                        .inNamespace(loop.namespace)
                        .withName(name + "-config")
                        .get())
                .isNull();
    }

    @Test
    void aWarmStartFromAnotherRunGetsThatRunsCheckpointDirectoryInItsRunJson() {
        create("base", Fixtures.spec());
        String baseDir = loop.settle("base").getStatus().checkpoint.dir;
        DenseCLRunSpec warm = Fixtures.spec();
        warm.resume.mode = ResumeSpec.Mode.WarmStart;
        warm.resume.fromRun = "base";
        create("warm", warm);
        loop.settle("warm");
        RunConfig config = RunConfigJson.read(client.configMaps()
                .inNamespace(loop.namespace)
                .withName("warm-config")
                .get()
                .getData()
                .get(ChildNames.CONFIG_KEY));
        assertThat(config.resume.fromDir).isEqualTo(baseDir);
        assertThat(config.resume.warmStart).isTrue();
        assertThat(config.resume.mode).isEqualTo(ResumeMode.Auto);
        assertThat(loop.pods("warm")).hasSize(1);
    }

    /** A pod's image and resources cannot change: the status says the change waits for the next attempt. */
    @Test
    void resourceAndImageChangesSayTheyTakeEffectAtTheNextAttempt() {
        create("r", Fixtures.spec());
        loop.settle("r");
        loop.kubelet.start("r-a1");
        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("SpecChangePending");
            assertThat(c.getStatus()).isEqualTo("False");
        });
        client.resources(DenseCLRun.class)
                .inNamespace(loop.namespace)
                .withName("r")
                .edit(r -> {
                    r.getSpec().resources.memory = "8Gi";
                    r.getSpec().image = "densecl-trainer:0.2.0";
                    return r;
                });
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Running);
        assertThat(run.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("SpecChangePending");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("TakesEffectAtNextAttempt");
            assertThat(c.getMessage()).startsWith("spec.image, spec.resources: takes effect at the next attempt");
        });
        loop.kubelet.exit("r-a1", 1, "Error", null);
        loop.settle("r");
        loop.clock.advance(Duration.ofSeconds(10));
        run = loop.settle("r");
        assertThat(loop.kubelet.get("r-a2").getSpec().getContainers().get(0).getImage())
                .isEqualTo("densecl-trainer:0.2.0");
        assertThat(run.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("SpecChangePending");
            assertThat(c.getStatus()).isEqualTo("False");
        });
    }

    /** The source of a warm start may be deleted later: every attempt still starts from what was pinned. */
    @Test
    void aWarmStartSourceIsPinnedWhenTheRunStartsAndSurvivesTheSourcesDeletion() {
        create("base", Fixtures.spec());
        String baseDir = loop.settle("base").getStatus().checkpoint.dir;
        DenseCLRunSpec warm = Fixtures.spec();
        warm.resume.mode = ResumeSpec.Mode.WarmStart;
        warm.resume.fromRun = "base";
        create("warm", warm);
        DenseCLRun run = loop.settle("warm");
        assertThat(run.getStatus().resumeSource.run).isEqualTo("base");
        assertThat(run.getStatus().resumeSource.dir).isEqualTo(baseDir);
        assertThat(run.getStatus().resumeSource.claimName).isEqualTo("base-checkpoints");

        client.resources(DenseCLRun.class)
                .inNamespace(loop.namespace)
                .withName("base")
                .delete();
        loop.controller.forget(run); // as after an operator restart: nothing resolved in memory
        client.resources(DenseCLRun.class)
                .inNamespace(loop.namespace)
                .withName("warm")
                .edit(r -> {
                    r.getSpec().training.epochs = 4; // a new generation: run.json is rendered again
                    return r;
                });
        run = loop.settle("warm");
        RunConfig config = RunConfigJson.read(client.configMaps()
                .inNamespace(loop.namespace)
                .withName("warm-config")
                .get()
                .getData()
                .get(ChildNames.CONFIG_KEY));
        assertThat(config.training.epochs).isEqualTo(4);
        assertThat(config.resume.fromDir).as("not silently from scratch").isEqualTo(baseDir);
        assertThat(run.getStatus().resumeSource.dir).isEqualTo(baseDir);
    }

    @Test
    void recreatedFinishedRunWithTheSameSpecCompletesFromItsCheckpointsWithoutRetraining() {
        DenseCLRunSpec spec = Fixtures.spec();
        spec.evaluations.add(Fixtures.segmentation("seg"));
        DenseCLRun first = create("r", spec);
        loop.settle("r");
        String dir = loop.run("r").getStatus().checkpoint.dir;
        loop.kubelet.start("r-a1");
        loop.kubelet.exit("r-a1", 0, "Completed", completeIn(dir, 2, 40));
        loop.settle("r");
        loop.kubelet.start("r-eval-seg");
        loop.kubelet.exit("r-eval-seg", 0, "Completed", Fixtures.segResult(0.41, 2));
        assertThat(loop.settle("r").getStatus().phase).isEqualTo(Phase.Succeeded);
        assertThat(loop.meters
                        .find(OperatorMetrics.CHECKPOINT_TIMESTAMP)
                        .tag("run", "r")
                        .gauge())
                .isNotNull();

        // A GitOps re-sync deletes and re-creates the run. Its owned children go (the garbage collector); the
        // checkpoint claim (onDelete Retain) stays. The Cleaner forgets the run.
        client.resource(loop.run("r")).delete();
        awaitChildrenCollected("r");
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(loop.namespace)
                        .withName("r-checkpoints")
                        .get())
                .isNotNull();
        loop.controller.forget(first);
        assertThat(loop.meters
                        .find(OperatorMetrics.CHECKPOINT_TIMESTAMP)
                        .tag("run", "r")
                        .gauge())
                .isNull();
        DenseCLRunSpec same = Fixtures.spec();
        same.evaluations.add(Fixtures.segmentation("seg"));
        DenseCLRun again = create("r", same);
        assertThat(again.getMetadata().getUid())
                .isNotEqualTo(first.getMetadata().getUid());

        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().checkpoint.dir).isEqualTo(dir);
        assertThat(client.configMaps()
                        .inNamespace(loop.namespace)
                        .withName("r-config")
                        .get()
                        .getData()
                        .get("run.json"))
                .contains("\"dir\" : \"" + dir + "\"");
        // The trainer finds the final checkpoint there and exits Complete at once (PretrainLoop: epoch >= epochs).
        loop.kubelet.start("r-a1");
        loop.kubelet.exit("r-a1", 0, "Completed", completeIn(dir, 2, 40));
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Evaluating);
        loop.kubelet.start("r-eval-seg");
        loop.kubelet.exit("r-eval-seg", 0, "Completed", Fixtures.segResult(0.41, 2));
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Succeeded);
        assertThat(run.getStatus().attempt.index).isEqualTo(1);
        assertThat(run.getStatus().restarts.total).isZero();
        assertThat(run.getStatus().checkpoint.latest.path).isEqualTo(dir + "/ckpt-e2-s40");

        // Changed hyper-parameters under the same name: a new directory, trained from scratch.
        DenseCLRunSpec changed = Fixtures.spec();
        changed.training.lr = 0.06;
        assertThat(ChildNames.checkpointDir(
                        loop.namespace, "r", again.getMetadata().getUid(), changed))
                .isNotEqualTo(dir);
    }

    /** The mock's version: without a garbage collector the old run's pod and ConfigMap stay until deleted by hand. */
    @Test
    protected void childrenOfADeletedRunWithTheSameNameAreNotMistakenForTheNewRuns() {
        DenseCLRun first = create("r", Fixtures.spec());
        loop.settle("r");
        String oldDir = loop.run("r").getStatus().checkpoint.dir;
        loop.kubelet.start("r-a1");
        loop.kubelet.exit("r-a1", 0, "Completed", completeIn(oldDir, 2, 40));
        assertThat(loop.settle("r").getStatus().phase).isEqualTo(Phase.Succeeded);

        // Deleted and re-created at once with another learning rate, before the garbage collector removed the
        // old run's pod and ConfigMap (the mock server has none: they stay until deleted here by hand).
        client.resource(loop.run("r")).delete();
        loop.controller.forget(first);
        DenseCLRunSpec changed = Fixtures.spec();
        changed.training.lr = 0.06;
        DenseCLRun again = create("r", changed);
        String uid = again.getMetadata().getUid();

        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().phase)
                .as("the old pod's Complete is not this run's")
                .isNotEqualTo(Phase.Succeeded);
        assertThat(run.getStatus().checkpoint.dir).isNotEqualTo(oldDir);
        ConfigMap config = client.configMaps()
                .inNamespace(loop.namespace)
                .withName("r-config")
                .get();
        assertThat(config.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getUid()).as("adopted").isEqualTo(uid));
        assertThat(config.getData().get("run.json")).contains(run.getStatus().checkpoint.dir);

        // The old pod's name blocked the new r-a1 (409). Once the garbage collector removed it, the new attempt
        // counts as lost after the informer-lag grace (a disruption, not charged to backoffLimit) and a2 starts.
        client.pods().inNamespace(loop.namespace).withName("r-a1").delete();
        loop.clock.advance(Duration.ofSeconds(31));
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Starting);
        assertThat(run.getStatus().attempt.index).isEqualTo(2);
        assertThat(run.getStatus().restarts.counted).isZero();
        assertThat(loop.pods("r")).singleElement().satisfies(p -> {
            assertThat(p.getMetadata().getName()).isEqualTo("r-a2");
            assertThat(p.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
        });
    }

    /**
     * Delete and re-create with the same spec, hence the same checkpoint directory (a GitOps replace), while the
     * old run's trainer still runs or is terminating (it may be writing its SIGTERM checkpoint for minutes): the
     * new run starts no trainer until the old pod is gone, however long that takes, and never takes it for its own.
     */
    @Test
    void aRunRecreatedWhileItsOldTrainerLivesWaitsForItBeforeStartingOnTheSameDirectory() {
        DenseCLRun first = create("r", Fixtures.spec());
        loop.settle("r");
        loop.kubelet.start("r-a1");
        assertThat(loop.settle("r").getStatus().phase).isEqualTo(Phase.Running);
        String dir = loop.run("r").getStatus().checkpoint.dir;

        client.resource(loop.run("r")).delete();
        loop.controller.forget(first);
        DenseCLRun again = create("r", Fixtures.spec());
        String uid = again.getMetadata().getUid();
        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().checkpoint.dir)
                .as("same spec, same directory")
                .isEqualTo(dir);
        for (int i = 0; i < 3; i++) { // long past the 30 s a just-created pod may be missing
            loop.clock.advance(Duration.ofSeconds(31));
            run = loop.settle("r");
            assertThat(loop.pods("r"))
                    .as("no trainer of the new run while the old one lives")
                    .allSatisfy(p ->
                            assertThat(p.getMetadata().getOwnerReferences()).noneMatch(o -> uid.equals(o.getUid())));
            assertThat(run.getStatus().phase).isNotIn(Phase.Running, Phase.Succeeded);
        }
        assertThat(run.getStatus().message).contains("r-a1");
        assertThat(run.getStatus().restarts.total).isZero();

        retireOldPod("r-a1");
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Starting);
        assertThat(run.getStatus().attempt.index).isEqualTo(1);
        assertThat(run.getStatus().restarts.total).isZero();
        assertThat(loop.pods("r")).singleElement().satisfies(p -> {
            assertThat(p.getMetadata().getName()).isEqualTo("r-a1");
            assertThat(p.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
        });
    }

    /**
     * A run deleted with {@code --cascade=orphan} leaves its trainer running without owner references: a new run
     * with the same name never takes that pod (its progress, its result) as its own attempt.
     */
    @Test
    void anOrphanedTrainerOfADeletedRunIsNeverTakenAsTheNewRunsAttempt() {
        DenseCLRun first = create("r", Fixtures.spec());
        loop.settle("r");
        String ip = loop.kubelet.start("r-a1");
        loop.progress.set(ip, Fixtures.progress(1, 30, 40, 1, 20L));
        assertThat(loop.settle("r").getStatus().phase).isEqualTo(Phase.Running);

        deleteOrphaningChildren(loop.run("r"));
        loop.controller.forget(first);
        assertThat(loop.kubelet.get("r-a1").getMetadata().getOwnerReferences())
                .as("orphaned")
                .isEmpty();
        DenseCLRun again = create("r", Fixtures.spec());
        String uid = again.getMetadata().getUid();
        loop.settle("r");
        loop.clock.advance(Duration.ofSeconds(31));
        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().phase)
                .as("the orphan's training is not this run's")
                .isNotEqualTo(Phase.Running);
        assertThat(run.getStatus().progress == null || run.getStatus().progress.step == null)
                .isTrue();
        assertThat(loop.pods("r"))
                .as("no second trainer beside the orphan")
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("r-a1");

        loop.kubelet.exit("r-a1", 0, "Completed", Fixtures.complete(2, 40));
        run = loop.settle("r");
        assertThat(run.getStatus().phase).as("nor is its result").isNotEqualTo(Phase.Succeeded);
        assertThat(run.getStatus().completionTime).isNull();
    }

    /** A watch that dropped and re-lists can leave the cache behind the server: the pod exists, the cache lacks it. */
    @Test
    void aPodTheInformerHasNotSeenIsNotDeclaredLost() {
        create("r", Fixtures.spec());
        loop.settle("r");
        assertThat(loop.kubelet.get("r-a1")).isNotNull();
        loop.clock.advance(Duration.ofSeconds(45)); // past the grace a just-created pod may be missing
        DenseCLRun run = loop.reconcileSeeing("r", java.util.List.of());
        assertThat(run.getStatus().attempt.index).as("still attempt 1").isEqualTo(1);
        assertThat(run.getStatus().restarts.total).isZero();
        assertThat(loop.pods("r"))
                .as("no second trainer")
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("r-a1");
    }

    /** Any claim of the namespace could be named: a run must not be a permit to write to another team's volume. */
    @Test
    void anExistingCheckpointClaimIsMountedOnlyWhenItIsMadeForCheckpoints() {
        client.resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName("team-b")
                        .withNamespace(loop.namespace)
                        .endMetadata()
                        .withNewSpec()
                        .withAccessModes("ReadWriteOnce")
                        .withNewResources()
                        .addToRequests("storage", new Quantity("1Gi"))
                        .endResources()
                        .endSpec()
                        .build())
                .create();
        DenseCLRunSpec spec = Fixtures.spec();
        spec.checkpoint.claimName = "team-b";
        create("r", spec);
        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Failed);
        assertThat(run.getStatus().lastFailure.field).isEqualTo("spec.checkpoint.claimName");
        assertThat(run.getStatus().lastFailure.message).contains("label it densecl.io/checkpoints=true");
        assertThat(loop.pods("r")).isEmpty();

        client.persistentVolumeClaims()
                .inNamespace(loop.namespace)
                .withName("team-b")
                .edit(c -> new PersistentVolumeClaimBuilder(c)
                        .editMetadata()
                        .addToLabels("densecl.io/checkpoints", "true")
                        .endMetadata()
                        .build());
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Starting);
        assertThat(loop.kubelet.get("r-a1").getSpec().getVolumes())
                .anySatisfy(v -> assertThat(
                                v.getPersistentVolumeClaim() == null
                                        ? null
                                        : v.getPersistentVolumeClaim().getClaimName())
                        .isEqualTo("team-b"));
    }

    @Test
    void namesTooLongForALabelAndPathsLeavingTheClaimAreRefusedNamingTheField() {
        refusedNamingTheField("r".repeat(64), Fixtures.spec(), "metadata.name", "at most 63 characters");
        DenseCLRunSpec escaping = Fixtures.spec();
        escaping.data.path = "synth/../../other-team";
        refusedNamingTheField("dotdot", escaping, "spec.data.path", null);
    }

    /**
     * Runs created while the reconciler was a JOSDK Cleaner carry its finalizer; nothing removes it any more, so a
     * deletion (and the deletion of the namespace) would hang: the operator drops it when it sees such a run.
     */
    @Test
    void aRunStillCarryingTheOldFinalizerIsReleasedSoItsDeletionDoesNotHang() {
        DenseCLRun run = new DenseCLRun();
        run.setMetadata(new ObjectMetaBuilder()
                .withName("old")
                .withNamespace(loop.namespace)
                .withFinalizers("denseclruns.densecl.io/finalizer")
                .build());
        run.setSpec(Fixtures.spec());
        client.resource(run).create();
        client.resources(DenseCLRun.class)
                .inNamespace(loop.namespace)
                .withName("old")
                .delete();
        DenseCLRun terminating = loop.run("old");
        assertThat(terminating.getMetadata().getDeletionTimestamp())
                .as("held by the finalizer")
                .isNotNull();
        loop.controller.dropLegacyFinalizer(terminating);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> loop.run("old") == null);
    }

    private static String completeIn(String dir, int epoch, long step) {
        return "{\"result\":\"Complete\",\"epoch\":" + epoch + ",\"step\":" + step + ",\"checkpoint\":\"" + dir
                + "/ckpt-e" + epoch + "-s" + step + "\"}";
    }
}
