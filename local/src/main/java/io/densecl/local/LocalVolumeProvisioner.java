package io.densecl.local;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A dynamic volume provisioner for local mode, as a cluster's CSI provisioner would be: a default
 * StorageClass {@value #DEFAULT_CLASS}; for every unbound claim a hostPath PersistentVolume under the state
 * directory, pre-bound to the claim (the controller-manager's PV controller then binds them); when a claim is
 * deleted, its volume and directory go too (reclaim policy Delete, so {@code checkpoint.onDelete} means what
 * it says here as well).
 */
public final class LocalVolumeProvisioner implements AutoCloseable {

    static final String DEFAULT_CLASS = "local-path";
    static final String PROVISIONER = "densecl.io/local-path";
    private final KubernetesClient client;
    private final LocalLayout layout;
    private SharedIndexInformer<PersistentVolumeClaim> claims;
    private SharedIndexInformer<PersistentVolume> volumes;

    public LocalVolumeProvisioner(KubernetesClient admin, LocalLayout layout) {
        this.client = admin;
        this.layout = layout;
    }

    public void start() {
        ensureStorageClass(DEFAULT_CLASS, true);
        claims = client.persistentVolumeClaims()
                .inAnyNamespace()
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(PersistentVolumeClaim claim) {
                                provision(claim);
                            }

                            @Override
                            public void onUpdate(PersistentVolumeClaim old, PersistentVolumeClaim claim) {
                                provision(claim);
                            }

                            @Override
                            public void onDelete(PersistentVolumeClaim claim, boolean unknown) {}
                        },
                        0);
        volumes = client.persistentVolumes()
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(PersistentVolume pv) {
                                reclaim(pv);
                            }

                            @Override
                            public void onUpdate(PersistentVolume old, PersistentVolume pv) {
                                reclaim(pv);
                            }

                            @Override
                            public void onDelete(PersistentVolume pv, boolean unknown) {}
                        },
                        0);
    }

    private void provision(PersistentVolumeClaim claim) {
        if (claim.getSpec().getVolumeName() != null
                        && !claim.getSpec().getVolumeName().isBlank()
                || claim.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String cls = claim.getSpec().getStorageClassName();
        if (cls != null && !cls.isBlank() && !cls.equals(DEFAULT_CLASS)) {
            ensureStorageClass(cls, false); // a class named by a manifest written for a real cluster
        }
        String ns = claim.getMetadata().getNamespace();
        String name = claim.getMetadata().getName();
        Path dir;
        try {
            dir = layout.claim(ns, name);
        } catch (IOException e) {
            System.err.println("local provisioner: cannot create the directory of claim " + ns + "/" + name + ": "
                    + e.getMessage());
            return;
        }
        Quantity size = claim.getSpec().getResources() == null
                        || claim.getSpec().getResources().getRequests() == null
                ? null
                : claim.getSpec().getResources().getRequests().get("storage");
        List<String> modes = claim.getSpec().getAccessModes() == null
                        || claim.getSpec().getAccessModes().isEmpty()
                ? List.of("ReadWriteOnce")
                : new ArrayList<>(claim.getSpec().getAccessModes());
        PersistentVolume pv = new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("pvc-" + claim.getMetadata().getUid())
                .withAnnotations(Map.of("pv.kubernetes.io/provisioned-by", PROVISIONER))
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", size == null ? new Quantity("1Gi") : size))
                .withAccessModes(modes)
                .withPersistentVolumeReclaimPolicy("Delete")
                .withStorageClassName(cls == null ? "" : cls)
                .withVolumeMode("Filesystem")
                .withNewClaimRef()
                .withNamespace(ns)
                .withName(name)
                .withUid(claim.getMetadata().getUid())
                .endClaimRef()
                .withNewHostPath()
                .withPath(dir.toString())
                .withType("DirectoryOrCreate")
                .endHostPath()
                .endSpec()
                .build();
        try {
            client.persistentVolumes().resource(pv).create();
            System.out.println("local: provisioned volume for PersistentVolumeClaim " + ns + "/" + name + " in " + dir);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                System.err.println("local provisioner: cannot provision " + ns + "/" + name + ": " + e.getMessage());
            }
        }
    }

    /** A released volume of ours (its claim was deleted) is deleted with its directory. */
    private void reclaim(PersistentVolume pv) {
        boolean ours = pv.getMetadata().getAnnotations() != null
                && PROVISIONER.equals(pv.getMetadata().getAnnotations().get("pv.kubernetes.io/provisioned-by"));
        String phase = pv.getStatus() == null ? null : pv.getStatus().getPhase();
        if (!ours || !"Released".equals(phase) || !"Delete".equals(pv.getSpec().getPersistentVolumeReclaimPolicy())) {
            return;
        }
        Path dir = Path.of(pv.getSpec().getHostPath().getPath());
        if (dir.startsWith(layout.state())) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("local provisioner: cannot delete " + dir + ": " + e.getMessage());
            }
        }
        try {
            client.persistentVolumes().withName(pv.getMetadata().getName()).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                System.err.println("local provisioner: cannot delete volume "
                        + pv.getMetadata().getName() + ": " + e.getMessage());
            }
        }
    }

    private void ensureStorageClass(String name, boolean isDefault) {
        if (client.storage().v1().storageClasses().withName(name).get() != null) {
            return;
        }
        var builder = new StorageClassBuilder().withNewMetadata().withName(name);
        if (isDefault) {
            builder = builder.addToAnnotations("storageclass.kubernetes.io/is-default-class", "true");
        }
        try {
            client.storage()
                    .v1()
                    .storageClasses()
                    .resource(builder.endMetadata()
                            .withProvisioner(PROVISIONER)
                            .withReclaimPolicy("Delete")
                            .withVolumeBindingMode("Immediate")
                            .build())
                    .create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        if (claims != null) {
            claims.close();
        }
        if (volumes != null) {
            volumes.close();
        }
    }
}
