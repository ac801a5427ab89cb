package io.densecl.trainer.optim;

import io.densecl.contract.Schedule;

/**
 * The learning rate per epoch: linear scaling {@code base * batch / 256}, then mmcv's
 * {@code CosineAnnealingLrUpdaterHook} by epoch to 0 (min_lr 0, no warm-up) or constant.
 */
public final class LrSchedule {
    private final double scaled;
    private final int epochs;
    private final Schedule schedule;

    public LrSchedule(double baseLrPer256, int batchSize, int epochs, Schedule schedule) {
        this.scaled = baseLrPer256 * batchSize / 256.0;
        this.epochs = epochs;
        this.schedule = schedule;
    }

    /** Learning rate during (0-based) epoch {@code epoch}. */
    public double at(int epoch) {
        return switch (schedule) {
            case constant -> scaled;
            case cosine -> 0.5 * scaled * (1 + Math.cos(Math.PI * epoch / epochs));
        };
    }
}
