package io.densecl.trainer.bench;

import io.densecl.contract.ExitCodes;
import io.densecl.trainer.data.ImageDecoder;
import io.densecl.trainer.data.ImageSource;
import io.densecl.trainer.data.MocoV2Augment;
import io.densecl.trainer.data.RgbImage;
import io.densecl.trainer.data.TurboJpeg;
import io.densecl.trainer.util.SplitMix64;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench data}: decoded + MoCo-v2-augmented two-view samples per second on one thread (the loader's unit of work). */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description = "Decode + augment two-view samples/s on one thread.")
final class DataBench implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "Image folder.")
    Path folder;

    @Option(names = "--size", defaultValue = "224", description = "Crop size.")
    int size;

    @Option(names = "--steps", defaultValue = "600", description = "Samples timed.")
    int samples;

    @Option(names = "--warmup", defaultValue = "10", description = "Samples before timing starts.")
    int warmup;

    @Override
    public Integer call() throws ImageDecoder.UnreadableImageException {
        ImageSource src = ImageSource.open(folder, "imageFolder");
        MocoV2Augment aug = new MocoV2Augment(size);
        float[] view = new float[3 * size * size];
        long t0 = 0;
        for (int i = 0; i < warmup + samples; i++) {
            if (i == warmup) t0 = System.nanoTime();
            RgbImage img = ImageDecoder.decode(src.files().get(i % src.size()));
            aug.apply(img, SplitMix64.of(0, 0, i, 0), view, 0);
            aug.apply(img, SplitMix64.of(0, 0, i, 1), view, 0);
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "{\"impl\": \"java\", \"decoder\": \"%s\", \"size\": %d, \"samples\": %d, "
                        + "\"two_view_samples_per_s\": %.1f, \"threads\": 1}%n",
                TurboJpeg.describe(),
                size,
                samples,
                samples / sec);
        return ExitCodes.COMPLETE;
    }
}
