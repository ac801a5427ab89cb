package io.densecl.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run under the real Kueue (plain-Pod integration) on the local cluster: the trainer pod is gated until Kueue
 * admits its workload; a higher-priority pod in the same ClusterQueue makes Kueue preempt it, the trainer
 * checkpoints on SIGTERM, the run counts a disruption (not a failure), and the next attempt is admitted once the
 * preemptor finishes and resumes from the checkpoint. Opt-in (DENSECL_KUEUE=1): it builds Kueue on first use.
 */
class KueueEndToEndTest {
    static final Path REPO = LocalEndToEndTest.REPO;
    /** Shared with LocalEndToEndTest, whose waits read pod logs and claims under it. */
    static final Path state = LocalEndToEndTest.state;

    static final String GATE = "kueue.x-k8s.io/admission";
    static LocalCluster cluster;
    static KueueManager kueue;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(
                "1".equals(System.getenv("DENSECL_KUEUE")),
                "Kueue end-to-end test is opt-in: set DENSECL_KUEUE=1 (builds Kueue with tools/kube/build.sh --with-kueue on first use)");
        Assumptions.assumeTrue(
                io.densecl.controlplane.KubeBinaries.shouldRun(), "control plane not built: run tools/kube/build.sh");
        Path dir = KueueManager.locate(REPO);
        if (Files.exists(state)) {
            try (var walk = Files.walk(state)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        cluster = LocalCluster.start(REPO, state, LocalCluster.Options.defaults());
        LocalEndToEndTest.cluster = cluster; // reuse its waits
        cluster.client().namespaces().withName("default").edit(n -> {
            n.getMetadata().getLabels().put(KueueManager.MANAGED_LABEL, "true");
            return n;
        });
        kueue = KueueManager.start(dir, cluster.client(), cluster.kubeconfig(), state.resolve("kueue"));
        apply("""
                apiVersion: kueue.x-k8s.io/v1beta2
                kind: ResourceFlavor
                metadata: {name: local}
                ---
                apiVersion: kueue.x-k8s.io/v1beta2
                kind: ClusterQueue
                metadata: {name: research}
                spec:
                  namespaceSelector: {}
                  preemption: {withinClusterQueue: LowerPriority}
                  resourceGroups:
                    - coveredResources: [cpu, memory]
                      flavors:
                        - name: local
                          resources:
                            - {name: cpu, nominalQuota: 2}
                            - {name: memory, nominalQuota: 16Gi}
                ---
                apiVersion: kueue.x-k8s.io/v1beta2
                kind: LocalQueue
                metadata: {name: team-a, namespace: default}
                spec: {clusterQueue: research}
                ---
                apiVersion: kueue.x-k8s.io/v1beta2
                kind: WorkloadPriorityClass
                metadata: {name: urgent}
                value: 1000
                """);
    }

    @AfterAll
    static void stop() {
        if (kueue != null) kueue.close();
        if (cluster != null) cluster.close();
    }

    static void apply(String yaml) {
        for (var item : cluster.client()
                .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                .items()) {
            cluster.client().resource(item).createOr(NonDeletingOperation::update);
        }
    }

    /** A plain pod in the queue: {@code cpu} of quota for {@code seconds}, optionally with a WorkloadPriorityClass. */
    static void queuedSleeper(String name, String cpu, int seconds, String priorityClass) {
        var b = new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .addToLabels("kueue.x-k8s.io/queue-name", "team-a")
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("main")
                .withImage("busybox")
                .withCommand("sleep", Integer.toString(seconds))
                .withNewResources()
                .addToRequests("cpu", new Quantity(cpu))
                .addToRequests("memory", new Quantity("64Mi"))
                .endResources()
                .endContainer()
                .endSpec();
        Pod pod = b.build();
        if (priorityClass != null) pod.getMetadata().getLabels().put("kueue.x-k8s.io/priority-class", priorityClass);
        cluster.client().pods().resource(pod).create();
    }

    static Pod awaitPod(String name, Duration timeout, String what, Predicate<Pod> done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Pod p = null;
        while (System.nanoTime() < deadline) {
            p = cluster.client().pods().inNamespace("default").withName(name).get();
            if (p != null && done.test(p)) return p;
            if (!kueue.alive()) throw new AssertionError("kueue died; see " + kueue.log() + ":\n" + kueue.tail());
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting for pod " + name + " to " + what + "; last: "
                + (p == null ? null : p.getSpec().getSchedulingGates() + " " + p.getStatus()));
    }

    static boolean gated(Pod p) {
        return p.getSpec().getSchedulingGates() != null
                && p.getSpec().getSchedulingGates().stream().anyMatch(g -> GATE.equals(g.getName()));
    }

    static boolean running(Pod p) {
        return p.getStatus() != null && "Running".equals(p.getStatus().getPhase());
    }

    @Test
    void gatedUntilAdmittedThenPreemptedCheckpointsAndResumesWhenReadmitted() throws Exception {
        // a blocker holds 1 of the queue's 2 cpu: the 2-cpu trainer must wait for it
        queuedSleeper("blocker", "1", 20, null);
        awaitPod("blocker", Duration.ofMinutes(1), "be admitted and run", p -> !gated(p) && running(p));

        String yaml = Files.readString(Path.of("src/test/resources/e2e-run.yaml"))
                .replace("NAME", "kueue-run")
                .replace("EPOCHS", "4")
                .replace("  name: kueue-run\n", "  name: kueue-run\n  labels: {kueue.x-k8s.io/queue-name: team-a}\n");
        Path f = state.resolve("kueue-run.yaml");
        Files.writeString(f, yaml);
        cluster.apply(f);

        // (a) Kueue's webhook gated the operator's pod; it stays Pending while the quota is taken
        Pod a1 = awaitPod("kueue-run-a1", Duration.ofMinutes(1), "exist", p -> true);
        assertThat(gated(a1))
                .as(
                        "trainer pod carries Kueue's scheduling gate: %s",
                        a1.getSpec().getSchedulingGates())
                .isTrue();
        assertThat(a1.getMetadata().getLabels())
                .containsEntry("kueue.x-k8s.io/managed", "true")
                .containsEntry("kueue.x-k8s.io/queue-name", "team-a");
        Thread.sleep(5_000);
        a1 = cluster.client()
                .pods()
                .inNamespace("default")
                .withName("kueue-run-a1")
                .get();
        assertThat(gated(a1))
                .as("still gated while the blocker holds the quota")
                .isTrue();
        assertThat(a1.getSpec().getNodeName()).isNull();
        awaitPod(
                "kueue-run-a1",
                Duration.ofMinutes(2),
                "be admitted (gate removed) and run once the blocker finished",
                p -> !gated(p) && running(p));
        assertThat(cluster.client()
                        .pods()
                        .inNamespace("default")
                        .withName("blocker")
                        .get()
                        .getStatus()
                        .getPhase())
                .isEqualTo("Succeeded");

        // (b) a committed checkpoint, then an urgent pod needing 1 cpu: Kueue preempts the trainer
        long checkpointStep =
                LocalEndToEndTest.awaitCommittedCheckpoint("kueue-run", "kueue-run-a1", Duration.ofMinutes(6));
        queuedSleeper("urgent", "1", 20, "urgent");
        Pod preempted = awaitPod(
                "kueue-run-a1",
                Duration.ofMinutes(2),
                "be preempted by Kueue",
                p -> p.getStatus().getConditions().stream().anyMatch(c -> "TerminationTarget".equals(c.getType())));
        assertThat(preempted.getStatus().getConditions())
                .anyMatch(c -> "TerminationTarget".equals(c.getType())
                        && "True".equals(c.getStatus())
                        && "WorkloadEvictedDueToPreempted".equals(c.getReason())
                        && c.getMessage().contains("Preempted to accommodate a workload"));
        awaitPod("urgent", Duration.ofMinutes(2), "run", p -> !gated(p) && running(p));
        LocalEndToEndTest.awaitLog("kueue-run-a1", "CHECKPOINTED on SIGTERM", Duration.ofMinutes(2));

        // the next attempt waits in the queue for the urgent pod, then resumes from the SIGTERM checkpoint
        Pod a2 = awaitPod("kueue-run-a2", Duration.ofMinutes(2), "be created", p -> true);
        if (!"Succeeded"
                .equals(cluster.client()
                        .pods()
                        .inNamespace("default")
                        .withName("urgent")
                        .get()
                        .getStatus()
                        .getPhase())) {
            assertThat(gated(a2) || a2.getSpec().getNodeName() == null)
                    .as("attempt 2 queued while the urgent pod runs")
                    .isTrue();
        }
        GenericKubernetesResource r = LocalEndToEndTest.await(
                "kueue-run",
                Duration.ofMinutes(4),
                "start attempt 2 from the checkpoint",
                x -> LocalEndToEndTest.num(x, "status", "attempt", "index") == 2
                        && LocalEndToEndTest.at(x, "status", "attempt", "resumedFrom") != null);
        assertThat(LocalEndToEndTest.num(r, "status", "restarts", "disruptions"))
                .isEqualTo(1);
        assertThat(LocalEndToEndTest.num(r, "status", "restarts", "counted")).isZero();
        long resumed = Long.parseLong(
                ((String) LocalEndToEndTest.at(r, "status", "attempt", "resumedFrom")).replaceAll(".*-s", ""));
        assertThat(resumed).isGreaterThanOrEqualTo(checkpointStep);
        // status names the checkpoint when the attempt is created; the pod itself starts only once Kueue re-admits it
        awaitPod("kueue-run-a2", Duration.ofMinutes(3), "be re-admitted and run", p -> !gated(p) && running(p));
        assertThat(cluster.client()
                        .pods()
                        .inNamespace("default")
                        .withName("urgent")
                        .get()
                        .getStatus()
                        .getPhase())
                .as("re-admitted only after the preemptor finished")
                .isEqualTo("Succeeded");
        LocalEndToEndTest.awaitLog("kueue-run-a2", "INFO resuming from", Duration.ofMinutes(3));
    }
}
