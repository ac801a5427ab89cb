package io.densecl.operator.reconciler;

import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/** Read-only look-ups of objects the run refers to but does not own (claims, other runs). */
public class ClusterLookup {

    private final KubernetesClient client;

    public ClusterLookup(KubernetesClient client) {
        this.client = client;
    }

    public boolean claimExists(String namespace, String name) {
        return client.resources(PersistentVolumeClaim.class)
                        .inNamespace(namespace)
                        .withName(name)
                        .get()
                != null;
    }

    /** The access modes of a claim (its spec's, as requested); empty when it does not exist. */
    public java.util.List<String> claimAccessModes(String namespace, String name) {
        PersistentVolumeClaim claim = client.resources(PersistentVolumeClaim.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        return claim == null || claim.getSpec() == null || claim.getSpec().getAccessModes() == null
                ? java.util.List.of()
                : claim.getSpec().getAccessModes();
    }

    /** The labels of a claim (empty map when it has none), or empty when the claim does not exist. */
    public Optional<java.util.Map<String, String>> claimLabels(String namespace, String name) {
        return Optional.ofNullable(client.resources(PersistentVolumeClaim.class)
                        .inNamespace(namespace)
                        .withName(name)
                        .get())
                .map(c -> c.getMetadata().getLabels() == null
                        ? java.util.Map.of()
                        : c.getMetadata().getLabels());
    }

    /** A pod read from the API server, not from the informer cache. */
    public Optional<Pod> pod(String namespace, String name) {
        return Optional.ofNullable(
                client.pods().inNamespace(namespace).withName(name).get());
    }

    /** Another run in the namespace, if it exists. */
    public Optional<DenseCLRun> run(String namespace, String name) {
        return Optional.ofNullable(client.resources(DenseCLRun.class)
                .inNamespace(namespace)
                .withName(name)
                .get());
    }

    /** The uid of another run in the namespace, if it exists. */
    public Optional<String> runUid(String namespace, String name) {
        return run(namespace, name).map(r -> r.getMetadata().getUid());
    }
}
