package io.densecl.trainer.config;

import java.util.Set;

/** Rejects configurations that would fail or waste compute later, naming the field. */
public final class ConfigValidator {
    private static final Set<String> BACKBONES = Set.of("resnet18", "resnet34", "resnet50", "resnet101");
    private static final Set<String> FORMATS = Set.of("imageFolder", "list", "coco");

    private ConfigValidator() {}

    /** Fills the recipe's values into unset fields ({@link Recipe#resolve}), then checks every field. */
    public static RunConfig validate(RunConfig c) {
        Recipe.resolve(c);
        require(c.data.path != null && !c.data.path.isBlank(), "data.path", "is required");
        require(FORMATS.contains(c.data.format), "data.format", "must be one of " + FORMATS + ", got '" + c.data.format + "'");
        require(BACKBONES.contains(c.model.backbone), "model.backbone", "must be one of " + BACKBONES + ", got '" + c.model.backbone + "'");
        require(c.model.hid > 0, "model.hid", "must be > 0");
        require(c.model.dim > 0, "model.dim", "must be > 0");
        require(c.training.batchSize > 0, "training.batchSize", "must be > 0");
        require(c.denseCL.queueSize > 0, "denseCL.queueSize", "must be > 0");
        require(c.denseCL.queueSize % c.training.batchSize == 0, "denseCL.queueSize",
                "must be divisible by training.batchSize (" + c.denseCL.queueSize + " % " + c.training.batchSize + " != 0)");
        require(c.denseCL.momentum >= 0 && c.denseCL.momentum < 1, "denseCL.momentum", "must be in [0, 1)");
        require(c.denseCL.temperature > 0, "denseCL.temperature", "must be > 0");
        require(c.denseCL.lossLambda >= 0 && c.denseCL.lossLambda <= 1, "denseCL.lossLambda", "must be in [0, 1]");
        require(c.denseCL.lambdaWarmupIters >= 0, "denseCL.lambdaWarmupIters", "must be >= 0");
        require(c.denseCL.bnGroupSize >= 1, "denseCL.bnGroupSize", "must be >= 1");
        require(c.training.batchSize <= c.denseCL.bnGroupSize || c.training.batchSize % c.denseCL.bnGroupSize == 0,
                "denseCL.bnGroupSize", "must divide training.batchSize when the batch is larger than one group ("
                        + c.training.batchSize + " % " + c.denseCL.bnGroupSize + " != 0)");
        require(c.training.epochs > 0, "training.epochs", "must be > 0");
        require(c.training.lr > 0, "training.lr", "must be > 0");
        require(c.training.momentum >= 0 && c.training.momentum < 1, "training.momentum", "must be in [0, 1)");
        require(c.training.weightDecay >= 0, "training.weightDecay", "must be >= 0");
        require(Set.of("cosine", "constant").contains(c.training.schedule), "training.schedule", "must be cosine or constant");
        require(c.training.imageSize >= 32 && c.training.imageSize % 32 == 0, "training.imageSize", "must be a multiple of 32 and >= 32");
        require(c.training.workers >= 1, "training.workers", "must be >= 1");
        require(c.training.maxStepsPerEpoch >= 0, "training.maxStepsPerEpoch", "must be >= 0");
        require(c.device != null && c.device.matches("cpu|gpu\\d+"), "device", "must be cpu or gpuN, got '" + c.device + "'");
        require(c.checkpoint.keepLast >= 1, "checkpoint.keepLast", "must be >= 1");
        require(c.checkpoint.intervalEpochs >= 0 && c.checkpoint.intervalMinutes >= 0 && c.checkpoint.intervalSteps >= 0,
                "checkpoint", "intervals must be >= 0");
        require(Set.of("Auto", "Never").contains(c.resume.mode), "resume.mode", "must be Auto or Never");
        return c;
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new ConfigException(field, message);
        }
    }
}
