package io.densecl.trainer.train;

/** Decides when to checkpoint: every N epochs, every M minutes, every K steps (any combination). */
public final class CheckpointTriggers {
    private final int everyEpochs;
    private final long everyNanos;
    private final int everySteps;
    private long lastSaveNanos;
    private long lastSaveStep;

    public CheckpointTriggers(int everyEpochs, int everyMinutes, int everySteps, long nowNanos, long startStep) {
        this.everyEpochs = everyEpochs;
        this.everyNanos = everyMinutes * 60_000_000_000L;
        this.everySteps = everySteps;
        this.lastSaveNanos = nowNanos;
        this.lastSaveStep = startStep;
    }

    /** After the step that brought training to {@code globalStep}; {@code endOfEpoch} when it finished epoch {@code epoch}. */
    public boolean due(long globalStep, int epoch, boolean endOfEpoch, long nowNanos) {
        return endOfEpoch ? afterEpoch(epoch, globalStep) : afterStep(globalStep, nowNanos);
    }

    /** After a step inside an epoch. */
    public boolean afterStep(long globalStep, long nowNanos) {
        if (globalStep == lastSaveStep) {
            return false;
        }
        return (everySteps > 0 && globalStep - lastSaveStep >= everySteps)
                || (everyNanos > 0 && nowNanos - lastSaveNanos >= everyNanos);
    }

    /** After the last step of (0-based) epoch {@code epoch}. */
    public boolean afterEpoch(int epoch, long globalStep) {
        return globalStep != lastSaveStep && everyEpochs > 0 && (epoch + 1) % everyEpochs == 0;
    }

    public void saved(long globalStep, long nowNanos) {
        lastSaveStep = globalStep;
        lastSaveNanos = nowNanos;
    }

    public boolean savedAt(long globalStep) {
        return lastSaveStep == globalStep;
    }
}
