package io.densecl.operator.realapi;

import io.densecl.operator.resources.ChildNames;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A kubelet for the real operator, running by itself on the shared {@link FakeNode}: it binds every trainer or
 * evaluation pod of the namespaces it manages to the node (the scheduler's call, there is no scheduler), starts it
 * (Running, a loopback pod IP whose {@code /progress} a {@link FakeTrainers} endpoint answers), ends it when the
 * test says so, and honours graceful deletion: SIGTERM, the trainer checkpoints for as long as the test set
 * ({@link #holdOnDelete}), exits 75, then the pod is deleted with grace period 0. Pod status is written by the
 * node's own identity.
 */
final class AutoKubelet implements AutoCloseable {

    private final FakeNode node;
    private final FakeTrainers trainers;
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    private final Map<String, String> ips = new ConcurrentHashMap<>();
    private final Map<String, Duration> holds = new ConcurrentHashMap<>();
    private final Set<String> terminating = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "auto-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final SharedIndexInformer<Pod> informer;

    AutoKubelet(FakeNode node, FakeTrainers trainers) {
        this.node = node;
        this.trainers = trainers;
        this.informer = RealApi.admin()
                .pods()
                .inAnyNamespace()
                .withLabel(ChildNames.LABEL_RUN)
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(Pod pod) {
                                worker.execute(() -> handle(pod));
                            }

                            @Override
                            public void onUpdate(Pod old, Pod pod) {
                                worker.execute(() -> handle(pod));
                            }

                            @Override
                            public void onDelete(Pod pod, boolean unknownFinalState) {
                                String ip = ips.remove(key(pod));
                                if (ip != null) {
                                    trainers.stop(ip);
                                }
                            }
                        },
                        0);
    }

    /** Runs the pods of this namespace from now on. */
    void manage(String namespace) {
        namespaces.add(namespace);
    }

    /** After SIGTERM the trainer of this pod takes {@code d} to write its checkpoint and exit (default 1 s). */
    void holdOnDelete(String namespace, String pod, Duration d) {
        holds.put(namespace + "/" + pod, d);
    }

    /** The pod IP of a started pod, or null. */
    String ip(String namespace, String pod) {
        return ips.get(namespace + "/" + pod);
    }

    /** The trainer exits with {@code exitCode} and its termination message. */
    void exit(String namespace, String pod, int exitCode, String message) {
        writeStatus(namespace, pod, p -> terminated(p, exitCode, message));
        String ip = ips.get(namespace + "/" + pod);
        if (ip != null) {
            trainers.stop(ip);
        }
    }

    private void handle(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        if (!namespaces.contains(ns)) {
            return;
        }
        String name = pod.getMetadata().getName();
        String key = key(pod);
        String nodeName = pod.getSpec().getNodeName();
        try {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                if (node.name().equals(nodeName)
                        && terminating.add(key + "/" + pod.getMetadata().getUid())) {
                    long ms = holds.getOrDefault(key, Duration.ofSeconds(1)).toMillis();
                    worker.schedule(() -> terminate(ns, name), ms, TimeUnit.MILLISECONDS);
                }
            } else if (nodeName == null) {
                node.bind(ns, name);
            } else if (node.name().equals(nodeName) && !ips.containsKey(key) && pending(pod)) {
                String ip = trainers.newEndpoint();
                ips.put(key, ip);
                writeStatus(
                        ns,
                        name,
                        p -> p.setStatus(new PodStatusBuilder()
                                .withPhase("Running")
                                .withPodIP(ip)
                                .withStartTime(now())
                                .withContainerStatuses(new ContainerStatusBuilder()
                                        .withName("trainer")
                                        .withReady(true)
                                        .withImage(p.getSpec()
                                                .getContainers()
                                                .get(0)
                                                .getImage())
                                        .withImageID("")
                                        .withNewState()
                                        .withNewRunning()
                                        .withStartedAt(now())
                                        .endRunning()
                                        .endState()
                                        .build())
                                .build()));
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 404) { // bound twice by a repeated event; gone meanwhile
                throw e;
            }
        }
    }

    /** SIGTERM handled: the trainer wrote its checkpoint and exited 75; the kubelet deletes the pod for good. */
    private void terminate(String ns, String name) {
        Pod pod = node.client().pods().inNamespace(ns).withName(name).get();
        if (pod == null) {
            return;
        }
        if (!"Succeeded".equals(phase(pod)) && !"Failed".equals(phase(pod))) {
            writeStatus(ns, name, p -> terminated(p, 75, "{\"result\":\"Checkpointed\"}"));
        }
        node.client().pods().inNamespace(ns).withName(name).withGracePeriod(0).delete();
    }

    private void writeStatus(String ns, String name, Consumer<Pod> edit) {
        for (int i = 0; ; i++) {
            Pod pod = node.client().pods().inNamespace(ns).withName(name).get();
            if (pod == null) {
                return;
            }
            edit.accept(pod);
            try {
                node.client().pods().inNamespace(ns).resource(pod).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || i >= 10) {
                    throw e;
                }
            }
        }
    }

    private static void terminated(Pod p, int exitCode, String message) {
        String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
        String started = p.getStatus() == null ? null : p.getStatus().getStartTime();
        p.setStatus(new PodStatusBuilder()
                .withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .withPodIP(ip)
                .withStartTime(started)
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName("trainer")
                        .withReady(false)
                        .withImage(p.getSpec().getContainers().get(0).getImage())
                        .withImageID("")
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(exitCode)
                        .withReason(exitCode == 0 ? "Completed" : "Error")
                        .withMessage(message)
                        .withFinishedAt(now())
                        .endTerminated()
                        .endState()
                        .build())
                .build());
    }

    private static boolean pending(Pod pod) {
        String phase = phase(pod);
        return phase == null || "Pending".equals(phase);
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private static String now() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    @Override
    public void close() {
        informer.close();
        worker.shutdownNow();
    }
}
