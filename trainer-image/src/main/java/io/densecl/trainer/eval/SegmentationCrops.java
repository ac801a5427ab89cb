package io.densecl.trainer.eval;

import io.densecl.trainer.data.ImageOps;
import io.densecl.trainer.data.RgbImage;
import io.densecl.trainer.util.SplitMix64;

/**
 * mmsegmentation's VOC training pipeline for {@link SegmentationPaper}: Resize((2048, 512) x U(0.5, 2),
 * keep ratio), RandomCrop(512, cat_max_ratio 0.75), RandomFlip(0.5), Normalize, Pad (image 0, labels 255).
 */
final class SegmentationCrops {
    private static final double CAT_MAX_RATIO = 0.75;

    private SegmentationCrops() {}

    /** mmcv's imrescale size: the largest scale with the long side <= maxLong and the short side <= maxShort. */
    static int[] keepRatio(int w, int h, double maxLong, double maxShort) {
        double f = Math.min(maxLong / Math.max(w, h), maxShort / Math.min(w, h));
        return new int[] {(int) (w * f + 0.5), (int) (h * f + 0.5)};
    }

    /** One augmented training sample into {@code x} (normalised, padded with 0) and {@code y} (padded with 255). */
    static void trainSample(
            SegmentationData.Sample s,
            SplitMix64 rng,
            SegmentationPaper.Options o,
            float[] x,
            int xOff,
            long[] y,
            int yOff) {
        int c = o.crop();
        RgbImage img = s.image();
        double ratio = rng.uniform(0.5, 2.0);
        int[] size = keepRatio(img.width(), img.height(), o.longScale() * ratio, o.shortScale() * ratio);
        int w = Math.max(1, size[0]);
        int h = Math.max(1, size[1]);
        byte[][] im = ImageOps.cropResizeRect(img, 0, 0, img.width(), img.height(), w, h);
        int[] lab = nearest(s.labels(), img.width(), img.height(), w, h);
        int cw = Math.min(c, w);
        int ch = Math.min(c, h);
        int left = 0;
        int top = 0;
        for (int attempt = 0; attempt < 10; attempt++) {
            left = rng.nextInt(w - cw + 1);
            top = rng.nextInt(h - ch + 1);
            if (dominantRatio(lab, w, left, top, cw, ch) < CAT_MAX_RATIO) break;
        }
        boolean flip = rng.bernoulli(0.5);
        float[][] lut = EvalImages.lut();
        int plane = c * c;
        for (int yy = 0; yy < ch; yy++) {
            for (int xx = 0; xx < cw; xx++) {
                int src = (top + yy) * w + left + xx;
                int dx = flip ? cw - 1 - xx : xx;
                int dst = yy * c + dx;
                for (int k = 0; k < 3; k++) x[xOff + k * plane + dst] = lut[k][im[k][src] & 0xFF];
                y[yOff + dst] = lab[src];
            }
        }
    }

    /** Share of the most frequent non-ignored label in the window; 1 when fewer than two labels occur (retry). */
    static double dominantRatio(int[] lab, int w, int left, int top, int cw, int ch) {
        int[] count = new int[256];
        int total = 0;
        for (int yy = 0; yy < ch; yy++) {
            for (int xx = 0; xx < cw; xx++) {
                int v = lab[(top + yy) * w + left + xx];
                if (v != SegmentationMetrics.IGNORE) {
                    count[v]++;
                    total++;
                }
            }
        }
        int max = 0;
        int kinds = 0;
        for (int v : count) {
            max = Math.max(max, v);
            if (v > 0) kinds++;
        }
        return kinds < 2 ? 1.0 : (double) max / total;
    }

    static int[] nearest(int[] labels, int w, int h, int nw, int nh) {
        int[] out = new int[nw * nh];
        for (int yy = 0; yy < nh; yy++) {
            int sy = Math.min(h - 1, (int) ((yy + 0.5) * h / nh));
            for (int xx = 0; xx < nw; xx++)
                out[yy * nw + xx] = labels[sy * w + Math.min(w - 1, (int) ((xx + 0.5) * w / nw))];
        }
        return out;
    }
}
