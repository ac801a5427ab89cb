package io.densecl.contract;

/**
 * Bounds of run configuration values the trainer enforces ({@link RunConfigValidator}); the CRD's
 * {@code @Min}/{@code @Max} and CEL rules are built from the same constants.
 *
 * <p>Bounds on the optimisation hyper-parameters: a value outside them cannot be a real setting, and inside
 * them a run is judged by the trainer's divergence tripwire (its StateGuard) instead.
 */
public final class Limits {
    /** Crops are cut into 32x32 cells (stride 32 of the backbone's C5): smaller or other sizes are refused. */
    public static final int IMAGE_SIZE_MULTIPLE = 32;

    public static final int MIN_IMAGE_SIZE = 32;
    /** 2048 is 9x the paper's 224 in each direction; larger only exhausts memory. */
    public static final int MAX_IMAGE_SIZE = 2048;
    /**
     * One view of a batch (3 x imageSize² x batchSize floats) is a single host array, and the negative queue
     * (queueSize x dim) a single tensor: neither may exceed 2^31-1 values.
     */
    public static final long MAX_TENSOR_VALUES = Integer.MAX_VALUE;
    /** The loader needs at least one thread. */
    public static final int MIN_WORKERS = 1;
    /** More loader threads than this are a typo, not a machine. */
    public static final int MAX_WORKERS = 256;
    /** libtorch's intra-op pool; 0 is libtorch's default. */
    public static final int MAX_THREADS = 1024;
    /** Widths of the projection heads (model.hid, model.dim): 32x the paper's 2048 is far beyond any use. */
    public static final int MAX_WIDTH = 65536;
    /**
     * training.lr is per 256 images (effective = lr * batchSize / 256). DenseCL and MoCo v2 use 0.03,
     * linear-scaling SGD recipes (Goyal et al.) 0.1; even the LARS recipes (a different optimiser) stay
     * below 5. Above 10 plain SGD only explodes (an lr of 1e6 drove BatchNorm statistics to 3e14).
     */
    public static final double MAX_LR = 10;
    /**
     * training.weightDecay: the paper's 1e-4, common values 1e-6..5e-4. At 0.1 weight decay alone
     * removes lr*0.1 of every weight per step, 1000x the paper's pull; beyond that nothing is learnt.
     */
    public static final double MAX_WEIGHT_DECAY = 0.1;
    /**
     * denseCL.temperature divides cosine similarities in [-1, 1]: MoCo v1 0.07, v2/DenseCL 0.2,
     * SimCLR's ablation up to 1.0. Below 0.01 (CLIP clamps its learnt temperature there) logits reach
     * 100 and the gradients scale with 1/temperature; above 1 the softmax over the queue is nearly flat.
     */
    public static final double MIN_TEMPERATURE = 0.01;

    public static final double MAX_TEMPERATURE = 1.0;
    /** data.maxImagePixels: one decoded RGB image must fit a Java array (3 bytes per pixel). */
    public static final long MAX_IMAGE_PIXELS = Integer.MAX_VALUE / 3;

    public static final int MIN_KEEP_LAST = 1;
    /** checkpoint.intervalMinutes: at most a year. */
    public static final int MAX_INTERVAL_MINUTES = 525_600;
    /** A BatchNorm group holds at least one image. */
    public static final int MIN_BN_GROUP_SIZE = 1;
    /** {@code -1} disables the progress endpoint, 0 picks a free port. */
    public static final int MIN_PROGRESS_PORT = -1;

    public static final int MAX_PROGRESS_PORT = 65535;
    /** {@code cpu} or {@code gpuN}: CUDA device ordinals are small; more digits (or a leading zero) are a typo, not a device. */
    public static final String DEVICE_PATTERN = "cpu|gpu(0|[1-9][0-9]{0,3})";

    /** Data-parallel replicas in one process: one node holds at most 8-16 GPUs; more entries are a typo, not a node. */
    public static final int MAX_DEVICES = 64;

    private Limits() {}
}
