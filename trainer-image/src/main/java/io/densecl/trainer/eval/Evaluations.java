package io.densecl.trainer.eval;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.contract.EvaluationProtocol;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Runs one evaluation task and returns its result document ({@code task}, {@code protocol}, {@code metrics},
 * details). Protocol {@code quick} (the default): small CPU-sized settings. Protocol {@code paper}: the DenseCL
 * paper's transfer settings ({@link SegmentationPaper}, {@link PaperLinearProbe}, kNN on Resize 256 +
 * CenterCrop 224). Settings given explicitly (non-null) override the protocol's.
 */
public final class Evaluations {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Settings shared by the tasks; nulls take the protocol's default for the task. */
    public record Settings(
            EvaluationProtocol protocol,
            Integer epochs,
            Long iterations,
            Integer batchSize,
            Integer imageSize,
            Double lr,
            Integer outputStride,
            Integer headChannels,
            int classes,
            int k,
            double temperature,
            long seed,
            Device device) {}

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private Evaluations() {}

    public static ObjectNode run(String task, Path data, BackboneSource source, Settings s, Consumer<String> progress)
            throws IOException {
        ObjectNode r = JSON.createObjectNode();
        r.put("task", task);
        r.put("backbone", source.arch());
        r.put("init", source.kind());
        boolean paper = s.protocol() == EvaluationProtocol.paper;
        r.put("protocol", s.protocol().name());
        if (source.checkpointEpoch() != null) r.put("checkpointEpoch", source.checkpointEpoch());
        ObjectNode m = r.putObject("metrics");
        switch (task) {
            case "segmentation" -> {
                SegmentationData d = SegmentationData.open(data, s.classes(), paper);
                int epochs = or(s.epochs(), 20);
                SegmentationFinetune.Result res;
                if (paper) {
                    SegmentationPaper.Options p = SegmentationPaper.Options.paper(s.seed());
                    SegmentationPaper.Options o = new SegmentationPaper.Options(
                            or(s.iterations(), p.iterations()),
                            or(s.batchSize(), p.batchSize()),
                            or(s.imageSize(), p.crop()),
                            or(s.lr(), p.lr()),
                            p.minLr(),
                            p.weightDecay(),
                            or(s.headChannels(), p.headChannels()),
                            p.auxChannels(),
                            p.auxWeight(),
                            p.dropout(),
                            s.seed());
                    res = SegmentationPaper.run(d, source, o, s.device(), progress);
                    r.put("crop", o.crop());
                    r.put("batchSize", o.batchSize());
                } else {
                    res = SegmentationFinetune.run(
                            d,
                            source,
                            new SegmentationFinetune.Options(
                                    epochs,
                                    or(s.batchSize(), 8),
                                    or(s.imageSize(), 96),
                                    or(s.lr(), 0.01),
                                    or(s.outputStride(), 32),
                                    or(s.headChannels(), 512),
                                    s.seed()),
                            s.device(),
                            progress);
                    r.put("epochs", epochs);
                }
                m.put("mIoU", round(res.metrics().meanIou()));
                m.put("pixelAccuracy", round(res.metrics().pixelAccuracy()));
                ObjectNode per = r.putObject("perClassIoU");
                double[] iou = res.metrics().iou();
                for (int c = 0; c < iou.length; c++)
                    per.put(Integer.toString(c), Double.isNaN(iou[c]) ? null : round(iou[c]));
                r.put("iterations", res.iterations());
                r.put("finalTrainLoss", round(res.finalLoss()));
                r.put("outputStride", paper ? 8 : (int) or(s.outputStride(), 32));
            }
            case "linear", "knn" -> {
                ClassificationData d = ClassificationData.open(data);
                float[][] train = null;
                float[][] val = null;
                float[][] scores;
                if (paper && task.equals("linear")) {
                    PaperLinearProbe.Options p = PaperLinearProbe.Options.paper(s.seed());
                    PaperLinearProbe.Options o = new PaperLinearProbe.Options(
                            or(s.epochs(), p.epochs()),
                            or(s.batchSize(), p.batchSize()),
                            or(s.lr(), p.lr()),
                            p.milestones(),
                            or(s.imageSize(), p.crop()),
                            p.resize() * or(s.imageSize(), p.crop()) / p.crop(),
                            s.seed());
                    scores = PaperLinearProbe.run(d, source, o, s.device(), progress);
                    r.put("epochs", o.epochs());
                    r.put("crop", o.crop());
                    m.put(
                            "top1",
                            round(ClassificationMetrics.topK(scores, d.val().labels(), 1)));
                    m.put(
                            "top5",
                            round(ClassificationMetrics.topK(scores, d.val().labels(), 5)));
                    r.put("classes", d.classes().size());
                    r.put("trainImages", d.train().files().size());
                    r.put("valImages", d.val().files().size());
                    return r;
                }
                int size = or(s.imageSize(), paper ? 224 : 96);
                EvalImages.Preprocess prep =
                        paper ? EvalImages.resizeCentreCrop(size * 256 / 224, size) : EvalImages.squash(size);
                try (FrozenBackbone fb = new FrozenBackbone(source, s.device(), s.seed())) {
                    train = fb.features(
                            d.train().files(),
                            size,
                            prep,
                            n -> progress.accept("features train " + n + "/"
                                    + d.train().files().size()));
                    val = fb.features(
                            d.val().files(),
                            size,
                            prep,
                            n -> progress.accept(
                                    "features val " + n + "/" + d.val().files().size()));
                }
                r.put("imageSize", size);
                if (task.equals("knn")) {
                    scores = new KnnClassifier(
                                    train, d.train().labels(), d.classes().size(), s.k(), s.temperature())
                            .scores(val);
                    r.put("k", s.k());
                } else {
                    int epochs = or(s.epochs(), 100);
                    LinearProbe probe =
                            new LinearProbe(train[0].length, d.classes().size());
                    probe.train(train, d.train().labels(), epochs, or(s.lr(), 0.1), s.seed());
                    scores = probe.scores(val);
                    r.put("epochs", epochs);
                }
                m.put("top1", round(ClassificationMetrics.topK(scores, d.val().labels(), 1)));
                if (task.equals("linear"))
                    m.put(
                            "top5",
                            round(ClassificationMetrics.topK(scores, d.val().labels(), 5)));
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
