package io.densecl.contract;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The values a trainer accepts, checked by the trainer before it starts and by the operator before it creates
 * anything, so a spec the trainer would refuse never gets a pod. Fields are named by their run.json path.
 */
public final class RunConfigValidator {

    private RunConfigValidator() {}

    /** Every problem of {@code c}, in the order of run.json; empty when the trainer would accept it. */
    public static List<ConfigViolation> violations(RunConfig c) {
        Checks v = new Checks();
        Object[][] sections = {
            {"run", c.run},
            {"data", c.data},
            {"model", c.model},
            {"denseCL", c.denseCL},
            {"training", c.training},
            {"checkpoint", c.checkpoint},
            {"resume", c.resume}
        };
        for (Object[] section : sections) {
            v.require(section[1] != null, (String) section[0], "must not be null");
        }
        if (!v.found.isEmpty()) {
            return v.found;
        }
        // NaN fails every comparison, so each range check below also refuses NaN; Infinity fails the upper bounds
        v.require(c.data.path != null && !c.data.path.isBlank(), "data.path", "is required");
        v.requirePath(c.data.path, "data.path");
        v.require(c.data.format != null, "data.format", "must be one of " + Arrays.toString(DataFormat.values()));
        v.require(
                c.data.maxImagePixels >= 1 && c.data.maxImagePixels <= Limits.MAX_IMAGE_PIXELS,
                "data.maxImagePixels",
                "must be in [1, " + Limits.MAX_IMAGE_PIXELS + "], got " + c.data.maxImagePixels);
        v.require(
                c.data.maxUnreadableFraction >= 0 && c.data.maxUnreadableFraction <= 1,
                "data.maxUnreadableFraction",
                "must be in [0, 1], got " + c.data.maxUnreadableFraction);
        v.require(c.model.backbone != null, "model.backbone", "must be one of " + Arrays.toString(Backbone.values()));
        v.require(
                c.model.hid > 0 && c.model.hid <= Limits.MAX_WIDTH,
                "model.hid",
                "must be in [1, " + Limits.MAX_WIDTH + "], got " + c.model.hid);
        boolean dimOk = v.require(
                c.model.dim > 0 && c.model.dim <= Limits.MAX_WIDTH,
                "model.dim",
                "must be in [1, " + Limits.MAX_WIDTH + "], got " + c.model.dim);
        v.require(c.training.batchSize > 0, "training.batchSize", "must be > 0, got " + c.training.batchSize);
        boolean queueOk =
                v.require(c.denseCL.queueSize > 0, "denseCL.queueSize", "must be > 0, got " + c.denseCL.queueSize);
        if (c.training.batchSize > 0 && queueOk) {
            queueOk = v.require(
                    c.denseCL.queueSize % c.training.batchSize == 0,
                    "denseCL.queueSize",
                    "must be divisible by training.batchSize (" + c.denseCL.queueSize + " % " + c.training.batchSize
                            + " != 0)");
        }
        if (queueOk && dimOk) { // each queue is one tensor of queueSize x dim values
            v.require(
                    (long) c.denseCL.queueSize * c.model.dim <= Limits.MAX_TENSOR_VALUES,
                    "denseCL.queueSize",
                    "times model.dim (" + c.model.dim + ") must fit one tensor of at most 2^31-1 values, got "
                            + c.denseCL.queueSize);
        }
        v.require(
                c.denseCL.momentum >= 0 && c.denseCL.momentum < 1,
                "denseCL.momentum",
                "must be in [0, 1), got " + c.denseCL.momentum);
        v.require(
                c.denseCL.temperature >= Limits.MIN_TEMPERATURE && c.denseCL.temperature <= Limits.MAX_TEMPERATURE,
                "denseCL.temperature",
                "must be in [" + Limits.MIN_TEMPERATURE + ", " + Limits.MAX_TEMPERATURE + "], got "
                        + c.denseCL.temperature);
        v.require(
                c.denseCL.lossLambda >= 0 && c.denseCL.lossLambda <= 1,
                "denseCL.lossLambda",
                "must be in [0, 1], got " + c.denseCL.lossLambda);
        v.require(
                c.denseCL.lambdaWarmupIters >= 0,
                "denseCL.lambdaWarmupIters",
                "must be >= 0, got " + c.denseCL.lambdaWarmupIters);
        v.require(
                c.denseCL.bnGroupSize >= Limits.MIN_BN_GROUP_SIZE,
                "denseCL.bnGroupSize",
                "must be >= " + Limits.MIN_BN_GROUP_SIZE + ", got " + c.denseCL.bnGroupSize);
        if (c.training.batchSize > 0 && c.denseCL.bnGroupSize >= Limits.MIN_BN_GROUP_SIZE) {
            v.require(
                    c.training.batchSize <= c.denseCL.bnGroupSize || c.training.batchSize % c.denseCL.bnGroupSize == 0,
                    "denseCL.bnGroupSize",
                    "must divide training.batchSize when the batch is larger than one group (" + c.training.batchSize
                            + " % " + c.denseCL.bnGroupSize + " != 0)");
        }
        v.require(c.training.recipe != null, "training.recipe", "must be one of " + Arrays.toString(Recipe.values()));
        // null lr/epochs take the recipe's values, which are valid
        v.require(
                c.training.epochs == null || c.training.epochs > 0,
                "training.epochs",
                "must be > 0, got " + c.training.epochs);
        v.require(
                c.training.lr == null || c.training.lr > 0 && c.training.lr <= Limits.MAX_LR,
                "training.lr",
                "must be in (0, " + Limits.MAX_LR + "] (per 256 images), got " + c.training.lr);
        v.require(
                c.training.momentum >= 0 && c.training.momentum < 1,
                "training.momentum",
                "must be in [0, 1), got " + c.training.momentum);
        v.require(
                c.training.weightDecay >= 0 && c.training.weightDecay <= Limits.MAX_WEIGHT_DECAY,
                "training.weightDecay",
                "must be in [0, " + Limits.MAX_WEIGHT_DECAY + "], got " + c.training.weightDecay);
        v.require(
                c.training.schedule != null,
                "training.schedule",
                "must be one of " + Arrays.toString(Schedule.values()));
        if (v.require(
                        c.training.imageSize >= Limits.MIN_IMAGE_SIZE
                                && c.training.imageSize <= Limits.MAX_IMAGE_SIZE
                                && c.training.imageSize % Limits.IMAGE_SIZE_MULTIPLE == 0,
                        "training.imageSize",
                        "must be a multiple of "
                                + Limits.IMAGE_SIZE_MULTIPLE + " in [" + Limits.MIN_IMAGE_SIZE + ", "
                                + Limits.MAX_IMAGE_SIZE + "], got "
                                + c.training.imageSize)
                && c.training.batchSize > 0) {
            // one view of a batch is a single float array on the host
            v.require(
                    3L * c.training.imageSize * c.training.imageSize * c.training.batchSize <= Limits.MAX_TENSOR_VALUES,
                    "training.imageSize",
                    c.training.imageSize + " px at batch size " + c.training.batchSize
                            + " exceeds 2^31-1 values per view");
        }
        v.require(
                c.training.workers >= Limits.MIN_WORKERS && c.training.workers <= Limits.MAX_WORKERS,
                "training.workers",
                "must be in [" + Limits.MIN_WORKERS + ", " + Limits.MAX_WORKERS + "], got " + c.training.workers);
        v.require(
                c.training.maxStepsPerEpoch >= 0,
                "training.maxStepsPerEpoch",
                "must be >= 0, got " + c.training.maxStepsPerEpoch);
        v.require(
                c.training.threads >= 0 && c.training.threads <= Limits.MAX_THREADS,
                "training.threads",
                "must be in [0, " + Limits.MAX_THREADS + "], got " + c.training.threads);
        v.require(c.checkpoint.dir != null && !c.checkpoint.dir.isBlank(), "checkpoint.dir", "is required");
        v.requirePath(c.checkpoint.dir, "checkpoint.dir");
        v.require(
                c.checkpoint.intervalEpochs >= 0,
                "checkpoint.intervalEpochs",
                "must be >= 0, got " + c.checkpoint.intervalEpochs);
        v.require(
                c.checkpoint.intervalMinutes >= 0 && c.checkpoint.intervalMinutes <= Limits.MAX_INTERVAL_MINUTES,
                "checkpoint.intervalMinutes",
                "must be in [0, " + Limits.MAX_INTERVAL_MINUTES + "] (at most a year), got "
                        + c.checkpoint.intervalMinutes);
        v.require(
                c.checkpoint.intervalSteps >= 0,
                "checkpoint.intervalSteps",
                "must be >= 0, got " + c.checkpoint.intervalSteps);
        v.require(
                c.checkpoint.keepLast >= Limits.MIN_KEEP_LAST,
                "checkpoint.keepLast",
                "must be >= " + Limits.MIN_KEEP_LAST + ", got " + c.checkpoint.keepLast);
        v.require(c.resume.mode != null, "resume.mode", "must be one of " + Arrays.toString(ResumeMode.values()));
        v.requirePath(c.checkpoint.pinFile, "checkpoint.pinFile");
        v.requirePath(c.resume.fromDir, "resume.fromDir");
        devices(c, v);
        v.require(
                c.progressPort >= Limits.MIN_PROGRESS_PORT && c.progressPort <= Limits.MAX_PROGRESS_PORT,
                "progressPort",
                "must be a TCP port (0-65535; 0 picks one) or -1 (off), got " + c.progressPort);
        v.require(
                c.healthzStaleSeconds >= 0,
                "healthzStaleSeconds",
                "must be >= 0 (0: never stale), got " + c.healthzStaleSeconds);
        v.requirePath(c.terminationLog, "terminationLog");
        return v.found;
    }

