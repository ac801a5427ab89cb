package io.densecl.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code trainer.json} of a checkpoint: where training stands beyond the tensors (position, queue pointers),
 * the configuration it was trained with and its fingerprint, and the last losses.
 *
 * @param epoch completed epochs
 * @param stepInEpoch the next step to run within {@code epoch}
 * @param globalStep completed optimiser steps
 * @param fingerprint the trajectory fields of {@code config} by run.json path (for a readable diff on resume)
 * @param lossContraSingle (1-lambda)·lossGlobal of the last step (the official logs' {@code loss_contra_single})
 * @param lossContraDense lambda·lossDense of the last step (the official logs' {@code loss_contra_dense})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TrainerState(
        int epoch,
        int stepInEpoch,
        long globalStep,
        long queuePtr,
        long queue2Ptr,
        long seed,
        int attempt,
        String configHash,
        JsonNode fingerprint,
        RunConfig config,
        Double loss,
        Double lossGlobal,
        Double lossDense,
        Double lossContraSingle,
        Double lossContraDense,
        Double imagesPerSecond) {}
