package io.densecl.trainer.eval;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Runs one evaluation task and returns its result document ({@code task}, {@code metrics}, details). */
public final class Evaluations {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Settings shared by the tasks; nulls take the task's default. */
    public record Settings(Integer epochs, int batchSize, int imageSize, Double lr, int outputStride, int headChannels,
                           int classes, int k, double temperature, long seed, Device device) {}

    private Evaluations() {}

    public static ObjectNode run(String task, Path data, BackboneSource source, Settings s, Consumer<String> progress) throws IOException {
        ObjectNode r = JSON.createObjectNode();
        r.put("task", task);
        r.put("backbone", source.arch());
        r.put("init", source.kind());
        if (source.checkpointEpoch() != null) r.put("checkpointEpoch", source.checkpointEpoch());
        ObjectNode m = r.putObject("metrics");
        switch (task) {
            case "segmentation" -> {
                SegmentationData d = SegmentationData.open(data, s.classes());
                int epochs = s.epochs() == null ? 20 : s.epochs();
                SegmentationFinetune.Result res = SegmentationFinetune.run(d, source, new SegmentationFinetune.Options(epochs,
                        s.batchSize(), s.imageSize(), s.lr() == null ? 0.01 : s.lr(), s.outputStride(), s.headChannels(), s.seed()), s.device(), progress);
                m.put("mIoU", round(res.metrics().meanIou()));
                m.put("pixelAccuracy", round(res.metrics().pixelAccuracy()));
                ObjectNode per = r.putObject("perClassIoU");
                double[] iou = res.metrics().iou();
                for (int c = 0; c < iou.length; c++) per.put(Integer.toString(c), Double.isNaN(iou[c]) ? null : round(iou[c]));
                r.put("epochs", epochs);
                r.put("iterations", res.iterations());
                r.put("finalTrainLoss", round(res.finalLoss()));
                r.put("outputStride", s.outputStride());
            }
            case "linear", "knn" -> {
                ClassificationData d = ClassificationData.open(data);
                float[][] train;
                float[][] val;
                try (FrozenBackbone fb = new FrozenBackbone(source, s.device(), s.seed())) {
                    train = fb.features(d.train().files(), s.imageSize(), n -> progress.accept("features train " + n + "/" + d.train().files().size()));
                    val = fb.features(d.val().files(), s.imageSize(), n -> progress.accept("features val " + n + "/" + d.val().files().size()));
                }
                float[][] scores;
                if (task.equals("knn")) {
                    scores = new KnnClassifier(train, d.train().labels(), d.classes().size(), s.k(), s.temperature()).scores(val);
                    r.put("k", s.k());
                } else {
                    int epochs = s.epochs() == null ? 100 : s.epochs();
                    LinearProbe probe = new LinearProbe(train[0].length, d.classes().size());
                    probe.train(train, d.train().labels(), epochs, s.lr() == null ? 0.1 : s.lr(), s.seed());
                    scores = probe.scores(val);
                    r.put("epochs", epochs);
                }
                m.put("top1", round(ClassificationMetrics.topK(scores, d.val().labels(), 1)));
                if (task.equals("linear")) m.put("top5", round(ClassificationMetrics.topK(scores, d.val().labels(), 5)));
                r.put("classes", d.classes().size());
                r.put("trainImages", train.length);
                r.put("valImages", val.length);
            }
            default -> throw new IllegalArgumentException(task);
        }
        return r;
    }

    static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
