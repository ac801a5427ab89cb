package io.densecl.contract;

/**
 * Names inside a run's checkpoint directory: {@code ckpt-e<completed epochs>-s<global step>/} holding the
 * state, {@code trainer.json} and {@code MANIFEST.json}, plus {@code LATEST} naming the newest one.
 */
public final class CheckpointLayout {
    public static final String MANIFEST = "MANIFEST.json";
    public static final String STATE = "state.safetensors";
    public static final String TRAINER = "trainer.json";
    public static final String LATEST = "LATEST";
    /** The directory name of a checkpoint; group 1 is the completed epochs, group 2 the global step. */
    public static final String DIR_PATTERN = "ckpt-e(\\d+)-s(\\d+)";

    private CheckpointLayout() {}

    public static String dirName(int completedEpochs, long globalStep) {
        return "ckpt-e" + completedEpochs + "-s" + globalStep;
    }
}
