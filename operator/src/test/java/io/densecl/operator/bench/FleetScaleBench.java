package io.densecl.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.Fixtures;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.reconciler.OperatorMetrics;
import io.densecl.operator.resources.ChildNames;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import javax.management.ObjectName;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a test (issue 8): N DenseCLRuns created at once against the Fabric8 mock API server (CRUD mode,
 * same JVM) with the real operator (JOSDK informers, status patches) and a fake kubelet that starts every trainer pod
 * (Running, pod IP 127.0.0.1) as soon as it appears; progress is polled over real HTTP from {@link BenchTrainerServer}.
 * Measures the time from the first create until every run has its pod and until every run reports Running,
 * reconciles per second, a steady-state window, heap after GC and process RSS, each also before the first run
 * (baseline). Prints one {@code FLEET_BENCH {json}} line and writes {@code target/bench/fleet-<N>.json}.
 *
 * <p>Skipped unless {@code -Ddensecl.bench=true}; {@code MODE=in-jvm bench/operator/run-fleet-bench.sh} runs it (the
 * default there is the out-of-process {@code local} FleetBench, which measures the operator alone).
 * RSS and heap include the mock API server (it lives in this JVM and keeps every object as JSON).
 */
@QuarkusTest
@TestProfile(FleetBenchProfile.class)
@WithKubernetesTestServer(crud = true)
@EnabledIfSystemProperty(named = "densecl.bench", matches = "true")
class FleetScaleBench {

