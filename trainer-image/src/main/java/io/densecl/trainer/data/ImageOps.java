package io.densecl.trainer.data;

/**
 * Pixel operations of the MoCo v2 augmentation on planar 8-bit images ({@code byte[3][h*w]}), as
 * torchvision computes them on PIL images: every op reads and writes 8-bit values with PIL's own
 * arithmetic (ImageEnhance blends in float with truncation, integer ITU-R 601-2 luma, PIL's HSV
 * conversion, uint8 hue rotation), so each op equals its PIL/torchvision counterpart; resize and blur
 * are {@link PilResize} and {@link PilBlur}. {@link #normalise} is ToTensor + Normalize.
 */
public final class ImageOps {
    private ImageOps() {}

    /** RandomResizedCrop's crop + resize to {@code size x size} (PIL bilinear, antialiased). */
    public static byte[][] cropResize(RgbImage src, int left, int top, int cw, int ch, int size) {
        return PilResize.resize(src, left, top, cw, ch, size, size);
    }

    /** Crop + PIL bilinear resize to {@code outW x outH} (torchvision Resize/resized_crop). */
    public static byte[][] cropResizeRect(RgbImage src, int left, int top, int cw, int ch, int outW, int outH) {
        return PilResize.resize(src, left, top, cw, ch, outW, outH);
    }

    /** {@code ImageEnhance.Brightness}: a blend with black. */
    public static void brightness(byte[][] img, double factor) {
        applyTable(img, blendTable(0, (float) factor));
    }

    /** {@code ImageEnhance.Contrast}: a blend with the rounded mean of the image's luma. */
    public static void contrast(byte[][] img, double factor) {
        float a = (float) factor;
        byte[] r = img[0], g = img[1], b = img[2];
        long sum = 0;
        for (int i = 0; i < r.length; i++) sum += luma(r[i], g[i], b[i]);
        int mean = (int) ((double) sum / r.length + 0.5);
        applyTable(img, blendTable(mean, a));
    }

    /** blend(in1, v, alpha) for every 8-bit v: the degenerate image is one value, so the op is a lookup. */
    private static byte[] blendTable(int in1, float alpha) {
        byte[] t = new byte[256];
        for (int v = 0; v < 256; v++) t[v] = blend(in1, v, alpha);
        return t;
    }

    private static void applyTable(byte[][] img, byte[] t) {
        for (byte[] ch : img) for (int i = 0; i < ch.length; i++) ch[i] = t[ch[i] & 0xFF];
    }

    /** {@code ImageEnhance.Color} (torchvision adjust_saturation): a blend with each pixel's luma. */
    public static void saturation(byte[][] img, double factor) {
        float a = (float) factor;
        byte[] r = img[0], g = img[1], b = img[2];
        for (int i = 0; i < r.length; i++) {
            int l = luma(r[i], g[i], b[i]);
            r[i] = blend(l, r[i] & 0xFF, a);
            g[i] = blend(l, g[i] & 0xFF, a);
            b[i] = blend(l, b[i] & 0xFF, a);
        }
    }

    /**
     * torchvision's adjust_hue on PIL: convert to PIL's 8-bit HSV, add {@code uint8(factor*255)} to H with
     * wrap-around, convert back. {@code factor} in [-0.5, 0.5] (turns).
     */
    public static void hue(byte[][] img, double factor) {
        int shift = ((int) (factor * 255)) & 0xFF; // numpy's uint8 cast: truncate toward zero, wrap
        byte[] r = img[0], g = img[1], b = img[2];
        for (int i = 0; i < r.length; i++) {
            int rr = r[i] & 0xFF, gg = g[i] & 0xFF, bb = b[i] & 0xFF;
            int max = Math.max(rr, Math.max(gg, bb));
            int min = Math.min(rr, Math.min(gg, bb));
            if (max == min) {
                continue; // s = 0: hsv2rgb returns (v, v, v) whatever the hue
            }
            // rgb2hsv_row, in the float/double mix of PIL's C code
            float cr = max - min;
            float s = cr / max;
            float h;
            if (rr == max) {
                h = (max - bb) / cr - (max - gg) / cr;
            } else if (gg == max) {
                h = (float) (2.0 + (max - rr) / cr - (max - bb) / cr);
            } else {
                h = (float) (4.0 + (max - gg) / cr - (max - rr) / cr);
            }
            // fmod(h / 6 + 1, 1): h is in [-1, 5], the argument in [5/6, 11/6], so fmod is one exact subtraction
            double h6 = h / 6.0 + 1.0;
            int uh = Math.min(255, (int) ((float) (h6 >= 1.0 ? h6 - 1.0 : h6) * 255.0));
            int us = Math.min(255, (int) (s * 255.0));
            if (us == 0) { // rounded to grey
                r[i] = g[i] = b[i] = (byte) max;
                continue;
            }
            // hsv2rgb
            int hh = (uh + shift) & 0xFF;
            float fs = HsvTables.FS[us];
            float f = HsvTables.F[hh];
            byte p = (byte) Math.round(max * (1.0 - fs));
            byte q = (byte) Math.round(max * (1.0 - fs * f));
            byte t = (byte) Math.round(max * (1.0 - fs * (1.0 - f)));
            byte vb = (byte) max;
            switch (HsvTables.SECTOR[hh]) {
                case 0 -> {
                    r[i] = vb;
                    g[i] = t;
                    b[i] = p;
                }
                case 1 -> {
                    r[i] = q;
                    g[i] = vb;
                    b[i] = p;
                }
                case 2 -> {
                    r[i] = p;
                    g[i] = vb;
                    b[i] = t;
                }
                case 3 -> {
                    r[i] = p;
                    g[i] = q;
                    b[i] = vb;
                }
                case 4 -> {
                    r[i] = t;
                    g[i] = p;
                    b[i] = vb;
                }
                default -> {
                    r[i] = vb;
                    g[i] = p;
                    b[i] = q;
                }
            }
        }
    }

