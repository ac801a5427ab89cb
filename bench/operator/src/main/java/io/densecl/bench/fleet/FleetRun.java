package io.densecl.bench.fleet;

import io.densecl.controlplane.OperatorProcess;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * One measurement: the operator idle (RSS, heap after GC), then N DenseCLRuns created at once and timed until every
 * pod is created, scheduled and Running and every run reports Running (operator, control-plane and bench CPU over that
 * burst), then a steady window, then the end figures and the operator's API requests from the {@link RequestLog}.
 */
final class FleetRun {
    private final FleetOptions options;
    private final FleetApi api;
    private final OperatorProcess operator;
    private final OperatorMetricsScrape metrics;
    private final FleetTrainerEndpoint trainers;
    private final Path operatorLog;
    private final Map<String, Object> out = new LinkedHashMap<>();

    FleetRun(
            FleetOptions options,
            FleetApi api,
            OperatorProcess operator,
            OperatorMetricsScrape metrics,
            FleetTrainerEndpoint trainers,
            Path operatorLog) {
        this.options = options;
        this.api = api;
        this.operator = operator;
        this.metrics = metrics;
        this.trainers = trainers;
        this.operatorLog = operatorLog;
    }

    /** The figures, in the order of the result file; "allRunning" says whether the fleet got there in time. */
    Map<String, Object> measure() throws Exception {
        ProcessProbe probe = new ProcessProbe(operator.pid());
        long startWait = System.nanoTime();
        if (!await(() -> metrics.text() != null || !operator.alive(), startWait + seconds(120)) || !operator.alive()) {
            throw new IOException("the operator did not answer /q/metrics within 120 s; see " + operatorLog);
        }
        out.put("operatorStartS", round((System.nanoTime() - startWait) / 1e9));
        Thread.sleep(5000); // informers synced, start-up settled
        out.put("api", api.name());
        out.put("apiServer", api.description());
        out.put("runs", options.runs());
        out.put("nodes", api.name().equals("real") ? options.nodes() : 0);
        out.put("date", Instant.now().toString());
        out.put("operatorJvm", String.join(" ", options.operatorJvm()));
        out.put("operatorEnv", options.operatorEnv().toString());
        out.put("progressDelayMs", options.progressDelayMs());
        out.put("loadAverageStart", loadAverage());
        out.put("rssIdleMB", round(probe.rssMB()));
        double[] heap0 = probe.heapAfterGcMB();
        out.put("heapAfterGcIdleMB", round(heap0[0]));
        out.put("rssIdleAfterGcMB", round(probe.rssMB()));

        Map<String, ProcessProbe> servers = api.serverProcesses();
        Map<String, Double> serverCpu0 = cpu(servers);
        Map<String, Double> counters0 = api.serverCounters();
        long reconciles0 = metrics.reconciles();
        double cpu0 = probe.cpuSeconds();
        Map<String, Double> threads0 = probe.cpuByThreadGroup();
        double benchCpu0 = benchCpuSeconds();
        Instant start = Instant.now();
        long t0 = System.nanoTime();
        long deadline = t0 + seconds(options.timeoutSeconds());
        KubernetesClient client = api.client();
        try (FleetTimeline timeline = new FleetTimeline(client, t0, options.trace())) {
            createRuns(client);
            int n = options.runs();
            out.put("createdAllS", round((System.nanoTime() - t0) / 1e9));
            out.put("allPods", await(() -> timeline.podCreated.size() >= n, deadline));
            out.put("timeToAllPodsS", round(FleetTimeline.max(timeline.podCreated) / 1e9));
            out.put("allScheduled", await(() -> timeline.podScheduled.size() >= n, deadline));
            out.put("timeToAllScheduledS", round(FleetTimeline.max(timeline.podScheduled) / 1e9));
            out.put("allPodsRunning", await(() -> timeline.podRunning.size() >= n, deadline));
            out.put("timeToAllPodsRunningS", round(FleetTimeline.max(timeline.podRunning) / 1e9));
            out.put("allRunning", await(() -> timeline.runRunning.size() >= n, deadline));
            double runningS = FleetTimeline.max(timeline.runRunning) / 1e9;
            out.put("timeToAllRunningS", round(runningS));
            if (!(Boolean) out.get("allScheduled")) {
                out.put("unscheduledPod", unscheduled(client, timeline));
            }
            out.put("claimsBound", timeline.claimBound.size());
            out.put(
                    "timeToAllClaimsBoundS",
                    timeline.claimBound.isEmpty() ? "-" : round(FleetTimeline.max(timeline.claimBound) / 1e9));
            Instant running = Instant.now();
            burst(probe, threads0, cpu0, reconciles0, runningS);
            out.put("benchJvmCpuToAllRunningS", round(benchCpuSeconds() - benchCpu0));
            serverCpu(servers, serverCpu0, "CpuToAllRunningS");
            out.put("loadAverageBurst", loadAverage());
            out.put("rssAfterBurstMB", round(probe.rssMB()));

            steady(probe, timeline);
            Instant end = Instant.now();
            out.put(
                    "runsWithProgress",
                    client
                            .genericKubernetesResources(FleetApi.API_VERSION, FleetApi.KIND)
                            .inNamespace(FleetApi.NAMESPACE)
                            .list()
                            .getItems()
                            .stream()
                            .filter(r -> FleetTimeline.at(r, "status", "progress", "step") != null)
                            .count());
            out.put("kubeletConflicts", api.kubeletConflicts());
            objectSizes(client);
            end(probe, heap0, cpu0);
            serverCpu(servers, serverCpu0, "CpuTotalS");
            servers.forEach((name, p) -> out.put(key(name, "PeakRssMB"), peakRss(p)));
            Map<String, Double> counters = api.serverCounters();
            counters.forEach((k, v) -> out.put(k, round(v - counters0.getOrDefault(k, 0.0))));
            out.put("loadAverageEnd", loadAverage());
            requests(api.requests(), start, running, end);
        }
        operatorLogFindings();
        return out;
    }

