package io.densecl.trainer.eval;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.densecl.trainer.data.ImageOps;
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
 * The DenseCL paper's segmentation transfer (the official mmsegmentation fork's
 * {@code fcn_r50-d8_512x512_20k_voc12aug}): backbone dilated to output stride 8, FCN head on C5 (two
 * 3x3 conv-BN-ReLU of 512 channels, the input concatenated back and fused by a third, Dropout2d 0.1,
 * 1x1 classifier), auxiliary FCN head on C4 (one 3x3 conv of 256, loss weight 0.4), fine-tuned end to
 * end for 20k iterations at batch 16 on 512x512 crops (random rescale 0.5-2.0 of (2048, 512), crop with
 * cat_max_ratio 0.75, flip; padding ignored), SGD momentum 0.9, weight decay 5e-4, poly lr 0.01 -> 1e-4
 * (power 0.9); test: rescale to (2048, 512) keeping the ratio, whole-image inference, logits resized
 * back. Not reproduced: PhotoMetricDistortion and synchronised BatchNorm across GPUs.
 */
final class SegmentationPaper {
    /** The protocol's settings; {@link #paper} gives the official ones. The scales follow the crop (2048 = 4 x 512). */
    record Options(
            long iterations,
            int batchSize,
            int crop,
            double lr,
            double minLr,
            double weightDecay,
            int headChannels,
            int auxChannels,
            double auxWeight,
            double dropout,
            long seed) {
        static Options paper(long seed) {
            return new Options(20_000, 16, 512, 0.01, 1e-4, 5e-4, 512, 256, 0.4, 0.1, seed);
        }

        int shortScale() {
            return crop;
        }

        int longScale() {
            return 4 * crop;
        }
    }

    private SegmentationPaper() {}

    /** The parameters of backbone + FCN head + auxiliary head, in declaration order. */
    static ParameterLayout layout(ResNet resnet, int classes, Options o) {
        ParameterLayout l = new ParameterLayout();
        resnet.declare(l, Encoder.BACKBONE);
        int c5 = resnet.outChannels();
        int c4 = c5 / 2;
        l.conv("head.conv1", c5, o.headChannels(), 3, false);
        l.batchNorm("head.bn1", o.headChannels());
        l.conv("head.conv2", o.headChannels(), o.headChannels(), 3, false);
        l.batchNorm("head.bn2", o.headChannels());
        l.conv("head.cat", c5 + o.headChannels(), o.headChannels(), 3, false);
        l.batchNorm("head.bnCat", o.headChannels());
        l.conv("head.cls", o.headChannels(), classes, 1, true);
        l.conv("aux.conv1", c4, o.auxChannels(), 3, false);
        l.batchNorm("aux.bn1", o.auxChannels());
        l.conv("aux.cls", o.auxChannels(), classes, 1, true);
        return l;
    }

    static SegmentationFinetune.Result run(
            SegmentationData data, BackboneSource source, Options o, Device device, Consumer<String> progress)
            throws IOException {
        ResNet resnet = ResNet.of(source.arch());
        ParameterLayout layout = layout(resnet, data.classes(), o);
        float[] params = Initializer.official(o.seed()).parameters(layout);
        for (String cls : new String[] {"head.cls", "aux.cls"}) { // mmseg: normal_init(conv_seg, std=0.01), bias 0
            int off = (int) layout.offset(cls + ".weight");
            Initializer.gaussian(
                    SplitMix64.of(o.seed(), cls.hashCode()),
                    params,
                    off,
                    (int) layout.shape(cls + ".weight").size(),
                    0.01);
            java.util.Arrays.fill(
                    params,
                    (int) layout.offset(cls + ".bias"),
                    (int) (layout.offset(cls + ".bias") + data.classes()),
                    0f);
        }
        float[] buffers = Initializer.buffers(layout);
        source.fill(layout, params, buffers);
        Engine.getEngine("PyTorch").setRandomSeed((int) o.seed()); // Dropout2d masks
        try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
            FlatState state = new FlatState(layout, m.create(params), m.create(buffers));
            state.params().setRequiresGradient(true);
            FlatSgd sgd = new FlatSgd(state.params(), 0.9, o.weightDecay());
            double loss = Double.NaN;
            for (long it = 0; it < o.iterations(); it++) {
                double lr = (o.lr() - o.minLr()) * Math.pow(1 - (double) it / o.iterations(), 0.9) + o.minLr();
                loss = trainStep(m, state, sgd, resnet, data, o, it, lr);
                if (it % 10 == 0 || it + 1 == o.iterations()) {
                    progress.accept(String.format(
                            java.util.Locale.ROOT,
                            "segmentation (paper) iter %d/%d loss %.4f lr %.5f",
                            it + 1,
                            o.iterations(),
                            loss,
                            lr));
                }
            }
            SegmentationMetrics metrics = new SegmentationMetrics(data.classes());
            for (String id : data.valIds()) {
                SegmentationData.Sample s = data.load(id);
                metrics.add(s.labels(), predict(m, state, resnet, o, s.image()));
            }
            return new SegmentationFinetune.Result(metrics, loss, o.iterations());
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
        float[] x = new float[n * 3 * c * c]; // zero = the normalised padding value
        long[] y = new long[n * c * c];
        java.util.Arrays.fill(y, SegmentationMetrics.IGNORE);
        int ids = data.trainIds().size();
        long epoch = it * n / ids;
        int[] order = SplitMix64.of(o.seed(), epoch, 78).permutation(ids);
        for (int i = 0; i < n; i++) {
            SegmentationData.Sample s = data.load(data.trainIds().get(order[(int) ((it * n + i) % ids)]));
            SegmentationCrops.trainSample(s, SplitMix64.of(o.seed(), it, i), o, x, i * 3 * c * c, y, i * c * c);
        }
        try (NDScope ignored = new NDScope()) {
            NDArray total;
            try (GradMode g = GradMode.on()) {
                NDArray in = m.create(FloatBuffer.wrap(x), new Shape(n, 3, c, c));
                NDArray labels = m.create(LongBuffer.wrap(y), new Shape(n, c, c));
                NDArray[] out = forward(state.trainingWeights(), resnet, in, true, o, c, c);
                total = SegmentationFinetune.crossEntropyIgnoring(out[0], labels)
                        .add(SegmentationFinetune.crossEntropyIgnoring(out[1], labels)
                                .mul((float) o.auxWeight()));
                JniUtils.backward((PtNDArray) total, (PtNDArray) total.onesLike(), false, false);
            }
            sgd.step(state.params(), state.params().getGradient(), lr);
            JniUtils.zeroGrad((PtNDArray) state.params());
            return total.getFloat();
        }
    }

