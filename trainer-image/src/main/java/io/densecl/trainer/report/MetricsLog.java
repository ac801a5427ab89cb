package io.densecl.trainer.report;

import io.densecl.contract.Progress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code metrics.csv} beside the checkpoints (one row per logged step) and {@code loss.svg}, a
 * loss-curve plot refreshed at each checkpoint, so a run's history needs no tools to read.
 */
public final class MetricsLog {
    /**
     * loss_global/loss_dense: the InfoNCE terms as computed (unweighted); loss_contra_single/loss_contra_dense:
     * the same weighted by (1-lambda) and lambda, as the official DenseCL logs print them; loss is their sum.
     */
    static final String HEADER =
            "step,epoch,loss,loss_global,loss_dense,lr,images_per_second,attempt,loss_contra_single,loss_contra_dense,lambda";

    private final Path csv;
    private final Path svg;

    public MetricsLog(Path dir) {
        this.csv = dir.resolve("metrics.csv");
        this.svg = dir.resolve("loss.svg");
    }

    /** Drops rows past {@code step}: they belong to an attempt that died after its last checkpoint. */
    public void truncateAfter(long step) throws IOException {
        if (!Files.exists(csv)) {
            return;
        }
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
            if (line.startsWith("step") || line.isBlank()) continue;
            try {
                if (Long.parseLong(line.substring(0, line.indexOf(','))) <= step) keep.add(line);
            } catch (RuntimeException ignored) {
                // a torn last line from a killed process
            }
        }
        keep.add(0, HEADER);
        Files.write(csv, keep, StandardCharsets.UTF_8);
    }

    /**
     * One row of a training progress snapshot (losses, lr and throughput present); {@code lambda} is the dense-loss
     * weight of that step (0 during the warm-up).
     */
    public void append(Progress p, double lambda) throws IOException {
        Files.createDirectories(csv.getParent());
        boolean fresh = !Files.exists(csv);
        String row = String.format(
                Locale.ROOT,
                "%d,%d,%.6f,%.6f,%.6f,%.8f,%.2f,%d,%.6f,%.6f,%.4f%n",
                p.step(),
                p.epoch(),
                p.loss(),
                p.lossGlobal(),
                p.lossDense(),
                p.lr(),
                p.imagesPerSecond(),
                p.attempt(),
                p.lossContraSingle(),
                p.lossContraDense(),
                lambda);
        Files.writeString(
                csv,
                (fresh ? HEADER + "\n" : "") + row,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Rewrites the SVG plot of loss, global and dense loss against step. */
    public void plot() throws IOException {
        if (!Files.exists(csv)) {
            return;
        }
        List<double[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
            String[] f = line.split(",");
            if (f.length < 5 || line.startsWith("step")) continue;
            try {
                rows.add(new double[] {
                    Double.parseDouble(f[0]),
                    Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]),
                    Double.parseDouble(f[4])
                });
            } catch (NumberFormatException ignored) {
                // skip torn lines
            }
        }
        Files.writeString(svg, LossPlot.svg(rows), StandardCharsets.UTF_8);
    }
}