    private void burst(ProcessProbe probe, Map<String, Double> threads0, double cpu0, long reconciles0, double runningS)
            throws IOException {
        long reconciles = metrics.reconciles() - reconciles0;
        double cpu = probe.cpuSeconds() - cpu0;
        out.put("reconcilesToAllRunning", reconciles);
        out.put("reconcilesPerSecond", round(reconciles / runningS));
        out.put("reconcilesPerRun", round((double) reconciles / options.runs()));
        out.put("operatorCpuToAllRunningS", round(cpu));
        out.put("operatorCpuMsPerRun", round(cpu * 1000 / options.runs()));
        Map<String, Double> threads = probe.cpuByThreadGroup();
        double jit = threads.entrySet().stream()
                .filter(e -> e.getKey().contains("CompilerThre"))
                .mapToDouble(e -> e.getValue() - threads0.getOrDefault(e.getKey(), 0.0))
                .sum();
        out.put(
                "operatorCpuWithoutJitMsPerRun",
                round((cpu - jit) * 1000 / options.runs())); // JIT warm-up is a fixed cost
        out.put("operatorCpuByThread", top(threads, threads0));
    }

    /** Every run Running and polled once per progress interval. */
    private void steady(ProcessProbe probe, FleetTimeline timeline) throws Exception {
        long reconciles0 = metrics.reconciles();
        long events0 = timeline.runEvents.sum();
        long polls0 = trainers.requests.sum();
        double cpu0 = probe.cpuSeconds();
        long s0 = System.nanoTime();
        Thread.sleep(options.steadySeconds() * 1000L);
        double s = (System.nanoTime() - s0) / 1e9;
        out.put("steadyReconcilesPerSecond", round((metrics.reconciles() - reconciles0) / s));
        out.put("steadyStatusPatchesPerSecond", round((timeline.runEvents.sum() - events0) / s));
        out.put("steadyPollsPerSecond", round((trainers.requests.sum() - polls0) / s));
        out.put("steadyOperatorCpuPercent", round((probe.cpuSeconds() - cpu0) * 100 / s));
    }