    /** {logits of the FCN head, logits of the auxiliary head}, both bilinearly resized to h x w. */
    static NDArray[] forward(Weights w, ResNet resnet, NDArray in, boolean train, Options o, int h, int wd) {
        NDArray[] st = resnet.stages(w, Encoder.BACKBONE, in, train, 8, 1);
        NDArray c5 = st[3];
        NDArray f = Layers.convBn(w, "head.conv1", "head.bn1", c5, 1, 1, train, true);
        f = Layers.convBn(w, "head.conv2", "head.bn2", f, 1, 1, train, true);
        f = Layers.convBn(w, "head.cat", "head.bnCat", NDArrays.concat(new NDList(c5, f), 1), 1, 1, train, true);
        NDArray logits = Layers.conv(w, "head.cls", dropout2d(f, o.dropout(), train), 1, 0, true);
        NDArray a = Layers.convBn(w, "aux.conv1", "aux.bn1", st[2], 1, 1, train, true);
        NDArray aux = Layers.conv(w, "aux.cls", dropout2d(a, o.dropout(), train), 1, 0, true);
        return new NDArray[] {
            logits.getNDArrayInternal().interpolation(new long[] {h, wd}, 1, false),
            aux.getNDArrayInternal().interpolation(new long[] {h, wd}, 1, false)
        };
    }

    /** nn.Dropout2d: whole channels zeroed with probability p, the rest scaled by 1/(1-p). */
    static NDArray dropout2d(NDArray x, double p, boolean train) {
        if (!train || p == 0) return x;
        Shape s = x.getShape();
        NDArray keep = x.getManager()
                .randomUniform(0f, 1f, new Shape(s.get(0), s.get(1), 1, 1))
                .gte((float) p);
        return x.mul(keep.toType(DataType.FLOAT32, false).div((float) (1 - p)));
    }

    private static int[] predict(NDManager m, FlatState state, ResNet resnet, Options o, RgbImage img) {
        int[] size = SegmentationCrops.keepRatio(img.width(), img.height(), o.longScale(), o.shortScale());
        byte[][] r = ImageOps.cropResizeRect(img, 0, 0, img.width(), img.height(), size[0], size[1]);
        float[] x = new float[3 * size[0] * size[1]];
        ImageOps.normalise(r, EvalImages.lut(), x, 0);
        try (NDScope ignored = new NDScope();
                GradMode g = GradMode.off()) {
            NDArray in = m.create(FloatBuffer.wrap(x), new Shape(1, 3, size[1], size[0]));
            NDArray logits = forward(state.cachedWeights(), resnet, in, false, o, img.height(), img.width())[0];
            long[] pred = logits.argMax(1).toLongArray();
            int[] out = new int[pred.length];
            for (int i = 0; i < pred.length; i++) out[i] = (int) pred[i];
            return out;
        }
    }
}
