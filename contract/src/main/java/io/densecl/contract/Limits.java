package io.densecl.contract;

/**
 * Bounds of run configuration values the trainer enforces ({@link RunConfigValidator}); the CRD's
 * {@code @Min} and CEL rules are built from the same constants.
 */
public final class Limits {
    /** Crops are cut into 32x32 cells (stride 32 of the backbone's C5): smaller or other sizes are refused. */
    public static final int IMAGE_SIZE_MULTIPLE = 32;
    public static final int MIN_IMAGE_SIZE = 32;
    /** The loader needs at least one thread. */
    public static final int MIN_WORKERS = 1;
    public static final int MIN_KEEP_LAST = 1;
    /** A BatchNorm group holds at least one image. */
    public static final int MIN_BN_GROUP_SIZE = 1;
    /** {@code -1} disables the progress endpoint, 0 picks a free port. */
    public static final int MIN_PROGRESS_PORT = -1;
    public static final int MAX_PROGRESS_PORT = 65535;
    /** {@code cpu} or {@code gpuN}. */
    public static final String DEVICE_PATTERN = "cpu|gpu[0-9]{1,4}";

    private Limits() {
    }
}
