package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.densecl.contract.Limits;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** DenseCL hyper-parameters: negative queues, momentum encoder, temperature and loss weighting. */
@JsonClassDescription("DenseCL hyper-parameters: negative queues, momentum encoder, temperature and loss weighting.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DenseCLSpec {

    /** Length of the global and dense negative queues; must be a multiple of the batch size. */
    @JsonPropertyDescription("Length of the global and dense negative queues; must be a multiple of the batch size.")
    @Default("65536")
    @Min(1)
    public Integer queueSize = 65536;

    /** Momentum of the key encoder update, in [0, 1). */
    @JsonPropertyDescription("Momentum of the key encoder update, in [0, 1).")
    @Default("0.999")
    @ValidationRule(value = "self >= 0.0 && self < 1.0", message = "spec.denseCL.momentum must be in [0, 1)")
    public Double momentum = 0.999;

    /** Softmax temperature of both InfoNCE losses; in [0.01, 1]. */
    @JsonPropertyDescription("Softmax temperature of both InfoNCE losses; in [0.01, 1].")
    @Default("0.2")
    @ValidationRule(
            value = "self >= " + Limits.MIN_TEMPERATURE + " && self <= " + Limits.MAX_TEMPERATURE,
            message = "spec.denseCL.temperature must be in [" + Limits.MIN_TEMPERATURE + ", " + Limits.MAX_TEMPERATURE
                    + "]")
    public Double temperature = 0.2;

    /** Weight of the dense loss (lambda), in [0, 1]. */
    @JsonPropertyDescription("Weight of the dense loss (lambda), in [0, 1].")
    @Default("0.5")
    @ValidationRule(value = "self >= 0.0 && self <= 1.0", message = "spec.denseCL.lossLambda must be in [0, 1]")
    public Double lossLambda = 0.5;

    /** Iterations during which lambda is 0 before the dense loss is switched on. */
    @JsonPropertyDescription("Iterations during which lambda is 0 before the dense loss is switched on.")
    @Default("0")
    @Min(0)
    public Integer lambdaWarmupIters = 0;

    /** Images per BatchNorm group (Shuffle BN); at least 1, and it divides a batch larger than one group. */
    @JsonPropertyDescription(
            "Images per BatchNorm group (Shuffle BN): every BatchNorm normalises groups of this many images "
                    + "separately and the key batch is shuffled across them; at least 1, and it must divide training.batchSize when the "
                    + "batch is larger. 32 is the official per-GPU batch.")
    @Default("32")
    @Min(Limits.MIN_BN_GROUP_SIZE)
    public Integer bnGroupSize = 32;
}
