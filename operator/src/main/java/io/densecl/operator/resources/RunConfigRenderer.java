package io.densecl.operator.resources;

import io.densecl.contract.ResumeMode;
import io.densecl.contract.RunConfig;
import io.densecl.contract.RunConfigJson;
import io.densecl.contract.TerminationMessage;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.ResumeSpec;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Renders a run into the trainer's {@link RunConfig} (run.json, docs/contract.md): the spec's sections map onto
 * the config's, plus what only the operator knows (paths inside the pod, the device, the progress port).
 * A spec value left null keeps the trainer's default.
 */
public final class RunConfigRenderer {

    private RunConfigRenderer() {}

    /**
     * @param resumeFromDir the resolved checkpoint directory of resume.fromRun/fromPath, or null
     */
    public static RunConfig config(DenseCLRun run, OperatorSettings settings, String resumeFromDir) {
        DenseCLRunSpec s = run.getSpec();
        RunConfig c = new RunConfig();
        c.run.namespace = run.getMetadata().getNamespace();
        c.run.name = run.getMetadata().getName();
        c.run.uid = run.getMetadata().getUid();
        c.data.path = ChildNames.dataPath(s.data.path);
        set(s.data.format, v -> c.data.format = v);
        set(s.data.maxImagePixels, v -> c.data.maxImagePixels = v);
        set(s.data.maxUnreadableFraction, v -> c.data.maxUnreadableFraction = v);
        set(s.model.backbone, v -> c.model.backbone = v);
        set(s.model.hid, v -> c.model.hid = v);
        set(s.model.dim, v -> c.model.dim = v);
        set(s.denseCL.queueSize, v -> c.denseCL.queueSize = v);
        set(s.denseCL.momentum, v -> c.denseCL.momentum = v);
        set(s.denseCL.temperature, v -> c.denseCL.temperature = v);
        set(s.denseCL.lossLambda, v -> c.denseCL.lossLambda = v);
        set(s.denseCL.lambdaWarmupIters, v -> c.denseCL.lambdaWarmupIters = v);
        set(s.denseCL.bnGroupSize, v -> c.denseCL.bnGroupSize = v);
        var t = s.training;
        set(t.recipe, v -> c.training.recipe = v);
        set(t.epochs, v -> c.training.epochs = v); // unset lr/epochs stay null: the trainer takes the recipe's

        set(t.batchSize, v -> c.training.batchSize = v);
        set(t.lr, v -> c.training.lr = v);
        set(t.momentum, v -> c.training.momentum = v);
        set(t.weightDecay, v -> c.training.weightDecay = v);
        set(t.schedule, v -> c.training.schedule = v);
        set(t.seed, v -> c.training.seed = v);
        set(t.imageSize, v -> c.training.imageSize = v);
        set(t.workers, v -> c.training.workers = v);
        set(t.maxStepsPerEpoch, v -> c.training.maxStepsPerEpoch = v);
        c.checkpoint.dir = ChildNames.checkpointDir(run);
        set(s.checkpoint.intervalEpochs, v -> c.checkpoint.intervalEpochs = v);
        set(s.checkpoint.intervalMinutes, v -> c.checkpoint.intervalMinutes = v);
        set(s.checkpoint.intervalSteps, v -> c.checkpoint.intervalSteps = v);
        set(s.checkpoint.keepLast, v -> c.checkpoint.keepLast = v);
        // Always Auto: the run's own checkpoints come first so that restarts continue instead of starting over.
        // spec.resume.mode=Never therefore only means "no fromDir": with Never the run's directory carries a uid
        // prefix (ChildNames.checkpointDir), so it is empty on attempt 1 anyway. Otherwise the directory is per
        // (namespace, name, trajectory hash): a re-created run with the same spec resumes its predecessor's
        // checkpoints (and exits Complete at once if they are final). fromDir is used only while the run has no
        // checkpoint.
        c.resume.mode = ResumeMode.Auto;
        c.resume.fromDir = resumeFromDir;
        c.resume.warmStart = s.resume.mode == ResumeSpec.Mode.WarmStart;
        c.devices = devices(s.resources.gpus);
        c.device = c.devices.get(0);
        c.checkpoint.pinFile = PodFactory.CONFIG_DIR + "/" + ChildNames.PINS_KEY;
        c.progressPort = settings.progressPort();
        set(s.failurePolicy.trainerStaleSeconds, v -> c.healthzStaleSeconds = v);
        c.terminationLog = TerminationMessage.DEFAULT_PATH;
        return c;
    }

    /** The run.json text of {@link #config}. */
    public static String render(DenseCLRun run, OperatorSettings settings, String resumeFromDir) {
        return RunConfigJson.write(config(run, settings, resumeFromDir));
    }

    /** Every GPU of the pod, {@code gpu0..gpu{n-1}} (one data-parallel replica each); {@code [cpu]} without GPUs. */
    public static List<String> devices(Integer gpus) {
        int n = gpus == null ? 0 : gpus;
        return n <= 0
                ? List.of("cpu")
                : IntStream.range(0, n).mapToObj(i -> "gpu" + i).toList();
    }

    private static <T> void set(T value, Consumer<T> field) {
        if (value != null) {
            field.accept(value);
        }
    }
}
