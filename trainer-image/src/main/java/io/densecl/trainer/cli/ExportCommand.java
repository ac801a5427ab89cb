package io.densecl.trainer.cli;

import io.densecl.contract.ExitCodes;
import io.densecl.trainer.export.BackboneExporter;
import io.densecl.trainer.export.CheckpointReader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code export}: a checkpoint to a portable safetensors file (no engine needed). */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Export the pre-trained backbone (or the full DenseCL state) as safetensors.")
public final class ExportCommand implements Callable<Integer> {
    @Option(
            names = "--checkpoint",
            required = true,
            description = "A run's checkpoint directory (newest valid is used) or one ckpt-e*-s* directory.")
    Path checkpoint;

    @Option(
            names = "--out",
            required = true,
            description = "Output .safetensors file (or .pkl with --format detectron2).")
    Path out;

    @Option(
            names = "--format",
            defaultValue = "torchvision",
            description =
                    "torchvision | detectron2 | densecl (default ${DEFAULT-VALUE}); detectron2 to a .pkl file writes the pickle detectron2's DetectionCheckpointer loads (MODEL.WEIGHTS).")
    String format;

    @Override
    public Integer call() {
        try {
            CheckpointReader cp = CheckpointReader.open(checkpoint);
            int n = BackboneExporter.export(cp, format, out);
            System.out.printf(
                    "exported %d tensors (%s, %s keys, step %d) to %s%n",
                    n, cp.encoder().backbone().arch(), format, cp.globalStep(), out);
            return ExitCodes.COMPLETE;
        } catch (Exception e) {
            return Outcome.fail(e, null);
        }
    }
}
