package io.densecl.trainer.data;

/**
 * Pixel operations of the MoCo v2 augmentation on planar float images ({@code [3][h*w]}, values in
 * [0,1]), written to match torchvision/PIL semantics: antialiased bilinear resize, brightness,
 * contrast, saturation, hue, grayscale (ITU-R 601-2 luma), Gaussian blur and horizontal flip.
 */
public final class ImageOps {
    private ImageOps() {}

    /**
     * Crops {@code (left, top, cw, ch)} from {@code src} and resizes it to {@code size x size} with a
     * triangle filter whose support widens when shrinking (PIL's antialiased bilinear).
     */
    public static float[][] cropResize(RgbImage src, int left, int top, int cw, int ch, int size) {
        // Loops are ordered so that the innermost runs over contiguous memory (the JIT vectorises them);
        // every output still sums its taps in ascending order, so results are bitwise those of the
        // straightforward per-pixel loops.
        float[][] tmp = new float[3][ch * size]; // horizontal pass: ch rows x size cols
        Filter fx = new Filter(0, cw, size);
        float[][] rowf = new float[3][cw];
        byte[] rgb = src.rgb();
        for (int y = 0; y < ch; y++) {
            int o = ((top + y) * src.width() + left) * 3;
            for (int x = 0; x < cw; x++, o += 3) { // each source pixel feeds ~2x scale outputs: convert once
                rowf[0][x] = rgb[o] & 0xFF;
                rowf[1][x] = rgb[o + 1] & 0xFF;
                rowf[2][x] = rgb[o + 2] & 0xFF;
            }
            for (int c = 0; c < 3; c++) {
                float[] in = rowf[c];
                float[] out = tmp[c];
                for (int x = 0; x < size; x++) {
                    int start = fx.start[x];
                    float[] w = fx.weights[x];
                    float v = 0;
                    for (int k = 0; k < w.length; k++) {
                        v += w[k] * in[start + k];
                    }
                    out[y * size + x] = v;
                }
            }
        }
        float[][] out = new float[3][size * size];
        Filter fy = new Filter(0, ch, size);
        float[] acc = new float[size];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                int start = fy.start[y];
                float[] w = fy.weights[y];
                java.util.Arrays.fill(acc, 0f);
                for (int k = 0; k < w.length; k++) {
                    float wk = w[k];
                    int r = (start + k) * size;
                    for (int x = 0; x < size; x++) {
                        acc[x] += wk * tmp[c][r + x];
                    }
                }
                for (int x = 0; x < size; x++) {
                    out[c][y * size + x] = clamp01(Math.round(acc[x]) / 255f); // PIL rounds to uint8
                }
            }
        }
        return out;
    }

    /** Per-output-pixel triangle-filter taps over one axis. */
    private static final class Filter {
        final int[] start;
        final float[][] weights;

        Filter(int offset, int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double support = Math.max(scale, 1.0); // bilinear support 1, widened for antialiasing
            start = new int[outSize];
            weights = new float[outSize][];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(center - support));
                int hi = Math.min(inSize, (int) Math.ceil(center + support));
                float[] w = new float[Math.max(1, hi - lo)];
                double sum = 0;
                for (int k = 0; k < hi - lo; k++) {
                    double t = Math.abs((lo + k + 0.5 - center) / support);
                    w[k] = (float) Math.max(0, 1 - t);
                    sum += w[k];
                }
                if (sum <= 0) {
                    w[0] = 1;
                    sum = 1;
                }
                for (int k = 0; k < w.length; k++) w[k] /= sum;
                start[i] = offset + lo;
                weights[i] = w;
            }
        }
    }

    public static void brightness(float[][] img, float factor) {
        for (float[] ch : img) for (int i = 0; i < ch.length; i++) ch[i] = clamp01(ch[i] * factor);
    }

    /** Blend with the mean luma of the whole image (torchvision adjust_contrast). */
    public static void contrast(float[][] img, float factor) {
        float[] gray = luma(img);
        double mean = 0;
        for (float v : gray) mean += v;
        float m = (float) (mean / gray.length);
        for (float[] ch : img) for (int i = 0; i < ch.length; i++) ch[i] = clamp01(factor * ch[i] + (1 - factor) * m);
    }

    /** Blend with the per-pixel luma (torchvision adjust_saturation). */
    public static void saturation(float[][] img, float factor) {
        float[] gray = luma(img);
        for (float[] ch : img) for (int i = 0; i < ch.length; i++) ch[i] = clamp01(factor * ch[i] + (1 - factor) * gray[i]);
    }

    /** Rotates hue by {@code shift} turns (in [-0.5, 0.5]) in HSV space (torchvision adjust_hue). */
    public static void hue(float[][] img, float shift) {
        float[] r = img[0], g = img[1], b = img[2];
        for (int i = 0; i < r.length; i++) {
            float max = Math.max(r[i], Math.max(g[i], b[i]));
            float min = Math.min(r[i], Math.min(g[i], b[i]));
            float d = max - min;
            float h;
            if (d == 0) {
                continue; // grey pixel: hue rotation leaves it unchanged
            } else if (max == r[i]) {
                h = ((g[i] - b[i]) / d) / 6f;
            } else if (max == g[i]) {
                h = ((b[i] - r[i]) / d + 2) / 6f;
            } else {
                h = ((r[i] - g[i]) / d + 4) / 6f;
            }
            h = h + shift;
            h -= (float) Math.floor(h);
            float s = d / max;
            float v = max;
            float hh = h * 6f;
            int sector = Math.min(5, (int) hh);
            float f = hh - sector;
            float p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
            switch (sector) {
                case 0 -> { r[i] = v; g[i] = t; b[i] = p; }
                case 1 -> { r[i] = q; g[i] = v; b[i] = p; }
                case 2 -> { r[i] = p; g[i] = v; b[i] = t; }
                case 3 -> { r[i] = p; g[i] = q; b[i] = v; }
                case 4 -> { r[i] = t; g[i] = p; b[i] = v; }
                default -> { r[i] = v; g[i] = p; b[i] = q; }
            }
        }
    }

    public static void grayscale(float[][] img) {
        float[] gray = luma(img);
        for (float[] ch : img) System.arraycopy(gray, 0, ch, 0, gray.length);
    }

    /** ITU-R 601-2 luma, as PIL's convert('L'). */
    static float[] luma(float[][] img) {
        float[] gray = new float[img[0].length];
        for (int i = 0; i < gray.length; i++) gray[i] = 0.299f * img[0][i] + 0.587f * img[1][i] + 0.114f * img[2][i];
        return gray;
    }

    /** Separable Gaussian blur with standard deviation {@code sigma} pixels, edges replicated. */
    public static void gaussianBlur(float[][] img, int size, float sigma) {
        int radius = Math.max(1, (int) Math.ceil(3 * sigma));
        float[] k = new float[2 * radius + 1];
        float sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = (float) Math.exp(-(i * i) / (2.0 * sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) k[i] /= sum;
        // tap-outer, pixel-inner loops over contiguous rows (vectorised); each pixel still sums its taps
        // in ascending order, so the result equals the per-pixel formulation bit for bit
        float[] tmp = new float[size * size];
        float[] acc = new float[size];
        for (float[] ch : img) {
            for (int y = 0; y < size; y++) {
                int row = y * size;
                java.util.Arrays.fill(acc, 0f);
                for (int t = -radius; t <= radius; t++) {
                    float kt = k[t + radius];
                    int lo = Math.min(size, Math.max(0, -t)); // x + t < 0 below lo: replicate the first pixel
                    int hi = Math.max(lo, Math.min(size, size - t)); // x + t >= size from hi: the last one
                    for (int x = 0; x < lo; x++) acc[x] += kt * ch[row];
                    for (int x = lo; x < hi; x++) acc[x] += kt * ch[row + x + t];
                    for (int x = hi; x < size; x++) acc[x] += kt * ch[row + size - 1];
                }
                System.arraycopy(acc, 0, tmp, row, size);
            }
            for (int y = 0; y < size; y++) {
                java.util.Arrays.fill(acc, 0f);
                for (int t = -radius; t <= radius; t++) {
                    float kt = k[t + radius];
                    int r = Math.min(size - 1, Math.max(0, y + t)) * size;
                    for (int x = 0; x < size; x++) acc[x] += kt * tmp[r + x];
                }
                System.arraycopy(acc, 0, ch, y * size, size);
            }
        }
    }

    public static void flipHorizontal(float[][] img, int size) {
        for (float[] ch : img) {
            for (int y = 0; y < size; y++) {
                int row = y * size;
                for (int x = 0; x < size / 2; x++) {
                    float t = ch[row + x];
                    ch[row + x] = ch[row + size - 1 - x];
                    ch[row + size - 1 - x] = t;
                }
            }
        }
    }

    static float clamp01(float v) {
        return v < 0 ? 0 : (v > 1 ? 1 : v);
    }
}
