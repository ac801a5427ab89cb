package io.densecl.operator.resources;

import io.densecl.contract.EvaluationProtocol;
import io.densecl.contract.EvaluationTask;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.EvaluationResourcesSpec;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.api.v1alpha1.ResourcesSpec;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * What one evaluation pod requests: its own resources where set, otherwise one GPU when the run trains on GPUs
 * (evaluate uses one device), the trainer's CPUs up to 8, and the task's memory, never more than the trainer's.
 *
 * @param device the {@code --device} of evaluate: {@code gpu0} with a GPU, else {@code cpu}
 */
public record EvaluationResources(int gpus, String cpu, String memory, String device) {

    /** CPU default cap: loader threads for one device. */
    static final String MAX_DEFAULT_CPU = "8";

    public static EvaluationResources of(DenseCLRunSpec run, EvaluationSpec e) {
        ResourcesSpec trainer = run.resources == null ? new ResourcesSpec() : run.resources;
        EvaluationResourcesSpec own = e.resources == null ? new EvaluationResourcesSpec() : e.resources;
        int trainerGpus = trainer.gpus == null ? 0 : trainer.gpus;
        int gpus = own.gpus != null ? own.gpus : trainerGpus > 0 ? 1 : 0;
        String cpu = own.cpu != null ? own.cpu : smaller(trainer.cpu, MAX_DEFAULT_CPU);
        String memory = own.memory != null ? own.memory : smaller(trainer.memory, taskMemory(e));
        return new EvaluationResources(gpus, cpu, memory, gpus > 0 ? "gpu0" : "cpu");
    }

    /**
     * The memory a task needs at ImageNet / VOC scale: linear and knn hold frozen features of the whole train split
     * (1.28 M x 2048 floats = 10.5 GB for ResNet-50 on ImageNet); segmentation holds the model and a few batches.
     */
    static String taskMemory(EvaluationSpec e) {
        boolean paper = e.protocol == EvaluationProtocol.paper;
        EvaluationTask task = e.type == null ? EvaluationTask.segmentation : e.type;
        return switch (task) {
            case segmentation -> paper ? "32Gi" : "16Gi";
            case linear -> paper ? "32Gi" : "24Gi";
            case knn -> "24Gi";
        };
    }

    /** The smaller of two quantities; {@code a} when it is unset or not comparable. */
    static String smaller(String a, String b) {
        if (a == null || a.isBlank()) {
            return b;
        }
        try {
            return Quantity.getAmountInBytes(new Quantity(a)).compareTo(Quantity.getAmountInBytes(new Quantity(b))) <= 0
                    ? a
                    : b;
        } catch (IllegalArgumentException notAQuantity) {
            return a;
        }
    }
}
