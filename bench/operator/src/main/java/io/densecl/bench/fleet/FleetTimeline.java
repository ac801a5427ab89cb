package io.densecl.bench.fleet;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the bench sees through its own watches, in nanoseconds after the first create: when each trainer pod was
 * created, scheduled (spec.nodeName) and reported Running, when each checkpoint claim was bound, and when each run's
 * status said Running; plus the number of run events (each one a status or metadata write).
 */
final class FleetTimeline implements AutoCloseable {
    final Map<String, Long> podCreated = new ConcurrentHashMap<>();
    final Map<String, Long> podScheduled = new ConcurrentHashMap<>();
    final Map<String, Long> podRunning = new ConcurrentHashMap<>();
    final Map<String, Long> claimBound = new ConcurrentHashMap<>();
    final Map<String, Long> runRunning = new ConcurrentHashMap<>();
    final LongAdder runEvents = new LongAdder();
    private final long t0;
    private final java.util.Set<String> trace;
    private final List<Watch> watches;

    /** Starts the watches; {@code trace} names runs (comma-separated) whose every event is printed (empty: none). */
    FleetTimeline(KubernetesClient client, long t0, String trace) {
        this.t0 = t0;
        this.trace = java.util.Set.of(trace.split(","));
        var ns = FleetApi.NAMESPACE;
        watches = List.of(
                client.genericKubernetesResources(FleetApi.API_VERSION, FleetApi.KIND)
                        .inNamespace(ns)
                        .watch(watcher(this::run)),
                client.pods()
                        .inNamespace(ns)
                        .withLabel("densecl.io/role", "pretrain")
                        .watch(watcher(this::pod)),
                client.persistentVolumeClaims().inNamespace(ns).watch(watcher(this::claim)));
    }

    static long max(Map<String, Long> times) {
        return times.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private void run(Watcher.Action action, GenericKubernetesResource run) {
        runEvents.increment();
        String name = run.getMetadata().getName();
        if (trace.contains(name)) {
            System.out.printf(
                    "TRACE %.3fs %s rv=%s status=%s%n",
                    (System.nanoTime() - t0) / 1e9,
                    action,
                    run.getMetadata().getResourceVersion(),
                    Serialization.asJson(run.getAdditionalProperties().get("status")));
        }
        if ("Running".equals(at(run, "status", "phase"))) {
            runRunning.putIfAbsent(name, System.nanoTime() - t0);
        }
    }

    private void pod(Watcher.Action action, Pod pod) {
        long now = System.nanoTime() - t0;
        String name = pod.getMetadata().getName();
        podCreated.putIfAbsent(name, now);
        if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
            podScheduled.putIfAbsent(name, now);
        }
        if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
            podRunning.putIfAbsent(name, now);
        }
    }

    private void claim(Watcher.Action action, PersistentVolumeClaim claim) {
        if (!FleetApi.DATA_CLAIM.equals(claim.getMetadata().getName())
                && claim.getStatus() != null
                && "Bound".equals(claim.getStatus().getPhase())) {
            claimBound.putIfAbsent(claim.getMetadata().getName(), System.nanoTime() - t0);
        }
    }

    private static <T> Watcher<T> watcher(java.util.function.BiConsumer<Watcher.Action, T> handler) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, T resource) {
                handler.accept(action, resource);
            }

            @Override
            public void onClose(WatcherException cause) {
                if (cause != null) {
                    System.err.println("fleet bench: a watch closed: " + cause.getMessage());
                }
            }
        };
    }

    @SuppressWarnings("unchecked")
    static Object at(GenericKubernetesResource r, String... path) {
        Object cur = r.getAdditionalProperties();
        for (String p : path) {
            if (!(cur instanceof Map)) {
                return null;
            }
            cur = ((Map<String, Object>) cur).get(p);
        }
        return cur;
    }

    @Override
    public void close() {
        watches.forEach(Watch::close);
    }
}
