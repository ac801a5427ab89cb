package io.densecl.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Fleet benchmark, not a test (issue 8): the packaged operator as its own process (its JVM options as in a container,
 * default {@code -Xmx256m}) against the embedded API server (indexed CRUD mock, in this JVM) with {@link FleetKubelet};
 * N DenseCLRuns created at once. Measures the time until every run has its pod and reports Running, reconciles per
 * second (the operator's own timer), a steady-state window, and the operator's RSS (/proc), heap after GC (jcmd),
 * CPU and API requests, each also at 0 runs. Writes {@code target/bench/fleet-<N>.json}.
 * Skipped unless {@code -Ddensecl.bench=true}; {@code bench/operator/run-fleet-bench.sh} runs it.
 */
@EnabledIfSystemProperty(named = "densecl.bench", matches = "true")
class FleetBench {
    static final int RUNS = Integer.getInteger("densecl.bench.runs", 1000);
    static final int STEADY_SECONDS = Integer.getInteger("densecl.bench.steady-seconds", 35);
    static final int TIMEOUT_SECONDS = Integer.getInteger("densecl.bench.timeout-seconds", 300);
    static final long PROGRESS_DELAY_MS = Long.getLong("densecl.bench.progress-delay-ms", 20);
    static final String OPERATOR_JVM = System.getProperty("densecl.bench.operator-jvm", "-Xmx256m");
    /** Extra operator configuration, "KEY=value,KEY=value" (environment variables, e.g. DENSECL_PROGRESS_INTERVAL=60s). */
    static final String OPERATOR_ENV = System.getProperty("densecl.bench.operator-env", "");
    /** -Ddensecl.bench.trace=r0000 prints every event of that run with its status (what each status patch changed). */
    static final String TRACE = System.getProperty("densecl.bench.trace", "");
    /** -Ddensecl.bench.stock-api=true: the library's KubernetesCrudDispatcher (linear scans) instead of the indexed one. */
    static final boolean STOCK_API = Boolean.getBoolean("densecl.bench.stock-api");
    static final String NS = "fleet";
    static final String AGENT = "densecl-fleet-bench";
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path OUT = Path.of("target/bench").toAbsolutePath();

    private final Map<String, Long> runningSeen = new ConcurrentHashMap<>();
    private final LongAdder runEvents = new LongAdder();
    private final Map<String, Object> out = new LinkedHashMap<>();

    @Test
    void fleet() throws Exception {
        Files.createDirectories(OUT);
        Path log = OUT.resolve("fleet-" + RUNS + "-operator.log");
        Files.deleteIfExists(log);
        LocalLayout layout = new LocalLayout(REPO, OUT);
        int metricsPort = LocalCluster.freePort();
        try (LocalApiServer api = STOCK_API ? LocalApiServer.start(0, new KubernetesCrudDispatcher(List.of()))
                : LocalApiServer.start(0);
                ApiRequestCounter requests = new ApiRequestCounter(api.mock(), AGENT);
                FleetTrainerEndpoint trainers = new FleetTrainerEndpoint(PROGRESS_DELAY_MS);
                KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(api.client()
                        .getConfiguration()).withUserAgent(AGENT).build()).build();
                FleetKubelet kubelet = new FleetKubelet(client, NS)) {
            api.installCrd(layout.crd());
            client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("densecl-data").withNamespace(NS)
                    .endMetadata().withNewSpec().withAccessModes("ReadOnlyMany").endSpec().withNewStatus()
                    .withPhase("Bound").endStatus().build()).create();
            Map<String, String> env = new LinkedHashMap<>();
            env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", api.url()); // the mock: plain HTTP, no credentials
            env.put("QUARKUS_KUBERNETES_CLIENT_NAMESPACE", "default");
            env.put("DENSECL_PROGRESS_PORT", Integer.toString(trainers.port()));
            for (String kv : OPERATOR_ENV.split(",")) {
                if (kv.contains("=")) {
                    env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
            }
            try (OperatorProcess operator = OperatorProcess.start(layout, null, metricsPort, log,
                    Arrays.asList(OPERATOR_JVM.trim().split("\\s+")), env)) {
                measure(api, client, requests, trainers, kubelet, operator, new OperatorMetricsScrape(metricsPort));
            }
        }
        String json = Serialization.asJson(out);
        System.out.println("FLEET_BENCH " + json);
        Files.writeString(OUT.resolve("fleet-" + RUNS + ".json"), json + "\n");
        assertThat(out.get("allPods")).as("every run got its pod within %d s", TIMEOUT_SECONDS).isEqualTo(true);
    }

    private void measure(LocalApiServer api, KubernetesClient client, ApiRequestCounter requests,
            FleetTrainerEndpoint trainers, FleetKubelet kubelet, OperatorProcess operator, OperatorMetricsScrape metrics)
            throws Exception {
        ProcessProbe probe = new ProcessProbe(operator.pid());
        long startWait = System.nanoTime();
        assertThat(await(() -> metrics.text() != null || !operator.alive())).isTrue();
        assertThat(operator.alive()).as("operator running; see its log").isTrue();
        out.put("operatorStartS", round((System.nanoTime() - startWait) / 1e9));
        Thread.sleep(5000); // informers synced, start-up settled
        out.put("runs", RUNS);
        out.put("date", Instant.now().toString());
        out.put("apiServer", STOCK_API ? "stock KubernetesCrudDispatcher" : "IndexedCrudDispatcher");
        out.put("operatorJvm", OPERATOR_JVM);
        out.put("operatorEnv", OPERATOR_ENV);
        out.put("progressDelayMs", PROGRESS_DELAY_MS);
        out.put("loadAverageStart", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        out.put("rssIdleMB", round(probe.rssMB()));
        double[] heap0 = probe.heapAfterGcMB();
        out.put("heapAfterGcIdleMB", round(heap0[0]));
        out.put("rssIdleAfterGcMB", round(probe.rssMB()));

        long reconciles0 = metrics.reconciles();
        double cpu0 = probe.cpuSeconds();
        Map<String, Double> threads0 = probe.cpuByThreadGroup();
        double benchCpu0 = benchCpuSeconds();
        requests.reset();
        long t0 = System.nanoTime();
        kubelet.start(t0);
        Watch runWatch = watchRuns(client, t0);
        createRuns(client);
        out.put("createdAllS", round((System.nanoTime() - t0) / 1e9));
        out.put("allPods", await(() -> kubelet.podSeenNanos.size() >= RUNS));
        out.put("timeToAllPodsS", round(kubelet.podSeenNanos.values().stream().mapToLong(Long::longValue).max().orElse(0) / 1e9));
        out.put("allRunning", await(() -> runningSeen.size() >= RUNS));
        double runningS = runningSeen.values().stream().mapToLong(Long::longValue).max().orElse(0) / 1e9;
        out.put("timeToAllRunningS", round(runningS));
        long reconciles = metrics.reconciles() - reconciles0;
        double cpu = probe.cpuSeconds() - cpu0;
        out.put("reconcilesToAllRunning", reconciles);
        out.put("reconcilesPerSecond", round(reconciles / runningS));
        out.put("reconcilesPerRun", round((double) reconciles / RUNS));
        out.put("operatorCpuToAllRunningS", round(cpu));
        out.put("operatorCpuMsPerRun", round(cpu * 1000 / RUNS));
        Map<String, Double> threads = probe.cpuByThreadGroup();
        double jit = threads.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                .mapToDouble(e -> e.getValue() - threads0.getOrDefault(e.getKey(), 0.0)).sum();
        out.put("operatorCpuWithoutJitMsPerRun", round((cpu - jit) * 1000 / RUNS)); // JIT warm-up is a fixed cost
        out.put("operatorCpuByThread", top(threads, threads0));
        out.put("benchJvmCpuToAllRunningS", round(benchCpuSeconds() - benchCpu0));
        out.put("loadAverageBurst", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        out.put("operatorApiRequestsPerRun", round((double) requests.total("operator") / RUNS));
        out.put("rssAfterBurstMB", round(probe.rssMB()));

        // Steady state: every run Running and polled once per progress interval.
        long steadyReconciles0 = metrics.reconciles();
        long steadyEvents0 = runEvents.sum();
        long polls0 = trainers.requests.sum();
        double steadyCpu0 = probe.cpuSeconds();
        long s0 = System.nanoTime();
        Thread.sleep(STEADY_SECONDS * 1000L);
        double steadyS = (System.nanoTime() - s0) / 1e9;
        out.put("steadyReconcilesPerSecond", round((metrics.reconciles() - steadyReconciles0) / steadyS));
        out.put("steadyStatusPatchesPerSecond", round((runEvents.sum() - steadyEvents0) / steadyS));
        out.put("steadyPollsPerSecond", round((trainers.requests.sum() - polls0) / steadyS));
        out.put("steadyOperatorCpuPercent", round((probe.cpuSeconds() - steadyCpu0) * 100 / steadyS));
        Map<String, Long> requestCounts = requests.snapshot();
        out.put("operatorApiRequestsPerRunWithSteady", round((double) requests.total("operator") / RUNS));
        out.put("runsWithProgress", client.genericKubernetesResources(LocalCluster.API_VERSION, LocalCluster.KIND)
                .inNamespace(NS).list().getItems().stream().filter(r -> StatusPrinter.at(r, "status", "progress", "step") != null)
                .count());
        out.put("kubeletConflicts", kubelet.conflicts.get());
        out.put("rssEndMB", round(probe.rssMB()));
        out.put("rssPeakMB", round(probe.peakRssMB()));
        double[] heap = probe.heapAfterGcMB();
        out.put("heapAfterGcEndMB", round(heap[0]));
        out.put("heapCommittedEndMB", round(heap[1]));
        out.put("rssEndAfterGcMB", round(probe.rssMB()));
        out.put("rssGrowthMB", round(probe.rssMB() - (double) out.get("rssIdleAfterGcMB")));
        out.put("heapGrowthMB", round(heap[0] - heap0[0]));
        out.put("heapGrowthPerRunKB", round((heap[0] - heap0[0]) * 1024 / RUNS));
        out.put("operatorCpuTotalS", round(probe.cpuSeconds() - cpu0));
        out.put("loadAverageEnd", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        runWatch.close();
        StringBuilder req = new StringBuilder();
        requestCounts.forEach((k, v) -> req.append(v).append(' ').append(k).append('\n'));
        Files.writeString(OUT.resolve("fleet-" + RUNS + "-requests.txt"), req.toString());
    }

    private Watch watchRuns(KubernetesClient client, long t0) {
        return client.genericKubernetesResources(LocalCluster.API_VERSION, LocalCluster.KIND).inNamespace(NS)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, GenericKubernetesResource run) {
                        runEvents.increment();
                        if (run.getMetadata().getName().equals(TRACE)) {
                            System.out.printf("TRACE %.3fs %s rv=%s status=%s%n", (System.nanoTime() - t0) / 1e9, action,
                                    run.getMetadata().getResourceVersion(),
                                    Serialization.asJson(run.getAdditionalProperties().get("status")));
                        }
                        if ("Running".equals(StatusPrinter.at(run, "status", "phase"))) {
                            runningSeen.putIfAbsent(run.getMetadata().getName(), System.nanoTime() - t0);
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
    }

    /** "At once": as fast as 8 client threads can POST them. */
    private static void createRuns(KubernetesClient client) throws Exception {
        ExecutorService creators = Executors.newFixedThreadPool(8);
        List<Future<?>> creates = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            String name = String.format(Locale.ROOT, "r%04d", i);
            creates.add(creators.submit(() -> client.resource(run(name)).create()));
        }
        for (Future<?> f : creates) {
            f.get();
        }
        creators.shutdown();
    }

    /** The unit tests' run (Fixtures.spec): ResNet-18, two epochs, data claim densecl-data. */
    static GenericKubernetesResource run(String name) {
        return Serialization.unmarshal("""
                {"apiVersion":"densecl.io/v1alpha1","kind":"DenseCLRun","metadata":{"name":"%s","namespace":"%s"},
                 "spec":{"data":{"claimName":"densecl-data","path":"synth"},"model":{"backbone":"resnet18"},
                  "training":{"epochs":2,"batchSize":16,"imageSize":64},"denseCL":{"queueSize":256},
                  "failurePolicy":{"backoffLimit":2,"maxDisruptions":2,"progressDeadlineSeconds":600}}}
                """.formatted(name, NS), GenericKubernetesResource.class);
    }

    private static double benchCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    private static String top(Map<String, Double> now, Map<String, Double> before) {
        StringBuilder b = new StringBuilder();
        now.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(8)
                .forEach(e -> b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(round(e.getValue())).append('s'));
        return b.toString();
    }

    private static boolean await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT_SECONDS * 1_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
