package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Latest training losses and learning rate. */
@JsonClassDescription("Latest training losses and learning rate.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingMetricsStatus {

    /** Total loss, (1 - lambda) * global + lambda * dense. */
    @JsonPropertyDescription("Total loss, (1 - lambda) * global + lambda * dense.")
    public Double loss;

    /** Global InfoNCE loss. */
    @JsonPropertyDescription("Global InfoNCE loss.")
    public Double lossGlobal;

    /** Dense InfoNCE loss. */
    @JsonPropertyDescription("Dense InfoNCE loss.")
    public Double lossDense;

    /** Current learning rate. */
    @JsonPropertyDescription("Current learning rate.")
    public Double lr;
}