    private void end(ProcessProbe probe, double[] heap0, double cpu0) throws Exception {
        out.put("rssEndMB", round(probe.rssMB()));
        out.put("rssPeakMB", round(probe.peakRssMB()));
        double[] heap = probe.heapAfterGcMB();
        out.put("heapAfterGcEndMB", round(heap[0]));
        out.put("heapCommittedEndMB", round(heap[1]));
        out.put("rssEndAfterGcMB", round(probe.rssMB()));
        out.put("rssGrowthMB", round(probe.rssMB() - (double) out.get("rssIdleAfterGcMB")));
        out.put("heapGrowthMB", round(heap[0] - heap0[0]));
        out.put("heapGrowthPerRunKB", round((heap[0] - heap0[0]) * 1024 / options.runs()));
        out.put("operatorCpuTotalS", round(probe.cpuSeconds() - cpu0));
    }

    /** Per-run request figures into the result; every client's requests by kind and code into -requests.txt. */
    private void requests(RequestLog log, Instant start, Instant running, Instant end) throws IOException {
        int n = options.runs();
        out.put("operatorApiRequestsPerRun", round((double) log.total(FleetApi.OPERATOR, start, running) / n));
        out.put("operatorApiRequestsPerRunWithSteady", round((double) log.total(FleetApi.OPERATOR, start, end) / n));
        Map<String, Long> codes = log.byCode(FleetApi.OPERATOR, start, end);
        out.put("operatorResponseCodes", codes.isEmpty() ? "-" : codes.toString());
        out.put("operatorConflicts", codes.isEmpty() ? "-" : codes.getOrDefault("409", 0L));
        out.put("operatorThrottled", codes.isEmpty() ? "-" : codes.getOrDefault("429", 0L));
        out.put("requestsByClientToAllRunning", log.byClient(start, running).toString());
        StringBuilder b = new StringBuilder();
        for (String c : log.byClient(start, end).keySet()) {
            b.append("## ").append(c).append(": first create until all Running / until the end of the steady window\n");
            Map<String, Long> burst = log.byKind(c, start, running);
            log.byKind(c, start, end)
                    .forEach((k, v) ->
                            b.append(String.format(Locale.ROOT, "%6d %6d %s%n", burst.getOrDefault(k, 0L), v, k)));
            Map<String, Long> byCode = log.byCode(c, start, end);
            if (!byCode.isEmpty()) {
                b.append("   response codes: ").append(byCode).append('\n');
            }
        }
        Files.writeString(options.out().resolve(options.stem() + "-requests.txt"), b.toString());
    }

    /** Warnings and errors the operator logged (the first few of each distinct kind go to -warnings.txt). */
    private void operatorLogFindings() throws IOException {
        Map<String, Integer> kinds = new LinkedHashMap<>();
        long warn = 0;
        long error = 0;
        for (String line : Files.readAllLines(operatorLog)) {
            boolean w = line.contains(" WARN ");
            boolean e = line.contains(" ERROR ");
            if (w || e) {
                warn += w ? 1 : 0;
                error += e ? 1 : 0;
                String kind = line.replaceAll("^\\S+ \\S+ ", "").replaceAll("\\d+", "#");
                kinds.merge(kind.length() > 240 ? kind.substring(0, 240) : kind, 1, Integer::sum);
            }
        }
        out.put("operatorLogWarnings", warn);
        out.put("operatorLogErrors", error);
        StringBuilder b = new StringBuilder();
        kinds.forEach((k, v) -> b.append(v).append("x ").append(k).append('\n'));
        Files.writeString(options.out().resolve(options.stem() + "-warnings.txt"), b.toString());
    }

