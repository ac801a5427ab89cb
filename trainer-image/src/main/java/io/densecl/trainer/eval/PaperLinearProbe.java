package io.densecl.trainer.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.densecl.trainer.data.ImageDecoder;
import io.densecl.trainer.data.ImageOps;
import io.densecl.trainer.data.MocoV2Augment;
import io.densecl.trainer.data.RgbImage;
import io.densecl.trainer.model.GradMode;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.optim.FlatSgd;
import io.densecl.trainer.util.SplitMix64;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.function.Consumer;

/**
 * The MoCo/DenseCL linear-classification protocol ({@code main_lincls.py}): frozen backbone with
 * BatchNorm in eval mode, one Linear(C, classes) on the pooled C5 (init N(0, 0.01), bias 0), SGD lr 30,
 * momentum 0.9, no weight decay, batch 256, 100 epochs with the lr x0.1 at epochs 60 and 80; training
 * views RandomResizedCrop(224) (scale 0.08-1) + horizontal flip, fresh every epoch; validation
 * Resize(256) + CenterCrop(224).
 */
final class PaperLinearProbe {
    /** The protocol's settings (paper: 100, 256, 30.0, {60, 80}, 224, 256). */
    record Options(int epochs, int batchSize, double lr, int[] milestones, int crop, int resize, long seed) {
        static Options paper(long seed) {
            return new Options(100, 256, 30.0, new int[] {60, 80}, 224, 256, seed);
        }
    }

    private PaperLinearProbe() {}

    /** Class scores [val][classes] after training. */
    static float[][] run(
            ClassificationData d, BackboneSource source, Options o, Device device, Consumer<String> progress)
            throws IOException {
        int classes = d.classes().size();
        try (FrozenBackbone fb = new FrozenBackbone(source, device, o.seed())) {
            NDManager m = fb.manager();
            int c = fb.channels();
            float[] init = new float[classes * c + classes];
            Initializer.gaussian(SplitMix64.of(o.seed(), 0x11AE), init, 0, classes * c, 0.01);
            NDArray fc = m.create(init); // [W (classes x C) | b]
            fc.setRequiresGradient(true);
            FlatSgd sgd = new FlatSgd(fc, 0.9, 0.0);
            int n = d.train().files().size();
            int batch = Math.min(o.batchSize(), n);
            int steps = Math.max(1, n / batch); // the last partial batch is dropped (the official loader keeps it)
            for (int e = 0; e < o.epochs(); e++) {
                double lr = o.lr();
                for (int ms : o.milestones()) if (e >= ms) lr *= 0.1;
                int[] order = SplitMix64.of(o.seed(), e, 0x1C).permutation(n);
                double loss = 0;
                for (int s = 0; s < steps; s++) {
                    float[] x = new float[batch * 3 * o.crop() * o.crop()];
                    long[] y = new long[batch];
                    for (int i = 0; i < batch; i++) {
                        int idx = order[s * batch + i];
                        trainView(
                                ImageDecoder.decode(d.train().files().get(idx)),
                                SplitMix64.of(o.seed(), e, idx),
                                o.crop(),
                                x,
                                i * 3 * o.crop() * o.crop());
                        y[i] = d.train().labels()[idx];
                    }
                    try (NDScope ignored = new NDScope()) {
                        NDArray feats =
                                fb.pooled(m.create(FloatBuffer.wrap(x), new Shape(batch, 3, o.crop(), o.crop())));
                        NDArray l;
                        try (GradMode g = GradMode.on()) {
                            l = crossEntropy(logits(fc, feats, classes, c), m.create(y));
                            JniUtils.backward((PtNDArray) l, (PtNDArray) l.onesLike(), false, false);
                        }
                        sgd.step(fc, fc.getGradient(), lr);
                        JniUtils.zeroGrad((PtNDArray) fc);
                        if (s + 1 == steps) loss = l.getFloat();
                    }
                }
                progress.accept(String.format(
                        java.util.Locale.ROOT,
                        "linear (paper) epoch %d/%d lr %.4f loss %.4f",
                        e + 1,
                        o.epochs(),
                        lr,
                        loss));
            }
            float[][] val =
                    fb.features(d.val().files(), o.crop(), EvalImages.resizeCentreCrop(o.resize(), o.crop()), k -> {});
            float[][] scores = new float[val.length][];
            try (NDScope ignored = new NDScope();
                    GradMode g = GradMode.off()) {
                float[] flat = new float[val.length * c];
                for (int i = 0; i < val.length; i++) System.arraycopy(val[i], 0, flat, i * c, c);
                float[] z = logits(fc, m.create(flat, new Shape(val.length, c)), classes, c)
                        .toFloatArray();
                for (int i = 0; i < val.length; i++)
                    scores[i] = java.util.Arrays.copyOfRange(z, i * classes, (i + 1) * classes);
            }
            sgd.close();
            return scores;
        }
    }

    /** RandomResizedCrop(crop, scale 0.08-1) + RandomHorizontalFlip + ToTensor + Normalize. */
    static void trainView(RgbImage img, SplitMix64 rng, int crop, float[] out, int offset) {
        int[] box = MocoV2Augment.randomResizedCrop(img.width(), img.height(), rng, 0.08);
        byte[][] v = ImageOps.cropResize(img, box[0], box[1], box[2], box[3], crop);
        if (rng.bernoulli(0.5)) ImageOps.flipHorizontal(v, crop, crop);
        ImageOps.normalise(v, EvalImages.lut(), out, offset);
    }

    private static NDArray logits(NDArray fc, NDArray feats, int classes, int c) {
        NDArray w = fc.get("0:" + (long) classes * c).reshape(classes, c);
        NDArray b = fc.get((long) classes * c + ":");
        return feats.matMul(w.transpose()).add(b);
    }

    private static NDArray crossEntropy(NDArray logits, NDArray labels) {
        return logits.logSoftmax(1).gather(labels.reshape(-1, 1), 1).neg().mean();
    }
}
