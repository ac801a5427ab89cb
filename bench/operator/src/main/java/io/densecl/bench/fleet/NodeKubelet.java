package io.densecl.bench.fleet;

import io.densecl.local.KubeletStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fake kubelet of one {@link FleetNode}, authenticated as that node: it watches the pods the scheduler binds to
 * the node ({@code spec.nodeName}, the only pod watch the Node authorizer allows it) and reports each Running through
 * the {@code pods/status} subresource with local mode's kubelet status (conditions, container states) and pod IP
 * 127.0.0.1, where {@link FleetTrainerEndpoint} answers. No process is started.
 */
final class NodeKubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final String node;
    private final AtomicInteger conflicts;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers;
    private Watch watch;

    NodeKubelet(KubernetesClient nodeClient, String node, AtomicInteger conflicts) {
        this.client = nodeClient;
        this.node = node;
        this.conflicts = conflicts;
        this.workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "fleet-kubelet-" + node);
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        watch = client.pods().inAnyNamespace().withField("spec.nodeName", node).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                boolean pending = pod.getStatus() == null
                        || !"Running".equals(pod.getStatus().getPhase());
                if (action != Action.DELETED
                        && pending
                        && pod.getMetadata().getDeletionTimestamp() == null
                        && reported.add(pod.getMetadata().getUid())) {
                    workers.submit(() -> report(pod));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                if (cause != null) {
                    System.err.println("fleet kubelet " + node + ": pod watch closed: " + cause.getMessage());
                }
            }
        });
    }

    /** PUT pods/status with the watched resourceVersion; a 409 re-reads and retries. */
    private void report(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        for (int attempt = 0; attempt < 5 && pod != null; attempt++) {
            pod.setStatus(KubeletStatus.running(pod, "127.0.0.1", Instant.now().toString()));
            try {
                client.pods().inNamespace(ns).resource(pod).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    System.err.println(
                            "fleet kubelet " + node + ": cannot report " + ns + "/" + name + ": " + e.getMessage());
                    return;
                }
                conflicts.incrementAndGet();
                pod = client.pods().inNamespace(ns).withName(name).get();
            }
        }
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        workers.shutdownNow();
    }
}
