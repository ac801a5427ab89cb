package io.densecl.trainer.report;

import io.densecl.contract.Progress;
import io.densecl.trainer.report.tensorboard.TensorBoardLog;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's experiment tracking beside {@code metrics.csv}: TensorBoard event files in {@value #DIR}/ (the same
 * rows: losses, learning rate, throughput). Nothing here can fail or slow a step: writes happen on a background
 * thread, and a log that cannot be opened is skipped with a warning.
 */
public final class RunTracking implements AutoCloseable {
    /** The TensorBoard log directory under the checkpoint directory (point {@code tensorboard --logdir} here). */
    public static final String DIR = "tensorboard";
    private final TensorBoardLog tensorboard;

    private RunTracking(TensorBoardLog tensorboard) {
        this.tensorboard = tensorboard;
    }

    /** Opens the logs of {@code attempt}, which resumed after {@code resumedStep} (0: a fresh run). */
    public static RunTracking open(Path checkpointRoot, int attempt, long resumedStep) {
        return new RunTracking(TensorBoardLog.open(checkpointRoot.resolve(DIR), attempt, resumedStep));
    }

    /** One logged training step ({@code lambda}: the dense-loss weight of that step). */
    public void logged(Progress p, double lambda) {
        if (tensorboard != null) tensorboard.scalars(p.step(), scalars(p, lambda));
    }

    /** The scalar tags of a training row; the names follow {@code metrics.csv}'s columns. */
    static Map<String, Number> scalars(Progress p, double lambda) {
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("train/loss", p.loss());
        m.put("train/loss_global", p.lossGlobal());
        m.put("train/loss_dense", p.lossDense());
        m.put("train/loss_contra_single", p.lossContraSingle());
        m.put("train/loss_contra_dense", p.lossContraDense());
        m.put("train/lambda", lambda);
        m.put("train/lr", p.lr());
        m.put("train/images_per_second", p.imagesPerSecond());
        m.put("train/epoch", p.epoch());
        return m;
    }

    @Override
    public void close() {
        if (tensorboard != null) tensorboard.close();
    }
}
