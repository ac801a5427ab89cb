package io.densecl.trainer.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Set;

/** Rejects configurations that would fail or waste compute later, naming the field. */
public final class ConfigValidator {
    private static final Set<String> BACKBONES = Set.of("resnet18", "resnet34", "resnet50", "resnet101");
    private static final Set<String> FORMATS = Set.of("imageFolder", "list", "coco");

    /*
     * Bounds on the optimisation hyper-parameters. A value outside them cannot be a real setting, and
     * inside them a run is judged by the divergence tripwire (train.StateGuard) instead. The CRD should
     * mirror them (minimum/maximum on the same fields).
     */
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
    /** training.imageSize: 2048 is 9x the paper's 224 in each direction; larger only exhausts memory. */
    public static final int MAX_IMAGE_SIZE = 2048;
    /** data.maxImagePixels: one decoded RGB image must fit a Java array (3 bytes per pixel). */
    public static final long MAX_IMAGE_PIXELS = Integer.MAX_VALUE / 3;
    /** device gpuN: CUDA device ordinals are small; more digits are a typo, not a device. */
    private static final String DEVICE = "cpu|gpu(0|[1-9][0-9]{0,3})";

    private ConfigValidator() {}

    public static RunConfig validate(RunConfig c) {
        require(c.data.path != null && !c.data.path.isBlank(), "data.path", "is required");
        requirePath(c.data.path, "data.path");
        require(FORMATS.contains(c.data.format), "data.format", "must be one of " + FORMATS + ", got '" + c.data.format + "'");
        require(c.data.maxImagePixels >= 1 && c.data.maxImagePixels <= MAX_IMAGE_PIXELS, "data.maxImagePixels",
                "must be in [1, " + MAX_IMAGE_PIXELS + "], got " + c.data.maxImagePixels);
        require(c.data.maxUnreadableFraction >= 0 && c.data.maxUnreadableFraction <= 1, "data.maxUnreadableFraction",
                "must be in [0, 1], got " + c.data.maxUnreadableFraction);
        require(BACKBONES.contains(c.model.backbone), "model.backbone", "must be one of " + BACKBONES + ", got '" + c.model.backbone + "'");
        require(c.model.hid > 0 && c.model.hid <= 65536, "model.hid", "must be in [1, 65536]");
        require(c.model.dim > 0 && c.model.dim <= 65536, "model.dim", "must be in [1, 65536]");
        require(c.training.batchSize > 0, "training.batchSize", "must be > 0");
        require(c.denseCL.queueSize > 0, "denseCL.queueSize", "must be > 0");
        require(c.denseCL.queueSize % c.training.batchSize == 0, "denseCL.queueSize",
                "must be divisible by training.batchSize (" + c.denseCL.queueSize + " % " + c.training.batchSize + " != 0)");
        require((long) c.denseCL.queueSize * c.model.dim <= Integer.MAX_VALUE, "denseCL.queueSize",
                "times model.dim (" + c.model.dim + ") must fit one tensor of at most 2^31-1 values");
        require(c.denseCL.momentum >= 0 && c.denseCL.momentum < 1, "denseCL.momentum", "must be in [0, 1)");
        require(c.denseCL.temperature >= MIN_TEMPERATURE && c.denseCL.temperature <= MAX_TEMPERATURE, "denseCL.temperature",
                "must be in [" + MIN_TEMPERATURE + ", " + MAX_TEMPERATURE + "], got " + c.denseCL.temperature);
        require(c.denseCL.lossLambda >= 0 && c.denseCL.lossLambda <= 1, "denseCL.lossLambda", "must be in [0, 1]");
        require(c.denseCL.lambdaWarmupIters >= 0, "denseCL.lambdaWarmupIters", "must be >= 0");
        require(c.training.epochs > 0, "training.epochs", "must be > 0");
        // NaN fails every comparison, so each range check below also refuses NaN; Infinity fails the upper bound
        require(c.training.lr > 0 && c.training.lr <= MAX_LR, "training.lr",
                "must be in (0, " + MAX_LR + "] (per 256 images), got " + c.training.lr);
        require(c.training.momentum >= 0 && c.training.momentum < 1, "training.momentum", "must be in [0, 1)");
        require(c.training.weightDecay >= 0 && c.training.weightDecay <= MAX_WEIGHT_DECAY, "training.weightDecay",
                "must be in [0, " + MAX_WEIGHT_DECAY + "], got " + c.training.weightDecay);
        require(Set.of("cosine", "constant").contains(c.training.schedule), "training.schedule", "must be cosine or constant");
        require(c.training.imageSize >= 32 && c.training.imageSize <= MAX_IMAGE_SIZE && c.training.imageSize % 32 == 0,
                "training.imageSize", "must be a multiple of 32 in [32, " + MAX_IMAGE_SIZE + "], got " + c.training.imageSize);
        // one view of a batch is a single float array on the host
        require(3L * c.training.imageSize * c.training.imageSize * c.training.batchSize <= Integer.MAX_VALUE, "training.imageSize",
                c.training.imageSize + " px at batch size " + c.training.batchSize + " exceeds 2^31-1 values per view");
        require(c.training.workers >= 1 && c.training.workers <= 256, "training.workers", "must be in [1, 256]");
        require(c.training.threads >= 0 && c.training.threads <= 1024, "training.threads", "must be in [0, 1024]");
        require(c.training.maxStepsPerEpoch >= 0, "training.maxStepsPerEpoch", "must be >= 0");
        require(c.device != null && c.device.matches(DEVICE), "device", "must be cpu or gpuN (N < 10000), got '" + c.device + "'");
        require(c.progressPort >= -1 && c.progressPort <= 65535, "progressPort",
                "must be a TCP port (0-65535; 0 picks one) or -1 (off), got " + c.progressPort);
        require(c.healthzStaleSeconds >= 0, "healthzStaleSeconds", "must be >= 0 (0: never stale)");
        require(c.checkpoint.dir != null && !c.checkpoint.dir.isBlank(), "checkpoint.dir", "is required");
        requirePath(c.checkpoint.dir, "checkpoint.dir");
        require(c.checkpoint.keepLast >= 1, "checkpoint.keepLast", "must be >= 1");
        require(c.checkpoint.intervalEpochs >= 0 && c.checkpoint.intervalMinutes >= 0 && c.checkpoint.intervalSteps >= 0,
                "checkpoint", "intervals must be >= 0");
        require(c.checkpoint.intervalMinutes <= 525_600, "checkpoint.intervalMinutes", "must be at most a year (525600)");
        require(Set.of("Auto", "Never").contains(c.resume.mode), "resume.mode", "must be Auto or Never");
        if (c.resume.fromDir != null && !c.resume.fromDir.isBlank()) {
            requirePath(c.resume.fromDir, "resume.fromDir");
        }
        if (c.terminationLog != null && !c.terminationLog.isBlank()) {
            requirePath(c.terminationLog, "terminationLog");
        }
        return c;
    }

    /** A path the file system can name (no NUL character, for one). */
    private static void requirePath(String value, String field) {
        try {
            Path.of(value);
        } catch (InvalidPathException e) {
            throw new ConfigException(field, "is not a valid path (" + e.getReason() + ")");
        }
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new ConfigException(field, message);
        }
    }
}
