package io.densecl.local;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Scheduler and kubelet of local mode: every new pod is bound to node {@code local}, gets its own
 * loopback address as pod IP, runs as a local process, and its status moves Pending -> Running ->
 * Succeeded/Failed with container states, exit codes and termination messages as a kubelet writes
 * them. Deleting a pod sends SIGTERM and, after the grace period, SIGKILL.
 */
final class LocalKubelet implements AutoCloseable {
    static final String NODE = "local";
    /**
     * The mock API server deletes objects at once; a finalizer turns a pod deletion into what a real
     * kubelet sees: deletionTimestamp set, SIGTERM, grace period, final status, then the object goes.
     */
    static final String FINALIZER = "densecl.io/local-kubelet";
    private final KubernetesClient client;
    private final LocalLayout layout;
    private final Map<String, PodProcess> running = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger nextIp = new AtomicInteger(10);
    private SharedIndexInformer<Pod> informer;

    LocalKubelet(KubernetesClient client, LocalLayout layout) {
        this.client = client;
        this.layout = layout;
    }

    void start() {
        informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                maybeStart(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    terminating(pod);
                } else {
                    maybeStart(pod);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                PodProcess p = running.remove(key(pod));
                if (p != null) {
                    workers.submit(() -> {
                        p.kill(); // force-deleted (finalizer removed by someone else): nothing left to report to
                        return null;
                    });
                }
            }
        });
    }

    /** Graceful deletion: SIGTERM, wait up to the grace period (then SIGKILL); the exit is reported by run(). */
    private void terminating(Pod pod) {
        PodProcess p = running.get(key(pod));
        if (p == null) {
            releaseFinalizer(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
            return;
        }
        if (!p.markTerminating()) return;
        long grace = pod.getSpec().getTerminationGracePeriodSeconds() == null ? 30 : pod.getSpec().getTerminationGracePeriodSeconds();
        workers.submit(() -> {
            p.terminate(grace);
            return null;
        });
    }

    private void releaseFinalizer(String ns, String name) {
        editPod(ns, name, cur -> cur.getMetadata().getFinalizers() != null && cur.getMetadata().getFinalizers().remove(FINALIZER));
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private void maybeStart(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ((phase != null && !phase.equals("Pending")) || pod.getMetadata().getDeletionTimestamp() != null) return;
        String ip = "127.0.0." + nextIp.getAndIncrement();
        Path dir = layout.pods().resolve(pod.getMetadata().getNamespace()).resolve(pod.getMetadata().getName() + "-" + pod.getMetadata().getUid().substring(0, 8));
        PodProcess p = new PodProcess(pod, dir, ip);
        if (running.putIfAbsent(key(pod), p) != null) return;
        workers.submit(() -> run(pod, p));
    }

    private void run(Pod pod, PodProcess p) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        try {
            p.start(client, layout);
        } catch (Exception e) {
            System.err.println("local kubelet: cannot start " + ns + "/" + name + ": " + e.getMessage());
            finish(ns, name, 128, "ContainerCannotRun", e.getMessage());
            running.remove(ns + "/" + name);
            return;
        }
        String now = Instant.now().toString();
        updateStatus(ns, name, s -> {
            s.setPhase("Running");
            s.setPodIP(p.ip());
            s.setHostIP("127.0.0.1");
            s.setStartTime(now);
            s.setConditions(withCondition(s.getConditions(), "Ready", "True", null));
            s.setContainerStatuses(List.of(new ContainerStatusBuilder().withName(containerName(pod)).withReady(true).withRestartCount(0)
                    .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build()));
            return s;
        }, true);
        int exit;
        try {
            exit = p.process().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (running.remove(ns + "/" + name) == null) {
            return; // force-deleted: the API object is gone, nothing to report
        }
        finish(ns, name, exit, exit == 0 ? "Completed" : "Error", p.terminationMessage(exit));
        releaseFinalizer(ns, name); // a pod being deleted now goes away, with its final status seen by watchers
    }

    private void finish(String ns, String name, int exit, String reason, String message) {
        String now = Instant.now().toString();
        updateStatus(ns, name, s -> {
            s.setPhase(exit == 0 ? "Succeeded" : "Failed");
            s.setConditions(withCondition(s.getConditions(), "Ready", "False", "PodCompleted"));
            String started = s.getStartTime();
            s.setContainerStatuses(List.of(new ContainerStatusBuilder().withName("trainer").withReady(false).withRestartCount(0)
                    .withNewState().withNewTerminated().withExitCode(exit).withReason(reason).withMessage(message)
                    .withStartedAt(started).withFinishedAt(now).endTerminated().endState().build()));
            return s;
        }, false);
    }

    /** Node loss as a test sees it: DisruptionTarget=True on the pod, then the process dies by SIGKILL. */
    void loseNode(String namespace, String pod, String reason) throws InterruptedException {
        updateStatus(namespace, pod, s -> {
            s.setConditions(withCondition(s.getConditions(), "DisruptionTarget", "True", reason));
            return s;
        }, false);
        PodProcess p = running.get(namespace + "/" + pod);
        if (p != null) p.kill();
    }

    /** The process of a running pod, for tests. */
    PodProcess process(String namespace, String pod) {
        return running.get(namespace + "/" + pod);
    }

    private static String containerName(Pod pod) {
        return pod.getSpec().getContainers().get(0).getName();
    }

    private static List<PodCondition> withCondition(List<PodCondition> existing, String type, String status, String reason) {
        List<PodCondition> out = new ArrayList<>();
        if (existing != null) {
            for (PodCondition c : existing) if (!c.getType().equals(type)) out.add(c);
        }
        out.add(new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withLastTransitionTime(Instant.now().toString()).build());
        return out;
    }

    /** Status update (and, on start, binding to the node with the kubelet's finalizer). */
    private void updateStatus(String ns, String name, UnaryOperator<PodStatus> edit, boolean bind) {
        editPod(ns, name, cur -> {
            if (bind) {
                cur.getSpec().setNodeName(NODE);
                if (cur.getMetadata().getFinalizers() == null) cur.getMetadata().setFinalizers(new ArrayList<>());
                if (!cur.getMetadata().getFinalizers().contains(FINALIZER)) cur.getMetadata().getFinalizers().add(FINALIZER);
            }
            cur.setStatus(edit.apply(cur.getStatus() == null ? new PodStatus() : cur.getStatus()));
            return true;
        });
    }

    /** Read-modify-write of a pod, retried on conflicts; {@code edit} returns false when nothing needs writing. */
    private void editPod(String ns, String name, java.util.function.Predicate<Pod> edit) {
        for (int attempt = 0; attempt < 20; attempt++) {
            Pod cur = client.pods().inNamespace(ns).withName(name).get();
            if (cur == null || !edit.test(cur)) return;
            try {
                client.resource(cur).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) return;
                if (e.getCode() != 409) throw e;
            }
        }
        throw new IllegalStateException("could not update pod " + ns + "/" + name + " after 20 conflicts");
    }

    @Override
    public void close() {
        if (informer != null) informer.close();
        running.values().forEach(p -> {
            try {
                p.terminate(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        workers.shutdownNow();
    }
}
