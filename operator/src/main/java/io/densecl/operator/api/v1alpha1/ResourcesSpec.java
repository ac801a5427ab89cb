package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
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

    /** Number of GPUs per trainer pod; 0 trains on the CPU. */
    @JsonPropertyDescription("Number of GPUs per trainer pod; 0 trains on the CPU.")
    @Default("1")
    @Min(0)
    public Integer gpus = 1;

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

    /** Node labels the trainer pods must match. */
    @JsonPropertyDescription("Node labels the trainer pods must match.")
    public Map<String, String> nodeSelector = new LinkedHashMap<>();

    /** Tolerations of the trainer pods. */
    @JsonPropertyDescription("Tolerations of the trainer pods.")
    public List<Toleration> tolerations = new ArrayList<>();

    /** Affinity rules of the trainer pods. */
    @JsonPropertyDescription("Affinity rules of the trainer pods.")
    public Affinity affinity;

    /** Priority class of the trainer pods. */
    @JsonPropertyDescription("Priority class of the trainer pods.")
    public String priorityClassName;
}
