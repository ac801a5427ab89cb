package io.densecl.operator.realapi;

import static io.densecl.operator.realapi.Runs.await;
import static io.densecl.operator.realapi.Runs.awaitPhase;
import static io.densecl.operator.realapi.Runs.awaitRunningPod;
import static io.densecl.operator.realapi.Runs.complete;
import static io.densecl.operator.realapi.Runs.create;
import static io.densecl.operator.realapi.Runs.patch;
import static io.densecl.operator.realapi.Runs.pods;
import static io.densecl.operator.realapi.Runs.run;
import static io.densecl.operator.realapi.Runs.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.densecl.controlplane.ControlPlane;
import io.densecl.controlplane.KubeBinaries;
import io.densecl.controlplane.Kubeconfig;
import io.densecl.controlplane.OperatorProcess;
import io.densecl.operator.Fixtures;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.resources.ChildNames;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged operator ({@code java -jar target/quarkus-app/quarkus-run.jar}) against the real API server, as
 * the ServiceAccount the Quarkus build generates, bound to exactly the generated ClusterRole (a TokenRequest token in
 * a kubeconfig, verified TLS), with an {@link AutoKubelet} on a registered fake node and fake trainer endpoints.
 * Scenarios: a run in a restricted namespace from its trainer pod to Succeeded (with Events and the printer
 * columns); SIGKILL and restart mid-run, also right after a pod was created; writes racing the operator's writes;
 * delete and re-create with the same name while the old trainer is still writing its SIGTERM checkpoint; a
 * namespace deleted under a running trainer. Finally the operator's log must hold no 403 from any of it. One
 * operator process, restarted only where a scenario needs it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorProcessIT {

    static final String OPERATOR_NS = "densecl-system";
    static final Path WORK = Path.of("target", "realapi");
    static final Path LOG = WORK.resolve("operator.log");
    static final Pattern FORBIDDEN = Pattern.compile("(?i)forbidden|\\bcode[=: ]+403\\b|\\b403 Forbidden");

    static final List<String> namespaces = new ArrayList<>();
    static KubernetesClient admin;
    static String token;
    static FakeTrainers trainers;
    static AutoKubelet kubelet;
    static OperatorProcess operator;

    @BeforeAll
    static void start() throws Exception {
        RealApi.assumeAvailable();
        RealApi.installCrd();
        admin = RealApi.admin();
        Files.createDirectories(WORK);
        Files.deleteIfExists(LOG);
        String serviceAccount = GeneratedRbac.install(OPERATOR_NS);
        token = GeneratedRbac.token(OPERATOR_NS, serviceAccount);
        trainers = new FakeTrainers(freePort());
        kubelet = new AutoKubelet(FakeNode.shared(), trainers);
        operator = startOperator();
        Runs.diagnostics = () -> "operator log:\n" + operator.logTail(30);
    }

    @AfterAll
    static void stop() throws Exception {
        if (operator != null) {
            // runs first, while the operator still runs to remove its finalizers; then the namespaces, without
            // waiting for the namespace controller (it re-checks pods on the schedule of their grace periods)
            for (String n : namespaces) {
                admin.resources(DenseCLRun.class).inNamespace(n).delete();
            }
            await(
                    "the test runs deleted",
                    Duration.ofSeconds(60),
                    () -> namespaces.stream()
                                    .allMatch(n -> admin.resources(DenseCLRun.class)
                                            .inNamespace(n)
                                            .list()
                                            .getItems()
                                            .isEmpty())
                            ? true
                            : null);
            RealApi.deleteNamespaces(namespaces);
            operator.close();
        }
        if (kubelet != null) {
            kubelet.close();
        }
        if (trainers != null) {
            trainers.close();
        }
    }

    static OperatorProcess startOperator() throws IOException {
        ControlPlane cp = RealApi.controlPlane();
        Path kubeconfig = Kubeconfig.write(
                WORK.resolve("operator.kubeconfig"),
                cp.url(),
                cp.caPem(),
                "system:serviceaccount:" + OPERATOR_NS + ":densecl-operator",
                token,
                OPERATOR_NS);
        return OperatorProcess.builder(OperatorProcess.packagedJar(KubeBinaries.repositoryRoot()))
                .kubeconfig(kubeconfig)
                .jvmOptions(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"))
                .env("DENSECL_PROGRESS_PORT", Integer.toString(trainers.port()))
                .env("DENSECL_PROGRESS_INTERVAL", "1s")
                // As the chart sets it: each run gets its trainer NetworkPolicy (the generated Role must allow it)
                .env("DENSECL_NETWORK_POLICY_ENABLED", "true")
                .env("DENSECL_NETWORK_POLICY_OPERATOR_NAMESPACE", OPERATOR_NS)
                .env("DENSECL_NETWORK_POLICY_OPERATOR_POD_LABELS", "{\"app.kubernetes.io/name\":\"densecl-operator\"}")
                // JOSDK logs its retried conflicting patches at DEBUG
                .env("QUARKUS_LOG_CATEGORY__IO_JAVAOPERATORSDK_OPERATOR_API_RECONCILER__LEVEL", "DEBUG")
                .log(LOG)
                .start()
                .awaitReady(Duration.ofSeconds(120));
    }

    /** A managed namespace with the data claim the runs name (references are checked before the first pod). */
    static String namespace(String prefix, Map<String, String> labels) {
        String ns = RealApi.namespace(prefix, labels);
        namespaces.add(ns);
        kubelet.manage(ns);
        admin.resource(new PersistentVolumeClaimBuilder()
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
        return ns;
    }

    @Test
    @Order(1)
    void aRunInARestrictedNamespaceGoesFromItsTrainerPodToSucceeded() throws Exception {
        String ns = namespace(
                "op-life",
                Map.of(
                        "pod-security.kubernetes.io/enforce",
                        "restricted",
                        "pod-security.kubernetes.io/enforce-version",
                        "latest"));
        // Pod Security admission is enforcing here: an unhardened pod is refused
        var refused = catchThrowableOfType(
                KubernetesClientException.class,
                () -> admin.resource(new PodBuilder()
                                .withNewMetadata()
                                .withName("plain")
                                .withNamespace(ns)
                                .endMetadata()
                                .withNewSpec()
                                .addNewContainer()
                                .withName("c")
                                .withImage("busybox")
                                .endContainer()
                                .endSpec()
                                .build())
                        .dryRun()
                        .create());
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).contains("violates PodSecurity \"restricted:latest\"");

        DenseCLRunSpec spec = Fixtures.spec();
        spec.evaluations.add(Fixtures.segmentation("seg"));
        DenseCLRun created = create(ns, "r", spec);
        Pod pod = awaitRunningPod(ns, "r-a1");
        assertThat(pod.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o ->
                        assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));
        assertThat(pod.getSpec().getNodeName()).isEqualTo(FakeNode.shared().name());
        NetworkPolicy policy = admin.resources(NetworkPolicy.class)
                .inNamespace(ns)
                .withName(ChildNames.trainerPolicy("r"))
                .get();
        assertThat(policy)
                .as("the trainer NetworkPolicy in the run's namespace")
                .isNotNull();
        assertThat(policy.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o ->
                        assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));
        assertThat(policy.getSpec()
                        .getIngress()
                        .get(0)
                        .getFrom()
                        .get(0)
                        .getNamespaceSelector()
                        .getMatchLabels())
                .containsEntry("kubernetes.io/metadata.name", OPERATOR_NS);
        String dir = awaitPhase(ns, "r", Phase.Running).getStatus().checkpoint.dir;
        trainers.progress(kubelet.ip(ns, "r-a1"), FakeTrainers.document(1, 2, 20, 40, dir + "/ckpt-e1-s20", 1, 20L));
        DenseCLRun running = await("progress in the status", Duration.ofSeconds(30), () -> {
            DenseCLRun r = run(ns, "r");
            return r.getStatus().progress != null && Integer.valueOf(50).equals(r.getStatus().progress.percent)
                    ? r
                    : null;
        });
        assertThat(running.getStatus().checkpoint.latest.epoch).isEqualTo(1);
        RealApi.Result table = RealApi.kubectl("get", "dcl", "r", "-n", ns, "--no-headers");
        assertThat(table.out()).matches("(?s)r\\s+Running\\s+1\\s+50\\s+4\\.5\\s+1\\s+0\\s+\\d+s\\s*"); // no Best yet

        kubelet.exit(ns, "r-a1", 0, complete(dir, 2, 40));
        awaitPhase(ns, "r", Phase.Evaluating);
        Pod eval = awaitRunningPod(ns, "r-eval-seg");
        assertThat(eval.getSpec().getContainers().get(0).getCommand()).contains("--checkpoint", dir + "/ckpt-e2-s40");
        kubelet.exit(ns, "r-eval-seg", 0, Fixtures.segResult(0.41, 2));
        DenseCLRun done = awaitPhase(ns, "r", Phase.Succeeded);

        assertThat(done.getStatus().observedGeneration)
                .isEqualTo(done.getMetadata().getGeneration());
        assertThat(done.getStatus().bestEvaluation).isEqualTo("seg mIoU=0.41 (e2)");
        assertThat(done.getStatus().restarts.total).isZero();
        assertThat(done.getMetadata().getFinalizers())
                .as("no finalizer: deletions never wait for the operator")
                .isNullOrEmpty();
        RealApi.Result wait = RealApi.kubectl("wait", "dcl/r", "-n", ns, "--for=condition=Complete", "--timeout=10s");
        assertThat(wait.code()).as(wait.err()).isZero();
        List<Event> events = admin.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> created.getMetadata()
                        .getUid()
                        .equals(e.getInvolvedObject().getUid()))
                .toList();
        assertThat(events)
                .extracting(Event::getReason)
                .contains("PodCreated", "TrainerRunning", "Evaluating", "Complete");
        assertThat(events)
                .allSatisfy(e -> assertThat(e.getSource().getComponent()).isEqualTo("densecl-operator"));
    }

    @Test
    @Order(2)
    void anOperatorKilledMidRunCreatesNoSecondPodWhenItComesBack() throws Exception {
        String ns = namespace("op-restart", Map.of());
        create(ns, "r", Fixtures.spec());
        awaitRunningPod(ns, "r-a1");
        awaitPhase(ns, "r", Phase.Running);
        operator.kill();
        String ip = kubelet.ip(ns, "r-a1");
        trainers.progress(ip, FakeTrainers.document(1, 2, 30, 40, null, null, null));
        // a second run whose pod appears while the operator is killed right after creating it (status maybe unwritten)
        create(ns, "s", Fixtures.spec());
        operator = startOperator();
        await(
                "s-a1 created",
                Duration.ofSeconds(30),
                () -> admin.pods().inNamespace(ns).withName("s-a1").get());
        operator.kill();
        operator = startOperator();

        DenseCLRun r = await("r's progress polled by the new operator", Duration.ofSeconds(30), () -> {
            DenseCLRun x = run(ns, "r");
            return x.getStatus().progress != null && Long.valueOf(30).equals(x.getStatus().progress.step) ? x : null;
        });
        assertThat(pods(ns, "r")).extracting(p -> p.getMetadata().getName()).containsExactly("r-a1");
        assertThat(r.getStatus().attempt.index).isEqualTo(1);
        assertThat(r.getStatus().restarts.total).isZero();
        awaitRunningPod(ns, "s-a1");
        DenseCLRun s = awaitPhase(ns, "s", Phase.Running);
        assertThat(pods(ns, "s")).extracting(p -> p.getMetadata().getName()).containsExactly("s-a1");
        assertThat(s.getStatus().attempt.index).isEqualTo(1);
        assertThat(s.getStatus().restarts.total).isZero();

        kubelet.exit(ns, "r-a1", 0, complete(r.getStatus().checkpoint.dir, 2, 40));
        awaitPhase(ns, "r", Phase.Succeeded);
        assertThat(pods(ns, "r")).hasSize(1);
    }

    /**
     * Users and tools write the run while the operator writes it. The churn starts while the operator is stopped
     * (SIGSTOP), so its cache is behind when it wakes up; the run has no finalizer (the operator writes no metadata),
     * so it must get its pod at once. (While the reconciler was a Cleaner, JOSDK's finalizer patch carried the cached
     * resourceVersion and got 409s here, retried in place.) Its status patch carries no resourceVersion,
     * so spec changes (a new generation each: epochs may grow) and label churn while the run trains cost no 409 and no
     * failed reconcile at all, and the status catches up with the last generation. The writers use merge patches
     * without a resourceVersion, as {@code kubectl patch} does; Fabric8's {@code edit()} carries one and would itself
     * get the 409 whenever the operator wrote between its read and its patch.
     */
    @Test
    @Order(3)
    void writesRacingTheOperatorsWritesAreRetriedOrNeverConflict() throws Exception {
        String ns = namespace("op-race", Map.of());
        long before = Files.size(LOG);
        signal("STOP");
        try {
            create(ns, "r", Fixtures.spec());
            for (int i = 0; i < 20; i++) {
                patch(ns, "r", "{\"metadata\":{\"labels\":{\"churn\":\"" + i + "\"}}}");
            }
        } finally {
            signal("CONT");
        }
        long churnUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        for (int i = 20; System.nanoTime() < churnUntil; i++) {
            patch(ns, "r", "{\"metadata\":{\"labels\":{\"churn\":\"" + i + "\"}}}");
        }
        awaitRunningPod(ns, "r-a1");
        awaitPhase(ns, "r", Phase.Running);
        assertThat(run(ns, "r").getMetadata().getFinalizers()).isNullOrEmpty();
        String churned = Files.readString(LOG).substring((int) before);
        assertThat(churned.lines().filter(l -> l.contains("Retrying patch for resource name: r, namespace: " + ns)))
                .as("no metadata patch of the run, so nothing to conflict")
                .isEmpty();
        assertThat(pods(ns, "r")).hasSize(1);

        String ip = kubelet.ip(ns, "r-a1");
        long training = Files.size(LOG);
        int epochs = run(ns, "r").getSpec().training.epochs;
        long generation = run(ns, "r").getMetadata().getGeneration();
        for (int i = 0; i < 40; i++) {
            trainers.progress(ip, FakeTrainers.document(1, 2, i, 1000, null, null, null));
            patch(
                    ns,
                    "r",
                    i % 2 == 0
                            ? "{\"metadata\":{\"labels\":{\"churn\":\"x" + i + "\"}}}"
                            : "{\"spec\":{\"training\":{\"epochs\":" + ++epochs + "}}}");
            sleep(100);
        }
        int finalEpochs = epochs;
        DenseCLRun settled = await("observedGeneration caught up", Duration.ofSeconds(30), () -> {
            DenseCLRun x = run(ns, "r");
            return x.getStatus().observedGeneration.equals(x.getMetadata().getGeneration())
                            && Integer.valueOf(finalEpochs).equals(x.getStatus().progress.totalEpochs)
                    ? x
                    : null;
        });
        assertThat(settled.getMetadata().getGeneration()).isEqualTo(generation + 20);
        assertThat(settled.getStatus().phase).isEqualTo(Phase.Running);
        assertThat(pods(ns, "r")).hasSize(1);
        String log = Files.readString(LOG).substring((int) training);
        assertThat(log.toLowerCase(java.util.Locale.ROOT))
                .doesNotContain("error during event processing")
                .doesNotContain("exhausted retries")
                .doesNotContain("unprocessable")
                .doesNotContain("conflict");
    }

    /** SIGSTOP / SIGCONT to the operator process (the shell's built-in kill: no procps needed). */
    static void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + operator.pid())
                .inheritIO()
                .start();
        assertThat(kill.waitFor()).isZero();
    }

    /**
     * Delete and re-create with the same name and spec (the same checkpoint directory) while the old trainer takes
     * 35 s to write its SIGTERM checkpoint, longer than the 30 s a missing pod is given: the new run must start no
     * trainer until the old pod is gone, and its first trainer is then its own r-a1.
     */
    @Test
    @Order(4)
    void aRunDeletedAndRecreatedWaitsForTheOldTrainerToFinishItsCheckpoint() throws Exception {
        String ns = namespace("op-recreate", Map.of());
        DenseCLRun first = create(ns, "r", Fixtures.spec());
        awaitRunningPod(ns, "r-a1");
        String dir = awaitPhase(ns, "r", Phase.Running).getStatus().checkpoint.dir;
        kubelet.holdOnDelete(ns, "r-a1", Duration.ofSeconds(35));

        admin.resource(first).delete();
        await("the old run is gone", Duration.ofSeconds(30), () -> run(ns, "r") == null ? true : null);
        await("the garbage collector marked the old pod for deletion", Duration.ofSeconds(30), () -> {
            Pod p = admin.pods().inNamespace(ns).withName("r-a1").get();
            return p != null && p.getMetadata().getDeletionTimestamp() != null ? p : null;
        });
        String uid = create(ns, "r", Fixtures.spec()).getMetadata().getUid();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean oldGone = false;
        while (!oldGone && System.nanoTime() < deadline) {
            List<Pod> pods = pods(ns, "r");
            oldGone = pods.stream()
                    .noneMatch(p -> p.getMetadata().getOwnerReferences().stream()
                            .anyMatch(o -> first.getMetadata().getUid().equals(o.getUid())));
            if (!oldGone) {
                assertThat(pods)
                        .as("no trainer of the new run while the old one is checkpointing")
                        .allSatisfy(p -> assertThat(p.getMetadata().getOwnerReferences())
                                .noneMatch(o -> uid.equals(o.getUid())));
            }
            sleep(250);
        }
        assertThat(oldGone).as("the old pod finished").isTrue();
        DenseCLRun waiting = run(ns, "r");
        assertThat(waiting.getStatus().checkpoint.dir).isEqualTo(dir);

        Pod mine = awaitRunningPod(ns, "r-a1");
        assertThat(mine.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
        DenseCLRun again = awaitPhase(ns, "r", Phase.Running);
        assertThat(again.getStatus().attempt.index).isEqualTo(1);
        assertThat(again.getStatus().restarts.total).isZero();
        assertThat(pods(ns, "r")).hasSize(1);
    }

    /**
     * A namespace deleted while its run trains: its pods go first (the run may try a next attempt, which the server
     * forbids in a terminating namespace: not an error worth a retry), then the run, whose finalizer the operator
     * removes. The namespace itself then waits for the namespace controller's own schedule (minutes with pods that
     * had a 300 s grace period), so only the run is awaited.
     */
    @Test
    @Order(5)
    void aNamespaceDeletedUnderARunningTrainerLetsTheRunGo() throws Exception {
        String ns = namespace("op-nsdel", Map.of());
        create(ns, "r", Fixtures.spec());
        awaitRunningPod(ns, "r-a1");
        awaitPhase(ns, "r", Phase.Running);
        long before = Files.size(LOG);
        admin.namespaces().withName(ns).delete();
        await("the run is gone", Duration.ofSeconds(60), () -> run(ns, "r") == null ? true : null);
        await("its pods are gone", Duration.ofSeconds(60), () -> pods(ns, "r").isEmpty() ? true : null);
        String log = Files.readString(LOG).substring((int) before);
        assertThat(log)
                .doesNotContain("NamespaceTerminating")
                .doesNotContain("Exhausted retries")
                .doesNotContainIgnoringCase("error during event processing");
    }

    /** Everything above ran with exactly the generated role: not one request of the operator was refused. */
    @Test
    @Order(99)
    void theGeneratedRoleWasEnoughNoRequestWasForbidden() throws Exception {
        String log = Files.readString(LOG);
        assertThat(log).as("the operator started").contains("Installed features");
        assertThat(log).as("the credential stays out of the log").doesNotContain(token);
        assertThat(log.lines().filter(l -> FORBIDDEN.matcher(l).find()).toList())
                .as("403s in " + LOG)
                .isEmpty();
        String sa = "system:serviceaccount:" + OPERATOR_NS + ":densecl-operator";
        assertThat(RealApi.kubectl("auth", "can-i", "list", "denseclruns.densecl.io", "-A", "--as", sa)
                        .out()
                        .trim())
                .isEqualTo("yes");
        assertThat(RealApi.kubectl("auth", "can-i", "get", "secrets", "-A", "--as", sa)
                        .out()
                        .trim())
                .isEqualTo("no");
        assertThat(RealApi.kubectl("auth", "can-i", "create", "pods", "--subresource=exec", "-A", "--as", sa)
                        .out()
                        .trim())
                .isEqualTo("no");
        assertThat(RealApi.kubectl("auth", "can-i", "delete", "persistentvolumeclaims", "-A", "--as", sa)
                        .out()
                        .trim())
                .isEqualTo("no");
        assertThat(RealApi.kubectl("auth", "can-i", "patch", "networkpolicies.networking.k8s.io", "-A", "--as", sa)
                        .out()
                        .trim())
                .as("trainer policies are created, never changed")
                .isEqualTo("no");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
