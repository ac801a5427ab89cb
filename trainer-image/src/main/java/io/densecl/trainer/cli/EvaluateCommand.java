package io.densecl.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.contract.ConfigException;
import io.densecl.contract.EvaluationProtocol;
import io.densecl.contract.EvaluationTask;
import io.densecl.contract.ExitCodes;
import io.densecl.contract.Progress;
import io.densecl.contract.TerminationMessage;
import io.densecl.contract.TrainerInvocation;
import io.densecl.trainer.eval.BackboneSource;
import io.densecl.trainer.eval.Evaluations;
import io.densecl.trainer.report.ProgressServer;
import io.densecl.trainer.report.TerminationLog;
import io.densecl.trainer.train.TrainingSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code evaluate}: downstream evaluation of a backbone (segmentation fine-tune, linear probe, k-NN). */
@Command(
        name = TrainerInvocation.EVALUATE,
        mixinStandardHelpOptions = true,
        description = "Evaluate a pre-trained (or random) backbone downstream.")
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = TrainerInvocation.TASK, required = true, description = "${COMPLETION-CANDIDATES}")
    EvaluationTask task;

    @Option(
            names = TrainerInvocation.DATA,
            required = true,
            description = "VOC root (segmentation) or image-folder root with train/ and val/ (linear, knn).")
    Path data;

    @ArgGroup(multiplicity = "1")
    Init init;

    /** Exactly one source of backbone weights. */
    static final class Init {
        @Option(names = TrainerInvocation.CHECKPOINT, description = "A pretrain checkpoint directory.")
        Path checkpoint;

        @Option(names = "--backbone-file", description = "An exported torchvision-key safetensors file.")
        Path backboneFile;

        @Option(names = "--init", description = "random: the untrained baseline.")
        String random;
    }

    @Option(
            names = TrainerInvocation.CHECKPOINT_EPOCH,
            description = "With --checkpoint DIR (a run's checkpoint directory): "
                    + "the first checkpoint of this epoch, never a newer one.")
    Integer checkpointEpoch;

    @Option(
            names = "--backbone",
            defaultValue = "resnet50",
            description = "Architecture for --init random or a file without metadata.")
    String backbone;

    @Option(
            names = TrainerInvocation.PROTOCOL,
            defaultValue = "quick",
            description =
                    "${COMPLETION-CANDIDATES}: quick (small CPU-sized settings, default) or paper (the DenseCL paper's transfer settings; README).")
    EvaluationProtocol protocol;

    @Option(
            names = TrainerInvocation.EPOCHS,
            description = "Fine-tune / probe epochs (quick: segmentation 20, linear 100; paper linear 100).")
    Integer epochs;

    @Option(names = "--iterations", description = "Segmentation iterations of the paper protocol (20000).")
    Long iterations;

    @Option(names = TrainerInvocation.BATCH_SIZE, description = "quick: 8; paper: segmentation 16, linear 256.")
    Integer batchSize;

    @Option(
            names = TrainerInvocation.IMAGE_SIZE,
            description = "Training crop (segmentation) or input size (linear, knn); quick 96, paper 512 / 224.")
    Integer imageSize;

    @Option(names = "--lr", description = "Learning rate (quick: segmentation 0.01, linear 0.1; paper: 0.01, 30).")
    Double lr;

    @Option(
            names = "--output-stride",
            description = "quick segmentation: 32 (default), or 8 for a dilated backbone; paper: 8.")
    Integer outputStride;

    @Option(names = "--head-channels", description = "FCN head width (512).")
    Integer headChannels;

    @Option(
            names = TrainerInvocation.CLASSES,
            defaultValue = "0",
            description = "Segmentation classes incl. background (default: classes.txt).")
    int classes;

    @Option(names = "--k", defaultValue = "20")
    int k;

    @Option(names = "--temperature", defaultValue = "0.07")
    double temperature;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = TrainerInvocation.DEVICE, defaultValue = "cpu")
    String device;

    @Option(names = "--threads", defaultValue = "0")
    int threads;

    @Option(names = TrainerInvocation.OUT, description = "Result JSON file.")
    Path out;

    @Option(names = "--progress-port", defaultValue = "8080", description = "Port of /progress (-1 off).")
    int progressPort;

    @Option(
            names = TrainerInvocation.TERMINATION_LOG,
            defaultValue =
                    "${env:" + PretrainCommand.ENV_TERMINATION_LOG + ":-" + TerminationMessage.DEFAULT_PATH + "}")
    String terminationLog;

    private volatile Progress progress = Progress.evaluating(null);

    @Override
    public Integer call() {
        try {
            EngineSetup.threads(threads);
            if (init.random != null && !init.random.equals("random"))
                throw new ConfigException("--init", "only 'random' is supported");
            if (outputStride != null && outputStride != 8 && outputStride != 32)
                throw new ConfigException("--output-stride", "must be 8 or 32");
            if (outputStride != null && outputStride != 8 && protocol == EvaluationProtocol.paper) {
                throw new ConfigException("--output-stride", "the paper protocol runs at output stride 8");
            }
            if (checkpointEpoch != null && init.checkpoint == null) {
                throw new ConfigException(
                        TrainerInvocation.CHECKPOINT_EPOCH, "needs --checkpoint (a run's checkpoint directory)");
            }
            if (progressPort < -1 || progressPort > 65535)
                throw new ConfigException("--progress-port", "must be 0-65535 or -1 (off)");
            BackboneSource source = backboneSource();
            Evaluations.Settings s = new Evaluations.Settings(
                    protocol,
                    epochs,
                    iterations,
                    batchSize,
                    imageSize,
                    lr,
                    outputStride,
                    headChannels,
                    classes,
                    k,
                    temperature,
                    seed,
                    TrainingSession.device(device));
            try (ProgressServer ignored = progressPort < 0
                    ? null
                    : ProgressServer.startOrWarn(
                            ProgressServer.host(System.getenv()),
                            progressPort,
                            () -> progress,
                            ProgressServer.Health.ALWAYS)) {
                long t0 = System.nanoTime();
                ObjectNode result = Evaluations.run(task.name(), data, source, s, line -> {
                    System.out.println(line);
                    progress = Progress.evaluating(line);
                });
                result.put("seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
                String json =
                        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result);
                System.out.println(json);
                if (out != null) Files.writeString(out, json);
                Map<String, Double> metrics = new LinkedHashMap<>();
                result.get("metrics")
                        .fields()
                        .forEachRemaining(
                                m -> metrics.put(m.getKey(), m.getValue().asDouble()));
                TerminationLog.write(
                        terminationLog, TerminationMessage.evaluated(task, source.checkpointEpoch(), metrics));
                return ExitCodes.COMPLETE;
            }
        } catch (Exception | Error e) {
            return Outcome.fail(e, terminationLog);
        }
    }

    /** The weights to evaluate; a file or checkpoint that cannot be read is a configuration error naming the option. */
    private BackboneSource backboneSource() {
        try {
            return init.checkpoint != null
                    ? BackboneSource.fromCheckpoint(init.checkpoint, checkpointEpoch)
                    : init.backboneFile != null
                            ? BackboneSource.fromFile(init.backboneFile, backbone)
                            : BackboneSource.random(backbone);
        } catch (java.io.IOException e) {
            throw new ConfigException(init.checkpoint != null ? "--checkpoint" : "--backbone-file", e.getMessage());
        }
    }
}
