package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Compute resources and placement of the trainer pods. */
@JsonClassDescription("Compute resources and placement of the trainer pods.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourcesSpec {

    /** Number of GPUs per trainer pod, all used (data-parallel); 0 trains on the CPU; at most one node's. */
    @JsonPropertyDescription(
            "Number of GPUs per trainer pod; the trainer runs one data-parallel replica on each (devices gpu0.."
                    + "gpu{n-1}); 0 trains on the CPU. At most what one node holds: the operator refuses more than its "
                    + "densecl.max-gpus-per-pod (Helm trainer.maxGpusPerPod, default 8); multi-node training is not supported.")
    @Default("1")
    @Min(0)
    @Max(MAX_GPUS)
    public Integer gpus = 1;

    /** The CRD's static bound on GPUs per pod; the operator's configured cap (one node) is usually lower. */
    public static final int MAX_GPUS = 64;

    /** CPU request of the trainer container. */
    @JsonPropertyDescription("CPU request of the trainer container.")
    @Default("4")
    @Pattern(Quantities.PATTERN)
    public String cpu = "4";

    /** Memory request and limit of the trainer container. */
    @JsonPropertyDescription("Memory request and limit of the trainer container.")
    @Default("16Gi")
    @Pattern(Quantities.PATTERN)
    public String memory = "16Gi";

    /** Node labels the pods must match, merged over the operator's defaults (a key here wins). */
    @JsonPropertyDescription(
            "Node labels the trainer and evaluation pods must match, merged over the operator's default node "
                    + "selector (the chart's trainer.nodeSelector; the same key here wins).")
    public Map<String, String> nodeSelector = new LinkedHashMap<>();

    /** Tolerations of the pods, added to the operator's defaults. */
    @JsonPropertyDescription(
            "Tolerations of the trainer and evaluation pods, added to the operator's default tolerations (the "
                    + "chart's trainer.tolerations).")
    public List<Toleration> tolerations = new ArrayList<>();

    /** Affinity rules of the trainer pods. */
    @JsonPropertyDescription("Affinity rules of the trainer pods.")
    public Affinity affinity;

    /** Priority class of the trainer and evaluation pods (Kueue takes the workload's priority from it too). */
    @JsonPropertyDescription(
            "Priority class of the trainer and evaluation pods (Kueue's plain-pod integration takes the "
                    + "workload's priority from it too).")
    public String priorityClassName;

    /** Extended resource that requests the GPUs, e.g. a MIG profile; unset: the operator's default (nvidia.com/gpu). */
    @JsonPropertyDescription(
            "Extended resource that requests the GPUs, for example a MIG profile such as nvidia.com/mig-1g.10gb; "
                    + "unset: the operator's default (the chart's trainer.gpuResourceName, nvidia.com/gpu).")
    @Pattern(
            "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
    @Size(max = 316)
    public String gpuResourceName;
}
