package io.densecl.trainer.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.densecl.trainer.data.RgbImage;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.FlatState;
import io.densecl.trainer.model.GradMode;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.model.Layers;
import io.densecl.trainer.model.ParameterLayout;
import io.densecl.trainer.model.ResNet;
import io.densecl.trainer.model.Weights;
import io.densecl.trainer.optim.FlatSgd;
import io.densecl.trainer.util.SplitMix64;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.function.Consumer;

/**
 * Dense evaluation: an FCN head (two 3x3 conv-BN-ReLU layers and a 1x1 classifier on C5, as in the
 * DenseCL paper's protocol) fine-tuned end to end with the backbone, SGD momentum 0.9, weight decay
 * 1e-4, poly learning rate (power 0.9), pixel cross-entropy ignoring label 255; then mIoU on val at
 * full resolution. Output stride 32, or 8 with a dilated backbone.
 */
final class SegmentationFinetune {
    /** Fine-tuning settings. */
    record Options(int epochs, int batchSize, int crop, double lr, int outputStride, int headChannels, long seed) {}

    /** The fitted metrics and the final training loss. */
    record Result(SegmentationMetrics metrics, double finalLoss, long iterations) {}

    private SegmentationFinetune() {}

    static Result run(SegmentationData data, BackboneSource source, Options o, Device device, Consumer<String> progress)
            throws IOException {
        ResNet resnet = ResNet.of(source.arch());
        ParameterLayout layout = new ParameterLayout();
        resnet.declare(layout, Encoder.BACKBONE);
        layout.conv("head.conv1", resnet.outChannels(), o.headChannels(), 3, false);
        layout.batchNorm("head.bn1", o.headChannels());
        layout.conv("head.conv2", o.headChannels(), o.headChannels(), 3, false);
        layout.batchNorm("head.bn2", o.headChannels());
        layout.conv("head.cls", o.headChannels(), data.classes(), 1, true);
        float[] params = Initializer.official(o.seed()).parameters(layout);
        float[] buffers = Initializer.buffers(layout);
        source.fill(layout, params, buffers);
        try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
            FlatState state = new FlatState(layout, m.create(params), m.create(buffers));
            state.params().setRequiresGradient(true);
            FlatSgd sgd = new FlatSgd(state.params(), 0.9, 1e-4);
            int perEpoch = Math.max(1, data.trainIds().size() / o.batchSize());
            long total = (long) perEpoch * o.epochs();
            double loss = Double.NaN;
            for (long it = 0; it < total; it++) {
                double lr = o.lr() * Math.pow(1 - (double) it / total, 0.9);
                loss = trainStep(m, state, sgd, resnet, data, o, it, lr);
                if (it % 10 == 0 || it + 1 == total) {
                    progress.accept(String.format(
                            java.util.Locale.ROOT,
                            "segmentation fine-tune iter %d/%d loss %.4f lr %.5f",
                            it + 1,
                            total,
                            loss,
                            lr));
                }
            }
            SegmentationMetrics metrics = new SegmentationMetrics(data.classes());
            for (String id : data.valIds()) {
                SegmentationData.Sample s = data.load(id);
                metrics.add(s.labels(), predict(m, state, resnet, o, s.image()));
            }
            return new Result(metrics, loss, total);
        }
    }

    private static double trainStep(
            NDManager m,
            FlatState state,
            FlatSgd sgd,
            ResNet resnet,
            SegmentationData data,
            Options o,
            long it,
            double lr)
            throws IOException {
        int n = o.batchSize();
        int c = o.crop();
        float[] x = new float[n * 3 * c * c];
        long[] y = new long[n * c * c];
        int perEpoch = Math.max(1, data.trainIds().size() / n);
        int epoch = (int) (it / perEpoch);
        int[] order =
                SplitMix64.of(o.seed(), epoch, 77).permutation(data.trainIds().size());
        for (int i = 0; i < n; i++) {
            int pos = (int) ((it % perEpoch) * n + i) % order.length;
            SegmentationData.Sample s = data.load(data.trainIds().get(order[pos]));
            SplitMix64 rng = SplitMix64.of(o.seed(), it, i);
            randomCrop(s, rng, c, x, i * 3 * c * c, y, i * c * c);
        }
        try (NDScope ignored = new NDScope()) {
            NDArray loss;
            try (GradMode g = GradMode.on()) {
                NDArray in = m.create(FloatBuffer.wrap(x), new Shape(n, 3, c, c));
                NDArray labels = m.create(LongBuffer.wrap(y), new Shape(n, c, c));
                NDArray logits = forward(state.trainingWeights(), resnet, in, true, o.outputStride(), c, c);
                loss = crossEntropyIgnoring(logits, labels);
                JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
            }
            NDArray grad = state.params().getGradient();
            sgd.step(state.params(), grad, lr);
            JniUtils.zeroGrad((PtNDArray) state.params());
            return loss.getFloat();
        }
    }

    /** Backbone -> FCN head -> logits bilinearly upsampled to h x w. */
    static NDArray forward(Weights w, ResNet resnet, NDArray in, boolean train, int outputStride, int h, int wd) {
        NDArray f = resnet.forward(w, Encoder.BACKBONE, in, train, outputStride);
        f = Layers.convBn(w, "head.conv1", "head.bn1", f, 1, 1, train, true);
        f = Layers.convBn(w, "head.conv2", "head.bn2", f, 1, 1, train, true);
        NDArray logits = Layers.conv(w, "head.cls", f, 1, 0, true);
        return logits.getNDArrayInternal().interpolation(new long[] {h, wd}, 1, false);
    }

    /** Mean pixel cross-entropy over labels != 255. */
    static NDArray crossEntropyIgnoring(NDArray logits, NDArray labels) {
        NDArray valid = labels.neq(SegmentationMetrics.IGNORE);
        NDArray safe = labels.mul(valid.toType(DataType.INT64, false));
        NDArray picked = logits.logSoftmax(1).gather(safe.expandDims(1), 1).squeeze(1);
        NDArray v = valid.toType(DataType.FLOAT32, false);
        return picked.mul(v).sum().neg().div(v.sum().maximum(1f));
    }

    private static int[] predict(NDManager m, FlatState state, ResNet resnet, Options o, RgbImage img) {
        try (NDScope ignored = new NDScope();
                GradMode g = GradMode.off()) {
            NDArray in = m.create(FloatBuffer.wrap(EvalImages.whole(img)), new Shape(1, 3, img.height(), img.width()));
            NDArray logits =
                    forward(state.cachedWeights(), resnet, in, false, o.outputStride(), img.height(), img.width());
            long[] pred = logits.argMax(1).toLongArray();
            int[] out = new int[pred.length];
            for (int i = 0; i < pred.length; i++) out[i] = (int) pred[i];
            return out;
        }
    }

    /** A random square crop (side 50-100% of the short side), resized to c x c, flipped with p=0.5. */
    static void randomCrop(SegmentationData.Sample s, SplitMix64 rng, int c, float[] x, int xOff, long[] y, int yOff) {
        int w = s.image().width(), h = s.image().height();
        int side = Math.max(1, (int) Math.round(Math.min(w, h) * rng.uniform(0.5, 1.0)));
        int left = rng.nextInt(w - side + 1), top = rng.nextInt(h - side + 1);
        boolean flip = rng.bernoulli(0.5);
        EvalImages.normalised(s.image(), left, top, side, side, c, flip, x, xOff);
        for (int yy = 0; yy < c; yy++) {
            for (int xx = 0; xx < c; xx++) {
                int sx = left + Math.min(side - 1, (int) ((xx + 0.5) * side / c)); // nearest neighbour for labels
                int sy = top + Math.min(side - 1, (int) ((yy + 0.5) * side / c));
                int dx = flip ? c - 1 - xx : xx;
                y[yOff + yy * c + dx] = s.labels()[sy * w + sx];
            }
        }
    }
}
