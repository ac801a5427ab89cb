package io.densecl.trainer.checkpoint;

/**
 * Where training stands: the next step to run is {@code stepInEpoch} of (0-based) {@code epoch};
 * {@code globalStep} steps have completed. With counter-based randomness this is the whole RNG state.
 */
public record TrainingPosition(int epoch, int stepInEpoch, long globalStep) {
    public static final TrainingPosition START = new TrainingPosition(0, 0, 0);
}
