package io.densecl.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.contract.ConfigException;
import io.densecl.contract.ExitCodes;
import io.densecl.contract.Limits;
import io.densecl.trainer.data.ImageSource;
import io.densecl.trainer.eval.BackboneSource;
import io.densecl.trainer.eval.EvalImages;
import io.densecl.trainer.eval.FrozenBackbone;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.train.TrainingSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embed}: the global-average-pooled C5 feature of every image of a folder (query backbone,
 * BatchNorm in eval mode with its running statistics, no L2 normalisation) as a safetensors file:
 * {@code features} [N, C] float32, the image paths (relative to --data, sorted) in the metadata.
 */
@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        description = "Write the pooled C5 feature of every image (query backbone, BN eval).")
public final class EmbedCommand implements Callable<Integer> {
    @Option(
            names = "--checkpoint",
            required = true,
            description = "A run's checkpoint directory (newest valid) or one ckpt-e*-s* directory.")
    Path checkpoint;

    @Option(names = "--data", required = true, description = "Image folder (searched recursively).")
    Path data;

    @Option(
            names = "--image-size",
            defaultValue = "224",
            description =
                    "PX: images of exactly PX x PX are only normalised, others resized on the short side to PX and centre-cropped (default ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--out", required = true, description = "Output .safetensors file.")
    Path out;

    @Option(names = "--device", defaultValue = "cpu")
    String device;

    @Option(names = "--threads", defaultValue = "0")
    int threads;

    @Override
    public Integer call() {
        try {
            EngineSetup.threads(threads);
            if (imageSize < Limits.MIN_IMAGE_SIZE) {
                throw new ConfigException("--image-size", "must be >= " + Limits.MIN_IMAGE_SIZE + ", got " + imageSize);
            }
            BackboneSource source = BackboneSource.fromCheckpoint(checkpoint);
            List<Path> files = ImageSource.open(data, "imageFolder").files();
            float[][] f;
            try (FrozenBackbone fb = new FrozenBackbone(source, TrainingSession.device(device), 0)) {
                f = fb.features(
                        files,
                        imageSize,
                        EvalImages.resizeCentreCrop(imageSize, imageSize),
                        n -> System.err.printf("INFO embedded %d/%d%n", n, files.size()));
            }
            int c = f.length == 0 ? 0 : f[0].length;
            float[] flat = new float[f.length * c];
            for (int i = 0; i < f.length; i++) System.arraycopy(f[i], 0, flat, i * c, c);
            List<String> names = new ArrayList<>();
            for (Path p : files) names.add(data.relativize(p).toString());
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("densecl.files", new ObjectMapper().writeValueAsString(names));
            meta.put("densecl.backbone", source.arch());
            meta.put("densecl.imageSize", Integer.toString(imageSize));
            if (source.checkpointEpoch() != null)
                meta.put("densecl.checkpointEpoch", Integer.toString(source.checkpointEpoch()));
            meta.put(
                    "densecl.features",
                    "global-average-pooled C5 of the query backbone, BatchNorm eval, not normalised");
            SafeTensors.write(out, meta, List.of(SafeTensors.f32("features", new long[] {f.length, c}, flat)));
            System.out.printf(
                    "embedded %d images (%s, %d channels, %d px) to %s%n", f.length, source.arch(), c, imageSize, out);
            return ExitCodes.COMPLETE;
        } catch (Exception | Error e) {
            return Outcome.fail(e, null);
        }
    }
}