    /** JSON size of one run and one pod as the server returns them, and of their managedFields (what caches hold). */
    private void objectSizes(KubernetesClient client) {
        var run = client.genericKubernetesResources(FleetApi.API_VERSION, FleetApi.KIND)
                .inNamespace(FleetApi.NAMESPACE)
                .withName("r0000")
                .get();
        var pod = client.pods()
                .inNamespace(FleetApi.NAMESPACE)
                .withName("r0000-a1")
                .get();
        for (var e : Map.of("run", (io.fabric8.kubernetes.api.model.HasMetadata) run, "pod", pod)
                .entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            out.put(e.getKey() + "JsonBytes", Serialization.asJson(e.getValue()).length());
            var managed = e.getValue().getMetadata().getManagedFields();
            out.put(
                    e.getKey() + "ManagedFieldsBytes",
                    managed == null || managed.isEmpty()
                            ? 0
                            : Serialization.asJson(managed).length());
        }
    }

    /** The scheduler's word on one pod that was not scheduled in time (its PodScheduled condition). */
    private static String unscheduled(KubernetesClient client, FleetTimeline timeline) {
        return timeline.podCreated.keySet().stream()
                .filter(p -> !timeline.podScheduled.containsKey(p))
                .findFirst()
                .map(p -> client.pods()
                        .inNamespace(FleetApi.NAMESPACE)
                        .withName(p)
                        .get())
                .map(p -> p.getMetadata().getName() + ": "
                        + (p.getStatus() == null || p.getStatus().getConditions() == null
                                ? "no conditions"
                                : p.getStatus().getConditions().stream()
                                        .map(c -> c.getType() + "=" + c.getStatus() + " " + c.getReason() + ": "
                                                + c.getMessage())
                                        .toList()
                                        .toString()))
                .orElse("-");
    }

    /** "At once": as fast as 8 client threads can POST them. */
    private void createRuns(KubernetesClient client) throws Exception {
        ExecutorService creators = Executors.newFixedThreadPool(8);
        List<Future<?>> creates = new ArrayList<>();
        for (int i = 0; i < options.runs(); i++) {
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
        return Serialization.unmarshal(
                """
                {"apiVersion":"densecl.io/v1alpha1","kind":"DenseCLRun","metadata":{"name":"%s","namespace":"%s"},
                 "spec":{"data":{"claimName":"%s","path":"synth"},"model":{"backbone":"resnet18"},
                  "training":{"epochs":2,"batchSize":16,"imageSize":64},"denseCL":{"queueSize":256},
                  "failurePolicy":{"backoffLimit":2,"maxDisruptions":2,"progressDeadlineSeconds":600}}}
                """.formatted(name, FleetApi.NAMESPACE, FleetApi.DATA_CLAIM), GenericKubernetesResource.class);
    }

    private static Map<String, Double> cpu(Map<String, ProcessProbe> probes) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        for (var e : probes.entrySet()) {
            out.put(e.getKey(), e.getValue().cpuSeconds());
        }
        return out;
    }

    private void serverCpu(Map<String, ProcessProbe> servers, Map<String, Double> cpu0, String suffix)
            throws IOException {
        for (var e : cpu(servers).entrySet()) {
            out.put(key(e.getKey(), suffix), round(e.getValue() - cpu0.get(e.getKey())));
        }
    }

    /** kube-apiserver + CpuTotalS -> apiserverCpuTotalS. */
    private static String key(String component, String suffix) {
        String base = component.replace("kube-", "").replace("-", "");
        return base.replace("controllermanager", "controllerManager") + suffix;
    }

    private static double peakRss(ProcessProbe p) {
        try {
            return round(p.peakRssMB());
        } catch (IOException e) {
            return -1;
        }
    }

    private static double benchCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
    }

    private static double loadAverage() {
        return round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static String top(Map<String, Double> now, Map<String, Double> before) {
        StringBuilder b = new StringBuilder();
        now.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(8)
                .forEach(e -> b.append(b.length() == 0 ? "" : ", ")
                        .append(e.getKey())
                        .append('=')
                        .append(round(e.getValue()))
                        .append('s'));
        return b.toString();
    }

    private static boolean await(BooleanSupplier done, long deadline) throws InterruptedException {
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static long seconds(long s) {
        return s * 1_000_000_000L;
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
