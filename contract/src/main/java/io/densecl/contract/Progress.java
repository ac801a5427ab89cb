package io.densecl.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The trainer's {@code GET /progress} document, polled by the operator. {@code epoch} is the 1-based epoch in
 * progress; {@code step} is the global optimiser step. Absent values are null (and left out of the JSON).
 *
 * @param detail what an evaluation is doing (evaluate only)
 * @param loss the training loss of the last step, (1-lambda)·lossGlobal + lambda·lossDense
 * @param lossGlobal the global InfoNCE term, unweighted
 * @param lossDense the dense InfoNCE term, unweighted
 * @param lossContraSingle (1-lambda)·lossGlobal, what the official DenseCL logs print as {@code loss_contra_single}
 * @param lossContraDense lambda·lossDense, the official logs' {@code loss_contra_dense}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Progress(
        Phase phase,
        String detail,
        Integer attempt,
        Integer epoch,
        Integer totalEpochs,
        Long step,
        Long totalSteps,
        Integer stepsPerEpoch,
        Double loss,
        Double lossGlobal,
        Double lossDense,
        Double lossContraSingle,
        Double lossContraDense,
        Double lr,
        Double imagesPerSecond,
        Long etaSeconds,
        LastCheckpoint lastCheckpoint,
        ResumedFrom resumedFrom,
        Integer skippedFiles) {

    /** What the process is doing. */
    public enum Phase {
        Starting,
        Training,
        Checkpointed,
        Complete,
        Evaluating
    }

    /** The newest committed checkpoint. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LastCheckpoint(String path, Integer epoch, Long step, String time) {}

    /** The checkpoint this attempt started from ({@code path} only in progress, not in termination messages). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ResumedFrom(Integer epoch, Long step, String path) {}

    /** Before the first step of an attempt. */
    public static Progress starting(int attempt) {
        return new Progress(
                Phase.Starting,
                null,
                attempt,
                0,
                0,
                0L,
                0L,
                0,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                0);
    }

    /** An evaluation process; {@code detail} says what it is doing (null while it starts). */
    public static Progress evaluating(String detail) {
        return new Progress(
                Phase.Evaluating,
                detail,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }
}
