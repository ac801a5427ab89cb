package io.densecl.trainer.optim;

/**
 * The learning rate per epoch: linear scaling {@code base * batch / 256}, then mmcv's
 * {@code CosineAnnealingLrUpdaterHook} by epoch to 0 (min_lr 0, no warm-up) or constant.
 */
public final class LrSchedule {
    private final double scaled;
    private final int epochs;
    private final boolean cosine;

    public LrSchedule(double baseLrPer256, int batchSize, int epochs, String schedule) {
        this.scaled = baseLrPer256 * batchSize / 256.0;
        this.epochs = epochs;
        this.cosine = "cosine".equals(schedule);
    }

    /** Learning rate during (0-based) epoch {@code epoch}. */
    public double at(int epoch) {
        if (!cosine) {
            return scaled;
        }
        return 0.5 * scaled * (1 + Math.cos(Math.PI * epoch / epochs));
    }

    public double peak() {
        return scaled;
    }
}
