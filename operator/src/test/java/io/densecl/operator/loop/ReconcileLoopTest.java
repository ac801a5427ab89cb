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
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Full scenarios of the reconcile loop on the Fabric8 mock API server (CRUD mode) with a fake kubelet. */
@EnableKubernetesMockClient(crud = true)
class ReconcileLoopTest {

    static KubernetesClient client;
    static final AtomicInteger NS = new AtomicInteger();

    LoopHarness loop;

    @BeforeEach
    void setUp() {
        String ns = "ml" + NS.incrementAndGet();
        loop = new LoopHarness(client, ns, new MutableClock(Fixtures.T0));
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("densecl-data").withNamespace(ns)
                .endMetadata().withNewSpec().withAccessModes("ReadOnlyMany").endSpec().build()).create();
    }

    DenseCLRun create(String name, DenseCLRunSpec spec) {
        DenseCLRun run = new DenseCLRun();
        run.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(loop.namespace).build());
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
        assertThat(run.getStatus().observedGeneration).isEqualTo(created.getMetadata().getGeneration());
        assertThat(loop.kubelet.get("r-a1")).isNotNull();
        ConfigMap config = client.configMaps().inNamespace(loop.namespace).withName("r-config").get();
        String dir = ChildNames.checkpointDir(loop.namespace, "r", created.getMetadata().getUid(), spec);
        assertThat(dir).matches("/checkpoints/" + loop.namespace + "/r-[0-9a-f]{8}");
        assertThat(config.getData().get("run.json")).contains("\"dir\" : \"" + dir + "\"");
        assertThat(run.getStatus().checkpoint.dir).isEqualTo(dir);
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(loop.namespace).withName("r-checkpoints").get();
        assertThat(claim.getMetadata().getOwnerReferences()).isEmpty(); // Retain by default

        String ip = loop.kubelet.start("r-a1");
        loop.progress.set(ip, Fixtures.progress(2, 30, 40, 1, 20L));
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Running);
        assertThat(run.getStatus().progress.percent).isEqualTo(75);
        assertThat(run.getStatus().checkpoint.latest.epoch).isEqualTo(1);
        assertThat(run.getStatus().attempt.node).isEqualTo("node-1");
        assertThat(loop.last.requeueAfter()).isNotNull(); // keeps polling progress while running

        loop.kubelet.exit("r-a1", 0, "Completed", Fixtures.complete(2, 40));
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Evaluating);
        var evalPod = loop.kubelet.get("r-eval-seg");
        assertThat(evalPod.getSpec().getContainers().get(0).getCommand()).contains("evaluate", "--checkpoint",
                "/checkpoints/ml/r-0123abcd/ckpt-e2-s40");

        loop.kubelet.start("r-eval-seg");
        loop.kubelet.exit("r-eval-seg", 0, "Completed", Fixtures.segResult(0.41, 2));
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Succeeded);
        assertThat(run.getStatus().bestEvaluation).isEqualTo("seg mIoU=0.41 (e2)");
        assertThat(run.getStatus().evaluations).singleElement().satisfies(e -> assertThat(e.metrics).containsEntry("mIoU", 0.41));
        assertThat(run.getStatus().completionTime).isNotNull();
        assertThat(run.getStatus().restarts.total).isZero();
        assertThat(client.resources(Event.class).inNamespace(loop.namespace).list().getItems())
                .extracting(Event::getReason).contains("PodCreated", "TrainerRunning", "Evaluating", "Complete");
        assertThat(loop.meters.get(OperatorMetrics.RUNS).tag("phase", "Succeeded").gauge().value()).isEqualTo(1.0);
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
        assertThat(loop.meters.get(OperatorMetrics.RESTARTS).tag("kind", "Disruption").counter().count()).isEqualTo(1.0);
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
                assertThat(loop.kubelet.get("r-a" + (attempt + 1))).as("no restart before the back-off").isNull();
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
        assertThat(loop.kubelet.get("r-a1")).as("deleted: the trainer checkpoints on SIGTERM").isNull();

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
        assertThat(loop.kubelet.get("r-a1")).isNull();
        assertThat(run.getStatus().lostWorkSeconds).isGreaterThanOrEqualTo(601);
    }

    @Test
    void invalidSpecsAreRejectedNamingTheField() {
        // The mock API server has no schema validation: the operator's own check (the trainer's validator) must hold.
        DenseCLRunSpec oddImageSize = Fixtures.spec();
        oddImageSize.training.imageSize = 100;
        create("bad", oddImageSize);
        DenseCLRun run = loop.settle("bad");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Failed);
        assertThat(run.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Accepted");
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getMessage()).startsWith("spec.training.imageSize: must be a multiple of 32");
        });
        assertThat(run.getStatus().lastFailure.field).isEqualTo("spec.training.imageSize");
        assertThat(loop.pods("bad")).isEmpty();
        assertThat(loop.client.configMaps().inNamespace(loop.namespace).withName("bad-config").get()).isNull();
        DenseCLRunSpec noWorkers = Fixtures.spec();
        noWorkers.training.workers = 0;
        create("noworkers", noWorkers);
        run = loop.settle("noworkers");
        assertThat(run.getStatus().lastFailure.field).isEqualTo("spec.training.workers");
        assertThat(loop.pods("noworkers")).isEmpty();
        DenseCLRunSpec noClaim = Fixtures.spec();
        noClaim.data.claimName = "missing";
        create("nodata", noClaim);
        run = loop.settle("nodata");
        assertThat(run.getStatus().lastFailure.field).isEqualTo("spec.data.claimName");
        assertThat(loop.pods("nodata")).isEmpty();
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
        RunConfig config = RunConfigJson.read(client.configMaps().inNamespace(loop.namespace).withName("warm-config").get()
                .getData().get(ChildNames.CONFIG_KEY));
        assertThat(config.resume.fromDir).isEqualTo(baseDir);
        assertThat(config.resume.warmStart).isTrue();
        assertThat(config.resume.mode).isEqualTo(ResumeMode.Auto);
        assertThat(loop.pods("warm")).hasSize(1);
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
        assertThat(loop.meters.find(OperatorMetrics.CHECKPOINT_TIMESTAMP).tag("run", "r").gauge()).isNotNull();

        // A GitOps re-sync deletes and re-creates the run. The mock server has no garbage collector: remove the
        // owned children by hand; the checkpoint claim (onDelete Retain) stays. The Cleaner forgets the run.
        client.resource(loop.run("r")).delete();
        client.pods().inNamespace(loop.namespace).withLabel(ChildNames.LABEL_RUN, "r").delete();
        client.configMaps().inNamespace(loop.namespace).withName("r-config").delete();
        loop.controller.forget(first);
        assertThat(loop.meters.find(OperatorMetrics.CHECKPOINT_TIMESTAMP).tag("run", "r").gauge()).isNull();
        DenseCLRunSpec same = Fixtures.spec();
        same.evaluations.add(Fixtures.segmentation("seg"));
        DenseCLRun again = create("r", same);
        assertThat(again.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid());

        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().checkpoint.dir).isEqualTo(dir);
        assertThat(client.configMaps().inNamespace(loop.namespace).withName("r-config").get().getData().get("run.json"))
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
        assertThat(ChildNames.checkpointDir(loop.namespace, "r", again.getMetadata().getUid(), changed)).isNotEqualTo(dir);
    }

    @Test
    void childrenOfADeletedRunWithTheSameNameAreNotMistakenForTheNewRuns() {
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
        assertThat(run.getStatus().phase).as("the old pod's Complete is not this run's").isNotEqualTo(Phase.Succeeded);
        assertThat(run.getStatus().checkpoint.dir).isNotEqualTo(oldDir);
        ConfigMap config = client.configMaps().inNamespace(loop.namespace).withName("r-config").get();
        assertThat(config.getMetadata().getOwnerReferences()).singleElement()
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
            assertThat(p.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
        });
    }

    private static String completeIn(String dir, int epoch, long step) {
        return "{\"result\":\"Complete\",\"epoch\":" + epoch + ",\"step\":" + step + ",\"checkpoint\":\"" + dir
                + "/ckpt-e" + epoch + "-s" + step + "\"}";
    }
}
