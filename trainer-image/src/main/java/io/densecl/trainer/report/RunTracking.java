package io.densecl.trainer.report;

import io.densecl.contract.Progress;
import io.densecl.trainer.report.mlflow.MlflowLog;
import io.densecl.trainer.report.tensorboard.TensorBoardLog;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's experiment tracking beside {@code metrics.csv}: TensorBoard event files in {@value #DIR}/ and, when the
 * environment names a server ({@code MLFLOW_TRACKING_URI}), an MLflow run (the same rows: losses, learning rate,
 * throughput). Nothing here can fail or slow a step: writes happen on background threads, and a log that cannot
 * be opened is skipped with a warning.
 */
public final class RunTracking implements AutoCloseable {
    /** The TensorBoard log directory under the checkpoint directory (point {@code tensorboard --logdir} here). */
    public static final String DIR = "tensorboard";

    private final TensorBoardLog tensorboard;
    private final MlflowLog mlflow;

    private RunTracking(TensorBoardLog tensorboard, MlflowLog mlflow) {
        this.tensorboard = tensorboard;
        this.mlflow = mlflow;
    }

    /** Opens the logs of {@code attempt}, which resumed after {@code resumedStep} (0: a fresh run). */
    public static RunTracking open(Path checkpointRoot, int attempt, long resumedStep) {
        return open(checkpointRoot, attempt, resumedStep, System.getenv());
    }

    /** As {@link #open(Path, int, long)} with the environment given. */
    public static RunTracking open(Path checkpointRoot, int attempt, long resumedStep, Map<String, String> env) {
        return new RunTracking(
                TensorBoardLog.open(checkpointRoot.resolve(DIR), attempt, resumedStep),
                MlflowLog.open(env, checkpointRoot, attempt, resumedStep));
    }

    /** One logged training step ({@code lambda}: the dense-loss weight of that step). */
    public void logged(Progress p, double lambda) {
        Map<String, Number> row = scalars(p, lambda);
        if (tensorboard != null) tensorboard.scalars(p.step(), row);
        if (mlflow != null) {
            Map<String, Double> m = new LinkedHashMap<>();
            row.forEach((k, v) -> m.put(k, v == null ? null : v.doubleValue()));
            mlflow.log(p.step(), m);
        }
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
        if (mlflow != null) mlflow.close();
    }
}
