package io.densecl.local;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The pod half of the local kubelet, authenticated as {@code system:node:<name>}: it watches the pods the real
 * scheduler binds to its node, runs each container as a local process ({@link PodProcess}), reports pod
 * status through the {@code pods/status} subresource as a kubelet does, and honours graceful deletion:
 * SIGTERM, the pod's grace period, SIGKILL, the final status, then a delete with grace period 0 (only the
 * kubelet's own delete removes a pod bound to a node). {@link #loseNode} is a node crash: heartbeats stop,
 * processes die, nothing is reported; {@link #recover} is the node coming back after a reboot.
 */
final class LocalKubelet implements AutoCloseable {

    private final KubernetesClient client;
    private final LocalLayout layout;
    private final NodeAgent node;
    private final Map<String, PodProcess> running = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-kubelet");
        t.setDaemon(true);
        return t;
    });
    /** Pod IPs are loopback addresses, unique across the nodes of this process. */
    private static final AtomicInteger NEXT_IP = new AtomicInteger(10);

    private volatile SharedIndexInformer<Pod> informer;
    /** False while the node is "down": no status is reported, no pod is started. */
    private volatile boolean up;

    LocalKubelet(KubernetesClient nodeClient, LocalLayout layout, int gpus, String gpuResource) {
        this.client = nodeClient;
        this.layout = layout;
        this.node = new NodeAgent(nodeClient, nodeName(nodeClient), gpus, gpuResource);
    }

    /** The node name from the client's identity (system:node:NAME). */
    private static String nodeName(KubernetesClient c) {
        String user = c.getConfiguration().getCurrentContext() == null
                ? null
                : c.getConfiguration().getCurrentContext().getContext().getUser();
        return user != null && user.startsWith("system:node:") ? user.substring("system:node:".length()) : "local";
    }

    String nodeName() {
        return node.name();
    }

    void start() {
        up = true;
        node.start();
        informer = client.pods()
                .inAnyNamespace()
                .withField("spec.nodeName", node.name())
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(Pod pod) {
                                sync(pod);
                            }

                            @Override
                            public void onUpdate(Pod old, Pod pod) {
                                sync(pod);
                            }

                            @Override
                            public void onDelete(Pod pod, boolean unknown) {
                                PodProcess p = running.remove(key(pod));
                                if (p != null) {
                                    // force-deleted (grace period 0 by someone else): the container goes at once
                                    workers.submit(() -> {
                                        p.kill();
                                        return null;
                                    });
                                }
                            }
                        },
                        0);
    }

    /** Acts on the pod's current state: start it, terminate it, or finish a pod this kubelet no longer runs. */
    private void sync(Pod pod) {
        if (!up) {
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        boolean finished = "Succeeded".equals(phase) || "Failed".equals(phase);
        PodProcess p = running.get(key(pod));
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            if (p != null) {
                terminate(pod, p);
            } else {
                workers.submit(() -> {
                    if (!finished && "Running".equals(phase)) {
                        reportLost(pod); // ran before a node restart: its container is gone
                    }
                    remove(pod);
                });
            }
            return;
        }
        if (p != null || finished) {
            return;
        }
        if ("Running".equals(phase)) {
            workers.submit(() -> reportLost(pod)); // ran on this node before it restarted; restartPolicy Never
            return;
        }
        int n = NEXT_IP.getAndIncrement();
        String ip = "127.0." + (n / 250) + "." + (n % 250 + 2);
        PodProcess fresh = new PodProcess(
                pod,
                layout.pods()
                        .resolve(pod.getMetadata().getNamespace())
                        .resolve(pod.getMetadata().getName() + "-"
                                + pod.getMetadata().getUid().substring(0, 8)),
                ip);
        if (running.putIfAbsent(key(pod), fresh) == null) {
            workers.submit(() -> run(pod, fresh));
        }
    }

    private void run(Pod pod, PodProcess p) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String started = Instant.now().toString();
        try {
            p.start(client, layout);
        } catch (Exception e) {
            System.err.println("local kubelet: cannot start " + ns + "/" + name + ": " + e.getMessage());
            running.remove(key(pod));
            report(
                    pod,
                    s -> KubeletStatus.terminated(
                            withStatus(pod, s),
                            128,
                            "StartError",
                            e.getMessage(),
                            started,
                            Instant.now().toString()));
            return;
        }
        report(pod, s -> KubeletStatus.running(withStatus(pod, s), p.ip(), started));
        int exit;
        try {
            exit = p.process().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (running.remove(key(pod)) == null || !up) {
            return; // force-deleted (nothing left to report to) or the node is down (nobody reports)
        }
        String reason = exit == 0 ? "Completed" : "Error";
        report(
                pod,
                s -> KubeletStatus.terminated(
                        withStatus(pod, s),
                        exit,
                        reason,
                        p.terminationMessage(exit),
                        started,
                        Instant.now().toString()));
        Pod current = client.pods().inNamespace(ns).withName(name).get();
        if (current != null && current.getMetadata().getDeletionTimestamp() != null) {
            remove(current); // graceful deletion ends with the kubelet's delete once the final status is written
        }
    }

    /** Graceful deletion of a running pod: SIGTERM, the grace period, SIGKILL; run() then reports and removes it. */
    private void terminate(Pod pod, PodProcess p) {
        if (!p.markTerminating()) {
            return;
        }
        Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
        long seconds = grace != null
                ? grace
                : pod.getSpec().getTerminationGracePeriodSeconds() == null
                        ? 30
                        : pod.getSpec().getTerminationGracePeriodSeconds();
        workers.submit(() -> {
            p.terminate(seconds);
            return null;
        });
    }

    /** A pod whose container vanished with a node restart: terminated, exit 137, as the kubelet reports it. */
    private void reportLost(Pod pod) {
        String now = Instant.now().toString();
        report(
                pod,
                s -> KubeletStatus.terminated(
                        withStatus(pod, s),
                        137,
                        "ContainerStatusUnknown",
                        "The container could not be located when the pod was terminated",
                        null,
                        now));
    }

    private void remove(Pod pod) {
        try {
            client.pods()
                    .inNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName())
                    .withGracePeriod(0)
                    .delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                System.err.println("local kubelet: cannot remove pod " + key(pod) + ": " + e.getMessage());
            }
        }
    }

    private static Pod withStatus(Pod pod, PodStatus status) {
        Pod copy = new io.fabric8.kubernetes.api.model.PodBuilder(pod).build();
        copy.setStatus(status);
        return copy;
    }

    /** Read-modify-write of the pod's status subresource, retried on conflicts. */
    private void report(Pod pod, UnaryOperator<PodStatus> edit) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        for (int attempt = 0; attempt < 20 && up; attempt++) {
            Pod cur = client.pods().inNamespace(ns).withName(name).get();
            if (cur == null
                    || !cur.getMetadata().getUid().equals(pod.getMetadata().getUid())) {
                return;
            }
            cur.setStatus(edit.apply(cur.getStatus() == null ? new PodStatus() : cur.getStatus()));
            try {
                client.pods().inNamespace(ns).resource(cur).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                if (e.getCode() != 409) {
                    System.err.println(
                            "local kubelet: cannot report the status of " + ns + "/" + name + ": " + e.getMessage());
                    return;
                }
            }
        }
    }

    /** Node crash: heartbeats stop, every container dies at once, nothing more is reported. */
    void loseNode() {
        up = false;
        node.stopHeartbeats();
        if (informer != null) {
            informer.close();
            informer = null;
        }
        running.values().forEach(p -> {
            try {
                p.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        running.clear();
    }

    /** The node is back (a reboot): it reports Ready again and finishes the pods it ran before. */
    void recover() {
        start();
    }

    /** The process of a running pod, for tests. */
    PodProcess process(String namespace, String pod) {
        return running.get(namespace + "/" + pod);
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        running.values().parallelStream()
                .forEach(
                        p -> { // every pod gets its SIGTERM at once, as on a node drain
                            try {
                                p.terminate(30);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
        node.close();
        workers.shutdownNow();
    }
}
