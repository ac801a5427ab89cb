package io.densecl.trainer.cli;

import io.densecl.contract.ExitCodes;
import io.densecl.trainer.synth.SynthDataset;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code synth}: writes a deterministic synthetic dataset with masks and labels. */
@Command(
        name = "synth",
        mixinStandardHelpOptions = true,
        description = "Write a synthetic dataset: VOC-style (images, masks, labels) or only the images.")
public final class SynthCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--images", defaultValue = "200", description = "Number of images (default ${DEFAULT-VALUE}).")
    int images;

    @Option(
            names = "--size",
            defaultValue = "128",
            description = "Nominal image side in pixels; actual sizes vary 0.75-1.5x.")
    int size;

    @Option(names = "--classes", defaultValue = "4", description = "Foreground classes (default ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(
            names = "--layout",
            defaultValue = "voc",
            description = "voc (images, masks, lists, labels: evaluation data) or "
                    + "images (only the JPEGs, directly under --out: pre-training data). Default ${DEFAULT-VALUE}.")
    SynthDataset.Layout layout;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        int n = new SynthDataset(images, size, classes, seed).write(out, layout);
        System.out.printf(
                "wrote %d images (%d classes, %s layout) to %s in %.1f s%n",
                n, classes, layout, out, (System.nanoTime() - t0) / 1e9);
        return ExitCodes.COMPLETE;
    }
}
