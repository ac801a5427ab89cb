package io.densecl.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real system on one machine: a real control plane (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler), the packaged operator, trainer pods as real processes on a registered node. The node
 * crashes under a training pod: the node lifecycle controller marks it unreachable, taints it and evicts the
 * pod with DisruptionTarget; the node comes back and the run resumes from its checkpoint without charging the
 * failure budget. Suspend/resume checkpoints and continues; a spec the server's CEL refuses never reaches the
 * operator; trainer config errors fail with the field named and no retries.
 */
class LocalEndToEndTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    /** Kept after the run (pod logs, operator log, claims) for diagnosis; cleared at the start. */
    static final Path state = Path.of("target/e2e-state").toAbsolutePath();

    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(
                io.densecl.controlplane.KubeBinaries.shouldRun(), "control plane not built: run tools/kube/build.sh");
        if (Files.exists(state)) {
            try (var walk = Files.walk(state)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        // two nodes: the node lifecycle controller evicts from a lost node only while its zone has a healthy one
        cluster =
                LocalCluster.start(REPO, state, LocalCluster.Options.defaults().withNodes(2));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    static Path manifest(String name, int epochs, String extra) throws IOException {
        String yaml = Files.readString(Path.of("src/test/resources/e2e-run.yaml"))
                .replace("NAME", name)
                .replace("EPOCHS", Integer.toString(epochs));
        Path f = state.resolve(name + ".yaml");
        Files.writeString(f, yaml + extra);
        return f;
    }

    static GenericKubernetesResource await(
            String name, Duration timeout, String what, Predicate<GenericKubernetesResource> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        GenericKubernetesResource r = null;
        while (System.nanoTime() < deadline) {
            r = cluster.run("default", name);
            if (r != null && done.test(r)) return r;
            if (!cluster.operatorAlive())
                throw new AssertionError("operator died; see " + state.resolve("operator.log"));
            Thread.sleep(500);
        }
        throw new AssertionError("timed out waiting for " + name + " to " + what + "; last status: "
                + (r == null ? null : r.getAdditionalProperties().get("status")));
    }

    /** Waits until the container log of a pod's current directory contains {@code text}. */
    static void awaitLog(String pod, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Files.readString(podDir(pod).resolve("container.log")).contains(text)) return;
            } catch (java.util.NoSuchElementException | IOException notYet) {
                // the pod has not started yet
            }
            if (!cluster.operatorAlive())
                throw new AssertionError("operator died; see " + state.resolve("operator.log"));
            Thread.sleep(200);
        }
        throw new AssertionError(pod + " never logged '" + text + "' within " + timeout);
    }

    /** Waits for a checkpoint with its MANIFEST.json in the run's claim while its pod runs; returns its global step. */
    static long awaitCommittedCheckpoint(String run, String pod, Duration timeout) throws Exception {
        Path claim = state.resolve("claims/default/" + run + "-checkpoints");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(claim)) {
                try (var walk = Files.walk(claim, 4)) {
                    var step = walk.filter(p -> p.getFileName().toString().equals("MANIFEST.json"))
                            .map(p -> p.getParent().getFileName().toString())
                            .filter(n -> n.matches("ckpt-e\\d+-s\\d+"))
                            .mapToLong(n -> Long.parseLong(n.replaceAll(".*-s", "")))
                            .max();
                    var p = cluster.client()
                            .pods()
                            .inNamespace("default")
                            .withName(pod)
                            .get();
                    if (step.isPresent()
                            && p != null
                            && p.getStatus() != null
                            && "Running".equals(p.getStatus().getPhase())) {
                        return step.getAsLong();
                    }
                }
            }
            if (!cluster.operatorAlive())
                throw new AssertionError("operator died; see " + state.resolve("operator.log"));
            Thread.sleep(200);
        }
        throw new AssertionError("no committed checkpoint of " + run + " while " + pod + " ran, within " + timeout);
    }

    static io.fabric8.kubernetes.api.model.Pod awaitPod(
            String name, Duration timeout, String what, Predicate<io.fabric8.kubernetes.api.model.Pod> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        io.fabric8.kubernetes.api.model.Pod p = null;
        while (System.nanoTime() < deadline) {
            p = cluster.client().pods().inNamespace("default").withName(name).get();
            if (p != null && done.test(p)) return p;
            Thread.sleep(500);
        }
        throw new AssertionError(
                "timed out waiting for pod " + name + " to " + what + "; last: " + (p == null ? null : p.getStatus()));
    }

    static Object at(GenericKubernetesResource r, String... path) {
        return StatusPrinter.at(r, path);
    }

    static long num(GenericKubernetesResource r, String... path) {
        Object v = at(r, path);
        return v == null ? -1 : ((Number) v).longValue();
    }

    @Test
    void nodeLossResumesFromTheCheckpointWithoutChargingTheBudgetThenEvaluates() throws Exception {
        cluster.apply(manifest("e2e-node-loss", 6, ""));
        // Crash on evidence on disk, not on status: the operator polls progress every 5 s, and on a fast machine the
        // whole run can finish between two polls. A committed checkpoint while the pod runs is what the test needs.
        long checkpointStep = awaitCommittedCheckpoint("e2e-node-loss", "e2e-node-loss-a1", Duration.ofMinutes(5));
        GenericKubernetesResource r;
        String node = cluster.client()
                .pods()
                .inNamespace("default")
                .withName("e2e-node-loss-a1")
                .get()
                .getSpec()
                .getNodeName();
        cluster.crashNode(node);
        // the controller-manager, not the test, decides that the node is gone and evicts the pod
        var evicted = awaitPod(
                "e2e-node-loss-a1",
                Duration.ofMinutes(2),
                "be evicted from the unreachable node",
                p -> p.getMetadata().getDeletionTimestamp() != null
                        && p.getStatus().getConditions().stream()
                                .anyMatch(c -> "DisruptionTarget".equals(c.getType()) && "True".equals(c.getStatus())));
        assertThat(evicted.getStatus().getConditions())
                .anyMatch(
                        c -> "DisruptionTarget".equals(c.getType()) && "DeletionByTaintManager".equals(c.getReason()));
        assertThat(cluster.client().nodes().withName(node).get().getSpec().getTaints())
                .anyMatch(
                        t -> "node.kubernetes.io/unreachable".equals(t.getKey()) && "NoExecute".equals(t.getEffect()));
        cluster.recoverNode(node); // the node reboots: its kubelet finishes the old pod, the node is Ready again

        r = await(
                "e2e-node-loss",
                Duration.ofMinutes(3),
                "start attempt 2",
                x -> num(x, "status", "attempt", "index") == 2 && at(x, "status", "attempt", "resumedFrom") != null);
        assertThat(num(r, "status", "restarts", "disruptions")).isEqualTo(1);
        assertThat(num(r, "status", "restarts", "counted")).isZero();
        assertThat((String) at(r, "status", "attempt", "resumedFrom"))
                .as("attempt 2 resumed from the checkpoint, not from scratch")
                .matches("e\\d+-s\\d+")
                .isNotEqualTo("e0-s0");
        long resumedStep = Long.parseLong(((String) at(r, "status", "attempt", "resumedFrom")).replaceAll(".*-s", ""));
        assertThat(resumedStep).isGreaterThanOrEqualTo(checkpointStep);

        r = await(
                "e2e-node-loss",
                Duration.ofMinutes(8),
                "succeed",
                x -> "Succeeded".equals(at(x, "status", "phase")) || "Failed".equals(at(x, "status", "phase")));
        assertThat(at(r, "status", "phase"))
                .withFailMessage("run failed: %s", r.getAdditionalProperties().get("status"))
                .isEqualTo("Succeeded");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> evals = (List<Map<String, Object>>) at(r, "status", "evaluations");
        assertThat(evals).hasSize(1);
        assertThat(evals.get(0).get("state")).isEqualTo("Succeeded");
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) evals.get(0).get("metrics");
        assertThat(((Number) metrics.get("mIoU")).doubleValue()).isBetween(0.0, 1.0);
        assertThat(num(r, "status", "restarts", "counted")).isZero();
        assertThat(num(r, "status", "progress", "epoch")).isEqualTo(6);
        assertThat(at(r, "status", "bestEvaluation")).isNotNull();
    }

    @Test
    void suspendCheckpointsAndResumeContinues() throws Exception {
        cluster.apply(manifest("e2e-suspend", 6, ""));
        // on the trainer's own log, not on status (polled every 5 s: a fast machine could finish before it shows)
        awaitLog("e2e-suspend-a1", "step 2/", Duration.ofMinutes(5));
        patchSuspend("e2e-suspend", true);
        GenericKubernetesResource r = await(
                "e2e-suspend", Duration.ofMinutes(3), "suspend", x -> "Suspended".equals(at(x, "status", "phase")));
        // graceful deletion: the trainer finishes its step, checkpoints on SIGTERM and exits 75; then the pod goes
        await(
                "e2e-suspend",
                Duration.ofMinutes(2),
                "drop its pod",
                x -> cluster.client()
                                .pods()
                                .inNamespace("default")
                                .withName("e2e-suspend-a1")
                                .get()
                        == null);
        assertThat(Files.readString(podDir("e2e-suspend-a1").resolve("container.log")))
                .contains("CHECKPOINTED on SIGTERM");
        patchSuspend("e2e-suspend", false);
        r = await(
                "e2e-suspend",
                Duration.ofMinutes(8),
                "finish",
                x -> "Succeeded".equals(at(x, "status", "phase")) || "Failed".equals(at(x, "status", "phase")));
        assertThat(at(r, "status", "phase"))
                .withFailMessage("run failed: %s", r.getAdditionalProperties().get("status"))
                .isEqualTo("Succeeded");
        assertThat(num(r, "status", "restarts", "counted")).isZero();
        assertThat(num(r, "status", "attempt", "index")).isGreaterThanOrEqualTo(2);
        assertThat(Files.readString(podDir("e2e-suspend-a2").resolve("container.log")))
                .as("attempt 2 resumed from the SIGTERM checkpoint")
                .contains("INFO resuming from");
    }

    @Test
    void deletingARunStopsAndRemovesItsPods() throws Exception {
        cluster.apply(manifest("e2e-delete", 20, ""));
        await("e2e-delete", Duration.ofMinutes(5), "train", x -> num(x, "status", "progress", "step") >= 1);
        cluster.client()
                .genericKubernetesResources(LocalCluster.API_VERSION, LocalCluster.KIND)
                .inNamespace("default")
                .withName("e2e-delete")
                .delete();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline
                && (cluster.run("default", "e2e-delete") != null
                        || cluster.client()
                                        .pods()
                                        .inNamespace("default")
                                        .withName("e2e-delete-a1")
                                        .get()
                                != null)) {
            Thread.sleep(500);
        }
        assertThat(cluster.run("default", "e2e-delete")).isNull();
        assertThat(cluster.client()
                        .pods()
                        .inNamespace("default")
                        .withName("e2e-delete-a1")
                        .get())
                .isNull();
        assertThat(cluster.client()
                        .configMaps()
                        .inNamespace("default")
                        .withLabel("densecl.io/run", "e2e-delete")
                        .list()
                        .getItems())
                .isEmpty();
        assertThat(Files.readString(podDir("e2e-delete-a1").resolve("container.log")))
                .contains("CHECKPOINTED on SIGTERM");
    }

    /** The local kubelet's directory of a pod (name plus uid prefix). */
    static Path podDir(String pod) throws IOException {
        try (var s = Files.list(state.resolve("pods/default"))) {
            return s.filter(p -> p.getFileName().toString().startsWith(pod + "-0")
                            || p.getFileName().toString().matches(java.util.regex.Pattern.quote(pod) + "-[0-9a-f]{8}"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    @Test
    void invalidSpecAndTrainerConfigErrorsFailWithTheFieldAndNoRetries() throws Exception {
        // 64 % 24 != 0: the API server's CEL rule refuses the object, so no pod can ever exist
        Path bad = manifest("e2e-invalid", 1, "").toAbsolutePath();
        Files.writeString(bad, Files.readString(bad).replace("batchSize: 16", "batchSize: 24"));
        assertThatThrownBy(() -> cluster.apply(bad))
                .isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
                .hasMessageContaining("spec.denseCL.queueSize must be divisible by spec.training.batchSize");
        assertThat(cluster.run("default", "e2e-invalid")).isNull();

        // a data path that does not exist in the claim: the trainer exits 78 naming data.path; never retried
        // (on a claim the user created, so local mode does not synthesise data into it)
        Path missing = manifest("e2e-config-error", 1, "").toAbsolutePath();
        Files.writeString(
                missing,
                Files.readString(missing)
                        .replace("e2e-data", "user-data")
                        .replace("path: train", "path: no-such-folder"));
        cluster.client()
                .persistentVolumeClaims()
                .inNamespace("default")
                .resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName("user-data")
                        .withNamespace("default")
                        .endMetadata()
                        .withNewSpec()
                        .withAccessModes("ReadWriteOnce")
                        .withNewResources()
                        .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                        .endResources()
                        .endSpec()
                        .build())
                .create();
        cluster.apply(missing);
        GenericKubernetesResource r = await(
                "e2e-config-error", Duration.ofMinutes(4), "fail", x -> "Failed".equals(at(x, "status", "phase")));
        assertThat(num(r, "status", "lastFailure", "exitCode")).isEqualTo(78);
        assertThat(String.valueOf(at(r, "status", "lastFailure", "message")) + at(r, "status", "lastFailure", "field"))
                .contains("data.path");
        assertThat(num(r, "status", "restarts", "total")).isZero();
        assertThat(cluster.client()
                        .pods()
                        .inNamespace("default")
                        .withName("e2e-config-error-a2")
                        .get())
                .isNull();
    }

    static void patchSuspend(String name, boolean suspend) {
        cluster.client()
                .genericKubernetesResources(LocalCluster.API_VERSION, LocalCluster.KIND)
                .inNamespace("default")
                .withName(name)
                .edit(r -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> spec =
                            (Map<String, Object>) r.getAdditionalProperties().get("spec");
                    spec.put("suspend", suspend);
                    return r;
                });
    }
}
