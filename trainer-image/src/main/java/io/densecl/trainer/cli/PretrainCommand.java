package io.densecl.trainer.cli;

import io.densecl.contract.Backbone;
import io.densecl.contract.ConfigException;
import io.densecl.contract.DataFormat;
import io.densecl.contract.ExitCodes;
import io.densecl.contract.Progress;
import io.densecl.contract.Recipe;
import io.densecl.contract.ResumeMode;
import io.densecl.contract.RunConfig;
import io.densecl.contract.RunConfigValidator;
import io.densecl.contract.TerminationMessage;
import io.densecl.contract.TrainerInvocation;
import io.densecl.contract.TrainerResult;
import io.densecl.trainer.checkpoint.CheckpointLock;
import io.densecl.trainer.checkpoint.StaleFiles;
import io.densecl.trainer.checkpoint.StateCodec;
import io.densecl.trainer.checkpoint.StoragePreflight;
import io.densecl.trainer.config.ConfigLoader;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.report.ProgressServer;
import io.densecl.trainer.report.TerminationLog;
import io.densecl.trainer.train.PretrainLoop;
import io.densecl.trainer.train.StopSignal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pretrain}: DenseCL pre-training from a run config and/or flags (flags win). */
@Command(
        name = TrainerInvocation.PRETRAIN,
        mixinStandardHelpOptions = true,
        description = "Pre-train a ResNet with DenseCL.")
public final class PretrainCommand implements Callable<Integer> {
    /** Where the termination message goes when a run sets nothing else (the local pod runner sets one per pod). */
    static final String ENV_TERMINATION_LOG = "DENSECL_TERMINATION_LOG";

    @Option(names = TrainerInvocation.CONFIG, description = "Run config (JSON or YAML; docs/contract.md).")
    Path config;

    @Option(names = "--data", description = "Image folder (recursive) or list file.")
    String data;

    @Option(names = "--data-format", description = "${COMPLETION-CANDIDATES}")
    DataFormat dataFormat;

    @Option(names = "--checkpoint-dir", description = "Directory of this run's checkpoints.")
    String checkpointDir;

    @Option(names = "--backbone", description = "${COMPLETION-CANDIDATES}")
    Backbone backbone;

    @Option(names = "--hid", description = "Neck hidden width (2048).")
    Integer hid;

    @Option(names = "--dim", description = "Projection dimension (128).")
    Integer dim;

    @Option(
            names = "--recipe",
            description =
                    "${COMPLETION-CANDIDATES}: imagenet (lr 0.03, 200 epochs), coco (lr 0.3, 800 epochs); --lr/--epochs and the config's values win.")
    Recipe recipe;

    @Option(names = "--epochs")
    Integer epochs;

    @Option(names = "--batch-size")
    Integer batchSize;

    @Option(names = "--image-size", description = "Crop size, a multiple of 32.")
    Integer imageSize;

    @Option(names = "--queue-size")
    Integer queueSize;

    @Option(names = "--lr", description = "Base learning rate per 256 images.")
    Double lr;

    @Option(names = "--lambda", description = "Dense loss weight (0.5).")
    Double lambda;

    @Option(names = "--bn-group-size", description = "Images per BatchNorm group, Shuffle BN (32).")
    Integer bnGroupSize;

    @Option(names = "--workers", description = "Data loader threads (>= 1).")
    Integer workers;

    @Option(names = "--threads", description = "libtorch intra-op threads (0: default).")
    Integer threads;

    @Option(names = "--seed")
    Long seed;

    @Option(names = "--device", description = "cpu | gpu0 | gpu1 ... (one device; shorthand for --devices X)")
    String device;

    @Option(
            names = "--devices",
            split = ",",
            description = "Data-parallel replicas, e.g. gpu0,gpu1 (cpu,cpu for tests; a device may repeat).")
    List<String> devices;

    @Option(names = "--max-steps-per-epoch", description = "Cut every epoch after N steps (smoke runs).")
    Integer maxStepsPerEpoch;

    @Option(names = "--checkpoint-every-steps")
    Integer everySteps;

    @Option(names = "--checkpoint-every-epochs")
    Integer everyEpochs;

    @Option(names = "--checkpoint-every-minutes")
    Integer everyMinutes;

    @Option(names = "--keep-last")
    Integer keepLast;

    @Option(names = "--resume", description = "${COMPLETION-CANDIDATES}")
    ResumeMode resume;

    @Option(names = "--resume-from", description = "Checkpoint directory of another run.")
    String resumeFrom;

    @Option(names = "--warm-start", description = "With --resume-from: load weights only.")
    Boolean warmStart;

    @Option(
            names = "--progress-port",
            description = "Port of /progress and /metrics (default 8080, -1 off, 0 any free port).")
    Integer progressPort;

    @Option(names = TrainerInvocation.TERMINATION_LOG, description = "Termination message file.")
    String terminationLog;

    @Option(names = TrainerInvocation.ATTEMPT, description = "Attempt index (default: $DENSECL_ATTEMPT or 0).")
    Integer attempt;