    /** PIL's hsv2rgb terms that depend on one 8-bit channel only, precomputed in its arithmetic. */
    private static final class HsvTables {
        static final int[] SECTOR = new int[256];
        static final float[] F = new float[256];
        static final float[] FS = new float[256];

        static {
            for (int v = 0; v < 256; v++) {
                int i = (int) Math.floor((float) v * 6.0 / 255.0);
                SECTOR[v] = i % 6;
                F[v] = (float) ((float) v * 6.0 / 255.0 - (float) i);
                FS[v] = (float) (v / 255.0);
            }
        }
    }

    /** RandomGrayscale: PIL's {@code convert('L')} copied into all three channels. */
    public static void grayscale(byte[][] img) {
        byte[] r = img[0], g = img[1], b = img[2];
        for (int i = 0; i < r.length; i++) {
            byte l = (byte) luma(r[i], g[i], b[i]);
            r[i] = l;
            g[i] = l;
            b[i] = l;
        }
    }

    /** PIL's {@code ImageFilter.GaussianBlur(radius=sigma)} on a square image. */
    public static void gaussianBlur(byte[][] img, int size, double sigma) {
        PilBlur.gaussian(img, size, size, sigma);
    }

    /** {@code FLIP_LEFT_RIGHT}. */
    public static void flipHorizontal(byte[][] img, int width, int height) {
        for (byte[] ch : img) {
            for (int y = 0; y < height; y++) {
                int row = y * width;
                for (int x = 0; x < width / 2; x++) {
                    byte t = ch[row + x];
                    ch[row + x] = ch[row + width - 1 - x];
                    ch[row + width - 1 - x] = t;
                }
            }
        }
    }

    /** ToTensor ({@code v / 255f}) then Normalize ({@code (x - mean) / std}) in float32, planar CHW into {@code out}. */
    public static void normalise(byte[][] img, float[][] lut, float[] out, int offset) {
        int plane = img[0].length;
        for (int c = 0; c < 3; c++) {
            float[] l = lut[c];
            byte[] ch = img[c];
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) out[base + i] = l[ch[i] & 0xFF];
        }
    }

    /** The 256-entry tables of {@link #normalise}: {@code ((v / 255f) - mean[c]) / std[c]}. */
    public static float[][] normalisation(float[] mean, float[] std) {
        float[][] lut = new float[3][256];
        for (int c = 0; c < 3; c++) for (int v = 0; v < 256; v++) lut[c][v] = (v / 255f - mean[c]) / std[c];
        return lut;
    }

    /** PIL's {@code L24(rgb) >> 16}: ITU-R 601-2 luma in 16-bit fixed point. */
    static int luma(byte r, byte g, byte b) {
        return ((r & 0xFF) * 19595 + (g & 0xFF) * 38470 + (b & 0xFF) * 7471 + 0x8000) >> 16;
    }

    /** PIL's {@code ImagingBlend}: {@code in1 + alpha*(in2 - in1)} in float, clipped, truncated to 8 bits. */
    static byte blend(int in1, int in2, float alpha) {
        float t = in1 + alpha * (in2 - in1);
        return (byte) (t <= 0f ? 0 : t >= 255f ? 255 : (int) t);
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
