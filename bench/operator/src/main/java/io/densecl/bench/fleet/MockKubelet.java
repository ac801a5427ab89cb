package io.densecl.bench.fleet;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The mock variant's scheduler and kubelet in one: every new trainer pod is bound (spec.nodeName) and started at
 * once (Running, ready, pod IP 127.0.0.1 where {@link FleetTrainerEndpoint} listens) with one PUT of the pod.
 */
final class MockKubelet implements AutoCloseable {
    final AtomicInteger conflicts = new AtomicInteger();
    private final KubernetesClient client;
    private final String namespace;
    private final ExecutorService workers = Executors.newFixedThreadPool(4);
    private Watch watch;

    MockKubelet(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    void start() {
        watch = client.pods()
                .inNamespace(namespace)
                .withLabel("densecl.io/role", "pretrain")
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        if (action == Action.ADDED) {
                            workers.submit(() -> run(pod));
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                });
    }

    /** One PUT with the watched object; a 409 (the operator touched the pod meanwhile) re-reads and retries. */
    private void run(Pod pod) {
        for (int attempt = 0; attempt < 5 && pod != null; attempt++) {
            String now = Instant.now().toString();
            String name = pod.getMetadata().getName();
            pod.getSpec().setNodeName("node-" + Math.floorMod(name.hashCode(), 64));
            pod.setStatus(new PodStatusBuilder()
                    .withPhase("Running")
                    .withPodIP("127.0.0.1")
                    .withStartTime(now)
                    .withContainerStatuses(new ContainerStatusBuilder()
                            .withName("trainer")
                            .withReady(true)
                            .withNewState()
                            .withNewRunning()
                            .withStartedAt(now)
                            .endRunning()
                            .endState()
                            .build())
                    .build());
            try {
                client.resource(pod).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                conflicts.incrementAndGet();
                pod = client.pods().inNamespace(namespace).withName(name).get();
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
