package io.densecl.trainer.eval;

import io.densecl.trainer.data.ImageOps;
import io.densecl.trainer.data.RgbImage;

/** Deterministic evaluation preprocessing: resize to a square and ImageNet-normalise, planar CHW. */
public final class EvalImages {
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};
    private static final float[][] LUT = ImageOps.normalisation(MEAN, STD);

    private EvalImages() {}

    /** The crop (left, top, side) of {@code image} resized to {@code size}, written into {@code out}. */
    static void normalised(
            RgbImage image, int left, int top, int cw, int ch, int size, boolean flip, float[] out, int offset) {
        byte[][] img = ImageOps.cropResize(image, left, top, cw, ch, size);
        if (flip) ImageOps.flipHorizontal(img, size, size);
        ImageOps.normalise(img, LUT, out, offset);
    }

    /** The ImageNet ToTensor + Normalize tables. */
    static float[][] lut() {
        return LUT;
    }

    /** Writes one preprocessed image (planar CHW, normalised) into {@code out} at {@code offset}. */
    @FunctionalInterface
    public interface Preprocess {
        void apply(RgbImage image, float[] out, int offset);
    }

    /** The whole image squashed to {@code size x size} (the quick protocol's input). */
    public static Preprocess squash(int size) {
        return (img, out, off) -> normalised(img, 0, 0, img.width(), img.height(), size, false, out, off);
    }

    /**
     * torchvision's {@code Resize(resize)} + {@code CenterCrop(crop)} + ToTensor + Normalize on PIL: the short
     * side to {@code resize} (the long side {@code int(resize * long / short)}), then the centred
     * {@code crop x crop} window ({@code round((side - crop) / 2)}, half to even); an image already
     * {@code crop x crop} is only normalised. Resize 256 / crop 224 is the kNN paper protocol.
     */
    public static Preprocess resizeCentreCrop(int resize, int crop) {
        return (img, out, off) -> {
            int w = img.width();
            int h = img.height();
            if (w == crop && h == crop) {
                byte[][] p = new byte[3][w * h];
                for (int i = 0; i < w * h; i++) for (int c = 0; c < 3; c++) p[c][i] = img.rgb()[i * 3 + c];
                ImageOps.normalise(p, LUT, out, off);
                return;
            }
            // int(requested * long / short) of a Python float division
            int rw = w <= h ? resize : (int) ((double) ((long) resize * w) / h);
            int rh = w <= h ? (int) ((double) ((long) resize * h) / w) : resize;
            if (Math.min(w, h) == resize) { // torchvision returns the image unchanged when the short side fits
                rw = w;
                rh = h;
            }
            byte[][] r = ImageOps.cropResizeRect(img, 0, 0, w, h, rw, rh);
            int top = (int) Math.rint((rh - crop) / 2.0);
            int left = (int) Math.rint((rw - crop) / 2.0);
            byte[][] c = new byte[3][crop * crop];
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 0; y < crop; y++) System.arraycopy(r[ch], (top + y) * rw + left, c[ch], y * crop, crop);
            }
            ImageOps.normalise(c, LUT, out, off);
        };
    }

    /** Whole image, any size, no resize: [3*h*w]. */
    static float[] whole(RgbImage image) {
        int w = image.width(), h = image.height(), plane = w * h;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++)
                out[c * plane + i] = ((image.rgb()[i * 3 + c] & 0xFF) / 255f - MEAN[c]) / STD[c];
        }
        return out;
    }
}