    /**
     * {@code device} and {@code devices}: valid names, one list, and replicas that split the global batch and its
     * BatchNorm groups evenly (each replica must run whole groups, or the mathematics would depend on the count).
     */
    private static void devices(RunConfig c, Checks v) {
        v.require(
                c.device == null || c.device.matches(Limits.DEVICE_PATTERN),
                "device",
                "must be cpu or gpuN (N < 10000), got '" + c.device + "'");
        if (c.devices == null) {
            return;
        }
        if (!v.require(
                !c.devices.isEmpty() && c.devices.size() <= Limits.MAX_DEVICES,
                "devices",
                "must list 1 to " + Limits.MAX_DEVICES + " devices, got " + c.devices.size())) {
            return;
        }
        boolean named = true;
        for (int i = 0; i < c.devices.size() && named; i++) {
            String d = c.devices.get(i);
            named = v.require(
                    d != null && d.matches(Limits.DEVICE_PATTERN),
                    "devices",
                    "entry " + i + " must be cpu or gpuN (N < 10000), got '" + d + "'");
        }
        v.require(
                c.device == null || c.device.equals(c.devices.get(0)),
                "device",
                "must be unset or the first of devices (" + c.devices.get(0) + ") when devices is set, got '" + c.device
                        + "'");
        int replicas = c.devices.size();
        if (replicas == 1 || c.training.batchSize <= 0 || c.denseCL.bnGroupSize < Limits.MIN_BN_GROUP_SIZE) {
            return;
        }
        if (v.require(
                c.training.batchSize % replicas == 0,
                "devices",
                replicas + " replicas must split training.batchSize evenly (" + c.training.batchSize + " % " + replicas
                        + " != 0)")) {
            int groups = Math.max(1, c.training.batchSize / c.denseCL.bnGroupSize);
            v.require(
                    groups % replicas == 0,
                    "devices",
                    replicas + " replicas must hold the same number of whole BatchNorm groups, but "
                            + "training.batchSize / denseCL.bnGroupSize gives " + groups + " group(s) ("
                            + c.training.batchSize + " / "
                            + c.denseCL.bnGroupSize + "); set denseCL.bnGroupSize to training.batchSize / " + replicas
                            + " or a divisor of it");
        }
    }

    /**
     * Returns {@code c} with the recipe's lr and epochs filled in where it sets none ({@link Recipe#resolve}) if the
     * trainer accepts it; otherwise throws for its first problem.
     */
    public static RunConfig validate(RunConfig c) {
        List<ConfigViolation> found = violations(c);
        if (!found.isEmpty()) {
            throw new ConfigException(found.get(0));
        }
        return Recipe.resolve(c);
    }

    /** Collects violations. */
    private static final class Checks {
        final List<ConfigViolation> found = new ArrayList<>();

        boolean require(boolean ok, String field, String message) {
            if (!ok) {
                found.add(new ConfigViolation(field, message));
            }
            return ok;
        }

        /** A path no file system can name (a NUL character) fails later as an unclassified error: refuse it here. */
        void requirePath(String value, String field) {
            require(
                    value == null || value.indexOf('\0') < 0,
                    field,
                    "is not a valid path (it contains a NUL character)");
        }
    }
}
