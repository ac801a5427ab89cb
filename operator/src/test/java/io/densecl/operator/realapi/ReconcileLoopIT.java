package io.densecl.operator.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.Fixtures;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.loop.FakeKubelet;
import io.densecl.operator.loop.MutableClock;
import io.densecl.operator.loop.ReconcileLoopScenarios;
import io.densecl.operator.resources.ChildNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reconcile-loop scenarios on the real kube-apiserver with its controller-manager: schema defaulting and
 * CEL on every write, the status subresource, the garbage collector, and graceful deletion of pods bound to a
 * (fake) node whose kubelet identity writes their status. Where the scenario itself must differ from the mock,
 * the method is overridden here and says why.
 */
class ReconcileLoopIT extends ReconcileLoopScenarios {

    static final List<String> NAMESPACES = new ArrayList<>();

    @BeforeAll
    static void controlPlane() throws Exception {
        RealApi.assumeAvailable();
        RealApi.installCrd();
        FakeNode.shared();
    }

    @AfterAll
    static void deleteNamespaces() {
        if (!NAMESPACES.isEmpty()) {
            RealApi.deleteNamespaces(NAMESPACES);
        }
    }

    @Override
    protected KubernetesClient client() {
        return RealApi.admin();
    }

    @Override
    protected String newNamespace() {
        String ns = RealApi.namespace("loop");
        NAMESPACES.add(ns);
        return ns;
    }

    @Override
    protected FakeKubelet kubelet(String namespace, MutableClock clock) {
        return FakeKubelet.onNode(RealApi.admin(), namespace, clock, FakeNode.shared());
    }

    /** The garbage collector deletes the children; bound pods still running need their kubelet to finish. */
    @Override
    protected void awaitChildrenCollected(String run) {
        await("the garbage collector removed the children of " + run, () -> {
            loop.kubelet.finishDeletions();
            return loop.pods(run).isEmpty()
                    && client.configMaps()
                                    .inNamespace(loop.namespace)
                                    .withName(ChildNames.config(run))
                                    .get()
                            == null;
        });
    }

    /** Orphan propagation: the garbage collector strips the owner references, then lets the run go. */
    @Override
    protected void deleteOrphaningChildren(DenseCLRun run) {
        String name = run.getMetadata().getName();
        client.resource(run).withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
        await(
                "the run is gone and its pods are orphans",
                () -> loop.run(name) == null
                        && loop.pods(name).stream()
                                .allMatch(p -> p.getMetadata().getOwnerReferences() == null
                                        || p.getMetadata().getOwnerReferences().isEmpty()));
    }

    /** The garbage collector marks the old pod for deletion (graceful: it is bound and running); the kubelet ends it. */
    @Override
    protected void retireOldPod(String pod) {
        await(
                "the garbage collector marked " + pod + " for deletion",
                () -> loop.kubelet.get(pod) == null
                        || loop.kubelet.get(pod).getMetadata().getDeletionTimestamp() != null);
        loop.kubelet.finishDeletions();
        await(pod + " is gone", () -> loop.kubelet.get(pod) == null);
    }

    /**
     * Differs from the mock, which has no garbage collector and so keeps the old run's Succeeded pod until the test
     * deletes it: here the collector deletes it within moments (a terminated pod has no grace period), so it can
     * hold the name {@code r-a1} only for that long. The scenario re-creates the run once the old pod is gone and
     * checks what matters: the new run's own {@code r-a1}, its own directory, its ConfigMap adopted or re-created.
     */
    @Override
    @Test
    protected void childrenOfADeletedRunWithTheSameNameAreNotMistakenForTheNewRuns() {
        DenseCLRun first = create("r", Fixtures.spec());
        loop.settle("r");
        String oldDir = loop.run("r").getStatus().checkpoint.dir;
        loop.kubelet.start("r-a1");
        loop.kubelet.exit("r-a1", 0, "Completed", "{\"result\":\"Complete\",\"epoch\":2,\"step\":40}");
        assertThat(loop.settle("r").getStatus().phase).isEqualTo(Phase.Succeeded);

        client.resource(loop.run("r")).delete();
        loop.controller.forget(first);
        await("the garbage collector deleted the old pod", () -> loop.pods("r").isEmpty());
        DenseCLRunSpec changed = Fixtures.spec();
        changed.training.lr = 0.06;
        String uid = create("r", changed).getMetadata().getUid();

        DenseCLRun run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Starting);
        assertThat(run.getStatus().checkpoint.dir).isNotEqualTo(oldDir);
        assertThat(run.getStatus().attempt.index).isEqualTo(1);
        ConfigMap config = client.configMaps()
                .inNamespace(loop.namespace)
                .withName("r-config")
                .get();
        assertThat(config.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(
                        o -> assertThat(o.getUid()).as("adopted or re-created").isEqualTo(uid));
        assertThat(config.getData().get("run.json")).contains(run.getStatus().checkpoint.dir);
        Pod pod = loop.kubelet.get("r-a1");
        assertThat(pod.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
    }

    /**
     * Only the real server has admission: a ResourceQuota that allows no pods refuses the trainer's create with 403.
     * The refusal reaches the status (ActionFailed, and a Warning Event), the run records no attempt that was never
     * created, and the operator keeps retrying with back-off (not JOSDK's five tries) until the quota allows it.
     */
    @Test
    void aCreateTheApiServerRefusesReachesTheStatusAndIsRetriedUntilItPasses() {
        client.resource(new ResourceQuotaBuilder()
                        .withNewMetadata()
                        .withName("no-pods")
                        .withNamespace(loop.namespace)
                        .endMetadata()
                        .withNewSpec()
                        .addToHard("pods", new Quantity("0"))
                        .endSpec()
                        .build())
                .create();
        create("r", Fixtures.spec());
        DenseCLRun run = loop.reconcile("r");
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            run = loop.reconcile("r");
            waits.add(loop.last.requeueAfter());
        }
        assertThat(run.getStatus().attempt)
                .as("an attempt never created is not recorded")
                .isNull();
        assertThat(run.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("ActionFailed");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("Forbidden");
            assertThat(c.getMessage()).contains("creating attempt 1's pod", "quota");
        });
        assertThat(run.getStatus().message).contains("quota");
        assertThat(waits).as("retried with growing back-off").isSorted().last().isEqualTo(Duration.ofSeconds(300));
        assertThat(client.v1().events().inNamespace(loop.namespace).list().getItems())
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ActionFailed"));
        assertThat(loop.pods("r")).isEmpty();

        client.resources(ResourceQuota.class)
                .inNamespace(loop.namespace)
                .withName("no-pods")
                .delete();
        await(
                "the quota is gone and the trainer created",
                () -> loop.reconcile("r").getStatus().attempt != null);
        run = loop.settle("r");
        assertThat(run.getStatus().phase).isEqualTo(Phase.Starting);
        assertThat(run.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("ActionFailed");
            assertThat(c.getStatus()).isEqualTo("False");
        });
        assertThat(loop.kubelet.get("r-a1")).isNotNull();
    }

    private DenseCLRun create(String name, DenseCLRunSpec spec) {
        DenseCLRun run = new DenseCLRun();
        run.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(loop.namespace)
                .build());
        run.setSpec(spec);
        return client.resource(run).create();
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting until " + what).isLessThan(deadline);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