    static final int RUNS = Integer.getInteger("densecl.bench.runs", 1000);
    static final int STEADY_SECONDS = Integer.getInteger("densecl.bench.steady-seconds", 35);
    static final int TIMEOUT_SECONDS = Integer.getInteger("densecl.bench.timeout-seconds", 300);
    static final String NS = "fleet";
    /** -Ddensecl.bench.trace=r0000 prints every event of that run with its status (to see what each patch changed). */
    static final String TRACE = System.getProperty("densecl.bench.trace", "");

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "quarkus.operator-sdk.concurrent-reconciliation-threads", defaultValue = "50")
    int reconcileThreads;

    @ConfigProperty(name = "densecl.progress.interval")
    String progressInterval;

    @ConfigProperty(name = "densecl.progress.timeout")
    String progressTimeout;

    @ConfigProperty(name = "densecl.progress.max-concurrent")
    int progressMaxConcurrent;

    static final String BENCH_AGENT = "densecl-fleet-bench";
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Long> podSeen = new ConcurrentHashMap<>();
    private final Map<String, Long> runningSeen = new ConcurrentHashMap<>();
    private final LongAdder runEvents = new LongAdder();
    private final LongAdder podEvents = new LongAdder();
    private final AtomicInteger kubeletConflicts = new AtomicInteger();

    @Test
    void fleet() throws Exception {
        // The bench's own client (runs, kubelet) has its own User-Agent so its requests are told apart from the operator's.
        KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(server.getClient()
                .getConfiguration()).withUserAgent(BENCH_AGENT).build()).build();
        Thread drain = new Thread(() -> drainRequests(server.getKubernetesMockServer()), "bench-request-drain");
        drain.setDaemon(true);
        drain.start();
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("densecl-data").withNamespace(NS)
                .endMetadata().withNewSpec().withAccessModes("ReadOnlyMany").endSpec().build()).create();

        Thread.sleep(2000); // let start-up settle (informers synced, JIT of the start-up path)
        Memory baseline = memory();
        Timer timer = registry.find(OperatorMetrics.RECONCILE).timer();
        requests.clear();
        long reconcilesBefore = timer.count();

        ExecutorService kubelet = Executors.newFixedThreadPool(4, daemon("bench-kubelet"));
        Map<String, Long> cpu0 = threadCpu();
        long processCpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        Watch podWatch = client.pods().inNamespace(NS).withLabel(ChildNames.LABEL_ROLE, ChildNames.ROLE_PRETRAIN)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        podEvents.increment();
                        if (action == Action.ADDED && podSeen.putIfAbsent(pod.getMetadata().getName(),
                                System.nanoTime() - t0) == null) {
                            kubelet.submit(() -> start(client, pod.getMetadata().getName()));
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
        Watch runWatch = client.resources(DenseCLRun.class).inNamespace(NS).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, DenseCLRun run) {
                runEvents.increment();
                if (run.getMetadata().getName().equals(TRACE)) {
                    System.out.printf("TRACE %.3fs %s rv=%s status=%s%n", seconds(System.nanoTime() - t0), action,
                            run.getMetadata().getResourceVersion(),
                            io.fabric8.kubernetes.client.utils.Serialization.asJson(run.getStatus()));
                }
                if (run.getStatus() != null && run.getStatus().phase == Phase.Running) {
                    runningSeen.putIfAbsent(run.getMetadata().getName(), System.nanoTime() - t0);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });

        // "At once": as fast as 8 client threads can POST them.
        ExecutorService creators = Executors.newFixedThreadPool(8, daemon("bench-create"));
        List<Future<?>> creates = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            String name = String.format(Locale.ROOT, "r%04d", i);
            creates.add(creators.submit(() -> {
                DenseCLRun run = new DenseCLRun();
                run.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
                run.setSpec(Fixtures.spec());
                client.resource(run).create();
            }));
        }
        for (Future<?> f : creates) {
            f.get();
        }
        double createdS = seconds(System.nanoTime() - t0);
        creators.shutdown();

        boolean allPods = await(() -> podSeen.size() >= RUNS);
        double podsS = seconds(System.nanoTime() - t0);
        long reconcilesAtPods = timer.count() - reconcilesBefore;
        boolean allRunning = await(() -> runningSeen.size() >= RUNS);
        double runningS = seconds(System.nanoTime() - t0);
        long reconcilesAtRunning = timer.count() - reconcilesBefore;
        double cpuToRunningS = (processCpuNanos() - processCpu0) / 1e9;
        Map<String, Long> cpu1 = threadCpu();
        StringBuilder cpuByThread = new StringBuilder();
        cpu1.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - cpu0.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .forEach(e -> cpuByThread.append(cpuByThread.length() == 0 ? "" : ", ").append(e.getKey()).append('=')
                        .append(round(e.getValue() / 1e9)).append('s'));
        double maxLatencyMs = timer.max(TimeUnit.MILLISECONDS);
        double meanLatencyMs = timer.mean(TimeUnit.MILLISECONDS);

        // Steady state: every run Running, polled once per progress interval.
        long steadyReconciles0 = timer.count();
        long steadyRunEvents0 = runEvents.sum();
        long polls0 = BenchProgressClient.POLLS.sum();
        long empty0 = BenchProgressClient.EMPTY.sum();
        long pollNanos0 = BenchProgressClient.NANOS.sum();
        long s0 = System.nanoTime();
        Thread.sleep(STEADY_SECONDS * 1000L);
        double steadyS = seconds(System.nanoTime() - s0);
        long steadyReconciles = timer.count() - steadyReconciles0;
        long steadyPatches = runEvents.sum() - steadyRunEvents0; // MODIFIED events = status patches (no spec edits)
        long polls = BenchProgressClient.POLLS.sum() - polls0;
        long emptyPolls = BenchProgressClient.EMPTY.sum() - empty0;
        double pollMeanMs = polls == 0 ? 0 : (BenchProgressClient.NANOS.sum() - pollNanos0) / 1e6 / polls;

        Map<String, Long> requestCounts = new java.util.TreeMap<>();
        requests.forEach((k, v) -> requestCounts.put(k, v.sum()));
        Memory end = memory();
        long runsWithProgress = client.resources(DenseCLRun.class).inNamespace(NS).list().getItems().stream()
                .filter(r -> r.getStatus() != null && r.getStatus().progress != null && r.getStatus().progress.step != null)
                .count();
        podWatch.close();
        runWatch.close();
        client.close();
        kubelet.shutdownNow();

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", RUNS);
        out.put("date", Instant.now().toString());
        out.put("cpus", Runtime.getRuntime().availableProcessors());
        out.put("maxHeapMB", mb(Runtime.getRuntime().maxMemory()));
        out.put("reconcileThreads", reconcileThreads);
        out.put("progressInterval", progressInterval);
        out.put("progressTimeout", progressTimeout);
        out.put("progressMaxConcurrent", progressMaxConcurrent);
        out.put("progressDelayMs", BenchTrainerServer.DELAY_MS);
        out.put("createdAllS", round(createdS));
        out.put("allPods", allPods);
        out.put("timeToAllPodsS", round(podsS));
        out.put("allRunning", allRunning);
        out.put("timeToAllRunningS", round(runningS));
        out.put("reconcilesToAllPods", reconcilesAtPods);
        out.put("reconcilesToAllRunning", reconcilesAtRunning);
        out.put("reconcilesPerSecondToAllRunning", round(reconcilesAtRunning / runningS));
        out.put("reconcilesPerRun", round((double) reconcilesAtRunning / RUNS));
        out.put("processCpuToAllRunningS", round(cpuToRunningS));
        out.put("cpuMsPerRun", round(cpuToRunningS * 1000 / RUNS));
        out.put("cpuByThreadGroup", cpuByThread.toString());
        out.put("loadAverage1m", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        out.put("reconcileMeanMs", round(meanLatencyMs));
        out.put("reconcileMaxMs", round(maxLatencyMs));
        out.put("steadyWindowS", round(steadyS));
        out.put("steadyReconcilesPerSecond", round(steadyReconciles / steadyS));
        out.put("steadyStatusPatchesPerSecond", round(steadyPatches / steadyS));
        out.put("steadyPollsPerSecond", round(polls / steadyS));
        out.put("steadyPollsEmpty", emptyPolls);
        out.put("pollMeanMs", round(pollMeanMs));
        out.put("pollMaxMs", round(BenchProgressClient.MAX_NANOS.get() / 1e6));
        out.put("runsWithProgress", runsWithProgress);
        out.put("kubeletConflicts", kubeletConflicts.get());
        out.put("baselineRssMB", baseline.rssMB);
        out.put("baselineHeapMB", baseline.heapMB);
        out.put("rssMB", end.rssMB);
        out.put("heapMB", end.heapMB);
        out.put("rssDeltaMB", round(end.rssMB - baseline.rssMB));
        out.put("heapDeltaMB", round(end.heapMB - baseline.heapMB));
        out.put("heapPerRunKB", round((end.heapMB - baseline.heapMB) * 1024 / RUNS));
        out.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
        long operatorRequests = requestCounts.entrySet().stream().filter(e -> e.getKey().startsWith("operator "))
                .mapToLong(Map.Entry::getValue).sum();
        out.put("operatorApiRequests", operatorRequests);
        out.put("operatorApiRequestsPerRun", round((double) operatorRequests / RUNS));
        String json = toJson(out);
        System.out.println("FLEET_BENCH " + json);
        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("fleet-" + RUNS + ".json"), json + "\n");
        Files.writeString(dir.resolve("fleet-" + RUNS + "-histogram.txt"), histogram(40));
        StringBuilder req = new StringBuilder();
        requestCounts.forEach((k, v) -> req.append(v).append(' ').append(k).append('\n'));
        Files.writeString(dir.resolve("fleet-" + RUNS + "-requests.txt"), req.toString());
        System.out.println("FLEET_BENCH_REQUESTS (client method resource, from first create to end of steady window)\n" + req);

        assertThat(allPods).as("every run got its pod within %d s", TIMEOUT_SECONDS).isTrue();
    }

    /** The kubelet: bind and start the pod (Running, ready, pod IP 127.0.0.1 where BenchTrainerServer listens). */
    private void start(KubernetesClient client, String name) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Pod pod = client.pods().inNamespace(NS).withName(name).get();
            if (pod == null) {
                return;
            }
            String now = Instant.now().toString();
            pod.getSpec().setNodeName("node-" + (Math.abs(name.hashCode()) % 64));
            pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1").withStartTime(now)
                    .withContainerStatuses(new ContainerStatusBuilder().withName("trainer").withReady(true)
                            .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build())
                    .build());
            try {
                client.resource(pod).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                kubeletConflicts.incrementAndGet();
            }
        }
    }

    /**
     * Counts API requests by client, method and resource. Also keeps the mock server's queue of recorded requests
     * (which it never trims) from growing, so the memory figures do not include it.
     */
    private void drainRequests(KubernetesMockServer mock) {
        while (true) {
            RecordedRequest r;
            try {
                r = mock.takeRequest();
            } catch (InterruptedException e) {
                return;
            }
            String agent = BENCH_AGENT.equals(r.getHeader("User-Agent")) ? "bench" : "operator";
            String path = r.getPath() == null ? "" : r.getPath();
            boolean watch = path.contains("watch=true");
            int q = path.indexOf('?');
            String[] seg = (q < 0 ? path : path.substring(0, q)).split("/");
            int ns = java.util.Arrays.asList(seg).indexOf("namespaces");
            String resource;
            if (ns >= 0 && seg.length > ns + 2) {
                resource = seg[ns + 2] + (seg.length > ns + 3 ? "/{name}" : "") + (seg.length > ns + 4 ? "/" + seg[ns + 4] : "");
            } else {
                resource = seg.length > 0 ? seg[seg.length - 1] : path;
            }
            String key = agent + " " + r.getMethod() + " " + resource + (watch ? " (watch)" : "");
            requests.computeIfAbsent(key, k -> new LongAdder()).increment();
        }
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

    /** CPU time of live threads, summed by name with digits removed (pools), e.g. "vert.x-eventloop-thread-#". */
    private static Map<String, Long> threadCpu() {
        var mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> byGroup = new java.util.HashMap<>();
        for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long t = mx.getThreadCpuTime(info.getThreadId());
            if (t > 0) {
                byGroup.merge(info.getThreadName().replaceAll("\\d+", "#"), t, Long::sum);
            }
        }
        return byGroup;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    record Memory(double heapMB, double rssMB) {
    }

    private static Memory memory() throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        double heap = mb(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        double rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return new Memory(round(heap), round(rss));
    }

    private static String histogram(int lines) {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] { null }, new String[] { String[].class.getName() });
            String[] all = String.valueOf(text).split("\n");
            return String.join("\n", java.util.Arrays.copyOf(all, Math.min(all.length, lines + 3))) + "\n";
        } catch (Exception e) {
            return "histogram unavailable: " + e + "\n";
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String toJson(Map<String, Object> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(k).append("\":");
            b.append(v instanceof String ? "\"" + v + "\"" : String.valueOf(v));
        });
        return b.append('}').toString();
    }
}