    @Override
    public Integer call() {
        String termLog = TrainerCli.terminationLog(terminationLog, config);
        try {
            RunConfig c = overrides(ConfigLoader.load(config));
            termLog = c.terminationLog; // an invalid value is reported where the run asked for its messages
            RunConfigValidator.validate(c);
            EngineSetup.threads(c.training.threads);
            int att = attempt != null ? attempt : attemptFromEnv();
            StopSignal stop = StopSignal.installed();
            PretrainLoop loop = new PretrainLoop(c, att, stop);
            Path dir = Path.of(c.checkpoint.dir);
            // one writer per directory, for the whole process; only then is anything in it touched
            try (CheckpointLock lock = CheckpointLock.acquire(dir, att);
                    ProgressServer ignored = startServer(c, loop)) {
                StaleFiles.remove(dir);
                StoragePreflight.check(
                        dir,
                        StateCodec.estimatedBytes(
                                new Encoder(c.model.backbone.name(), c.model.hid, c.model.dim).layout(),
                                c.model.dim,
                                c.denseCL.queueSize));
                PretrainLoop.Result r = loop.run();
                TerminationLog.write(termLog, message(r));
                System.out.printf(
                        "%s at epoch %d step %d, checkpoint %s%n",
                        r.complete() ? "COMPLETE" : "CHECKPOINTED on " + stop.reason(),
                        r.position().epoch(),
                        r.position().globalStep(),
                        r.lastCheckpoint());
                return r.complete() ? ExitCodes.COMPLETE : ExitCodes.CHECKPOINTED;
            }
        } catch (Exception | Error e) {
            return Outcome.fail(e, termLog);
        }
    }

    private static int attemptFromEnv() {
        String v = System.getenv().getOrDefault(TrainerInvocation.ENV_ATTEMPT, "0");
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(TrainerInvocation.ENV_ATTEMPT, "must be an integer, got '" + v + "'");
        }
    }

    private static ProgressServer startServer(RunConfig c, PretrainLoop loop) {
        if (c.progressPort < 0) {
            return null;
        }
        return ProgressServer.startOrWarn(
                ProgressServer.host(System.getenv()),
                c.progressPort,
                loop::progress,
                () -> loop.liveness().check(System.nanoTime(), c.healthzStaleSeconds));
    }

    static TerminationMessage message(PretrainLoop.Result r) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (r.lastLosses() != null) {
            metrics.put("loss", (double) r.lastLosses().loss());
            metrics.put("lossGlobal", (double) r.lastLosses().lossGlobal());
            metrics.put("lossDense", (double) r.lastLosses().lossDense());
            metrics.put("lossContraSingle", r.lastLosses().lossContraSingle());
            metrics.put("lossContraDense", r.lastLosses().lossContraDense());
        }
        metrics.put("imagesPerSecond", Math.round(r.imagesPerSecond() * 100) / 100.0);
        return TerminationMessage.ended(
                r.complete() ? TrainerResult.Complete : TrainerResult.Checkpointed,
                r.position().epoch(),
                r.position().globalStep(),
                r.lastCheckpoint() == null ? null : r.lastCheckpoint().toString(),
                r.resumedFrom() == null
                        ? null
                        : new Progress.ResumedFrom(
                                r.resumedFrom().epoch(), r.resumedFrom().step(), null),
                metrics,
                r.skippedFiles());
    }

    RunConfig overrides(RunConfig c) {
        if (data != null) c.data.path = data;
        if (dataFormat != null) c.data.format = dataFormat;
        if (checkpointDir != null) c.checkpoint.dir = checkpointDir;
        if (backbone != null) c.model.backbone = backbone;
        if (hid != null) c.model.hid = hid;
        if (dim != null) c.model.dim = dim;
        if (recipe != null) c.training.recipe = recipe;
        if (epochs != null) c.training.epochs = epochs;
        if (batchSize != null) c.training.batchSize = batchSize;
        if (imageSize != null) c.training.imageSize = imageSize;
        if (queueSize != null) c.denseCL.queueSize = queueSize;
        if (lr != null) c.training.lr = lr;
        if (lambda != null) c.denseCL.lossLambda = lambda;
        if (bnGroupSize != null) c.denseCL.bnGroupSize = bnGroupSize;
        if (workers != null) c.training.workers = workers;
        if (threads != null) c.training.threads = threads;
        if (seed != null) c.training.seed = seed;
        if (device != null) {
            c.device = device;
            c.devices = null; // the flag names the one device, whatever the file listed
        }
        if (devices != null) {
            c.devices = List.copyOf(devices);
            c.device = device; // null unless both flags are given; then they must agree
        }
        if (maxStepsPerEpoch != null) c.training.maxStepsPerEpoch = maxStepsPerEpoch;
        if (everySteps != null) c.checkpoint.intervalSteps = everySteps;
        if (everyEpochs != null) c.checkpoint.intervalEpochs = everyEpochs;
        if (everyMinutes != null) c.checkpoint.intervalMinutes = everyMinutes;
        if (keepLast != null) c.checkpoint.keepLast = keepLast;
        if (resume != null) c.resume.mode = resume;
        if (resumeFrom != null) c.resume.fromDir = resumeFrom;
        if (warmStart != null) c.resume.warmStart = warmStart;
        if (progressPort != null) c.progressPort = progressPort;
        if (terminationLog != null) {
            c.terminationLog = terminationLog;
        } else if (System.getenv(ENV_TERMINATION_LOG) != null) {
            c.terminationLog = System.getenv(ENV_TERMINATION_LOG); // local pod runner: one file per pod
        }
        return c;
    }
}
