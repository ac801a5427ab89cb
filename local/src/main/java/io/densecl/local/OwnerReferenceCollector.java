package io.densecl.local;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The garbage collector the mock API server lacks: pods, config maps and claims whose owning
 * DenseCLRun (by uid) no longer exists are deleted, as Kubernetes does through owner references.
 */
final class OwnerReferenceCollector implements AutoCloseable {
    private final KubernetesClient client;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "local-gc");
        t.setDaemon(true);
        return t;
    });

    OwnerReferenceCollector(KubernetesClient client) {
        this.client = client;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::sweep, 3, 3, TimeUnit.SECONDS);
    }

    void sweep() {
        try {
            Set<String> live = new HashSet<>();
            client.genericKubernetesResources(LocalCluster.API_VERSION, LocalCluster.KIND).inAnyNamespace().list().getItems()
                    .forEach(r -> live.add(r.getMetadata().getUid()));
            List<HasMetadata> orphans = new ArrayList<>();
            client.pods().inAnyNamespace().list().getItems().stream().filter(o -> orphaned(o, live)).forEach(orphans::add);
            client.configMaps().inAnyNamespace().list().getItems().stream().filter(o -> orphaned(o, live)).forEach(orphans::add);
            client.persistentVolumeClaims().inAnyNamespace().list().getItems().stream().filter(o -> orphaned(o, live)).forEach(orphans::add);
            for (HasMetadata o : orphans) {
                if (o.getMetadata().getDeletionTimestamp() == null) {
                    client.resource(o).delete();
                }
            }
        } catch (RuntimeException e) {
            System.err.println("local gc: " + e.getMessage());
        }
    }

    private static boolean orphaned(HasMetadata o, Set<String> liveRuns) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        if (refs == null || refs.isEmpty()) return false;
        return refs.stream().filter(r -> LocalCluster.KIND.equals(r.getKind())).anyMatch(r -> !liveRuns.contains(r.getUid()));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
