package io.densecl.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.densecl.contract.ExitCodes;
import io.densecl.trainer.cli.EngineSetup;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.optim.FlatSgd;
import io.densecl.trainer.train.TrainStep;
import io.densecl.trainer.train.TrainingSession;
import io.densecl.trainer.util.ProcessStats;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench step}: times full DenseCL optimiser steps on random device-resident inputs, the same protocol
 * as the plain-PyTorch reference ({@code bench/trainer/reference/ref_densecl_torch.py}), and prints one JSON line.
 */
@Command(name = "step", mixinStandardHelpOptions = true, description = "Time bare DenseCL steps (ms/step) and RSS.")
final class StepBench implements Callable<Integer> {
    @Option(names = "--backbone", defaultValue = "resnet18")
    String backbone;

    @Option(names = "--batch", defaultValue = "32")
    int batch;

    @Option(names = "--size", defaultValue = "96")
    int size;

    @Option(names = "--queue", defaultValue = "65536")
    int queue;

    @Option(names = "--steps", defaultValue = "10")
    int steps;

    @Option(names = "--warmup", defaultValue = "3")
    int warmup;

    @Option(names = "--threads", defaultValue = "0")
    int threads;

    @Option(names = "--device", defaultValue = "cpu")
    String device;

    @Option(names = "--rss-every", defaultValue = "0", description = "Print RSS every N steps (memory-flatness runs).")
    int rssEvery;

    @Override
    public Integer call() throws Exception {
        EngineSetup.threads(threads);
        Encoder encoder = new Encoder(backbone, 2048, 128);
        DenseCLModel.Hyper hyper = new DenseCLModel.Hyper(queue, 0.999, 0.2, 0.5, 0);
        try (NDManager root = NDManager.newBaseManager(TrainingSession.device(device), "PyTorch");
                DenseCLModel model = DenseCLModel.create(encoder, hyper, Initializer.official(0), 0, root);
                FlatSgd sgd = new FlatSgd(model.query().params(), 0.9, 1e-4);
                NDArray x1 = root.randomNormal(new Shape(batch, 3, size, size));
                NDArray x2 = root.randomNormal(new Shape(batch, 3, size, size))) {
            TrainStep step = new TrainStep(model, sgd);
            double[] times = new double[steps];
            float first = 0;
            float last = 0;
            long rss100 = 0;
            for (int i = 0; i < warmup + steps; i++) {
                long t0 = System.nanoTime();
                TrainStep.Result r = step.run(x1, x2, 0.03, i);
                double dt = (System.nanoTime() - t0) / 1e6;
                if (i >= warmup) {
                    times[i - warmup] = dt;
                    if (i == warmup) first = r.loss();
                    last = r.loss();
                }
                if (rssEvery > 0 && (i + 1) % rssEvery == 0) {
                    long rss = ProcessStats.rssBytes();
                    if (i + 1 == 100) rss100 = rss;
                    // the Java heap's committed size next to RSS: G1 growing the heap is not a native leak
                    Runtime rt = Runtime.getRuntime();
                    System.err.printf(
                            Locale.ROOT,
                            "step %d rss_mb %.1f heap_committed_mb %.1f heap_used_mb %.1f%s%n",
                            i + 1,
                            rss / 1048576.0,
                            rt.totalMemory() / 1048576.0,
                            (rt.totalMemory() - rt.freeMemory()) / 1048576.0,
                            rss100 > 0
                                    ? String.format(
                                            Locale.ROOT, " growth_since_100 %.2f%%", 100.0 * (rss - rss100) / rss100)
                                    : "");
                }
            }
            Arrays.sort(times);
            double med = times[times.length / 2];
            System.out.printf(
                    Locale.ROOT,
                    "{\"impl\": \"djl\", \"arch\": \"%s\", \"batch\": %d, \"size\": %d, \"queue\": %d, \"device\": \"%s\", "
                            + "\"threads\": %d, \"ms_per_step\": %.1f, \"img_per_s\": %.1f, \"loss_first\": %.4f, \"loss_last\": %.4f, \"rss_mb\": %.0f}%n",
                    backbone,
                    batch,
                    size,
                    queue,
                    device,
                    threads,
                    med,
                    batch / (med / 1000),
                    first,
                    last,
                    ProcessStats.rssBytes() / 1048576.0);
        }
        return ExitCodes.COMPLETE;
    }
}
