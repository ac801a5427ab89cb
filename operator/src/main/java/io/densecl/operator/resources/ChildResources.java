package io.densecl.operator.resources;

import io.densecl.operator.api.v1alpha1.CheckpointSpec;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/** Builds the run's ConfigMap and checkpoint claim. */
public final class ChildResources {

    public static final String DEFAULT_CHECKPOINT_SIZE = "50Gi";

    private ChildResources() {}

    /** A controller owner reference: Kubernetes garbage-collects the child when the run is deleted. */
    public static OwnerReference ownerReference(DenseCLRun run) {
        return new OwnerReferenceBuilder()
                .withApiVersion(run.getApiVersion())
                .withKind(run.getKind())
                .withName(run.getMetadata().getName())
                .withUid(run.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    public static ConfigMap config(DenseCLRun run, String runJson) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(ChildNames.config(run.getMetadata().getName()))
                .withNamespace(run.getMetadata().getNamespace())
                .addToLabels(ChildNames.LABEL_RUN, run.getMetadata().getName())
                .withOwnerReferences(ownerReference(run))
                .endMetadata()
                .withData(Map.of(ChildNames.CONFIG_KEY, runJson))
                .build();
    }

    /** The pins.json text: {@code {"epochs":[50,100]}} (CheckpointPins in the trainer reads it). */
    public static String pinsJson(List<Integer> epochs) {
        StringBuilder sb = new StringBuilder("{\"epochs\":[");
        for (int i = 0; i < epochs.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(epochs.get(i));
        }
        return sb.append("]}").toString();
    }

    /**
     * The checkpoint claim the operator creates when no existing claim is named. With onDelete=Retain
     * (the default) it has no owner reference, so checkpoints outlive the run.
     */
    public static PersistentVolumeClaim checkpointClaim(DenseCLRun run) {
        CheckpointSpec c = run.getSpec().checkpoint;
        String size = c.size == null || c.size.isBlank() ? DEFAULT_CHECKPOINT_SIZE : c.size;
        List<OwnerReference> owners =
                c.onDelete == CheckpointSpec.OnDelete.Delete ? List.of(ownerReference(run)) : List.of();
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(ChildNames.checkpointClaim(run))
                .withNamespace(run.getMetadata().getNamespace())
                .addToLabels(ChildNames.LABEL_RUN, run.getMetadata().getName())
                .withOwnerReferences(owners)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(c.storageClassName)
                .withNewResources()
                .addToRequests("storage", new Quantity(size))
                .endResources()
                .endSpec()
                .build();
    }
}
