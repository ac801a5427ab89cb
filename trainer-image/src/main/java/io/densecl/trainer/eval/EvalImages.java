package io.densecl.trainer.eval;

import io.densecl.trainer.data.ImageOps;
import io.densecl.trainer.data.RgbImage;

/** Deterministic evaluation preprocessing: resize to a square and ImageNet-normalise, planar CHW. */
final class EvalImages {
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};
    private static final float[][] LUT = ImageOps.normalisation(MEAN, STD);

    private EvalImages() {}

    /** The crop (left, top, side) of {@code image} resized to {@code size}, written into {@code out}. */
    static void normalised(RgbImage image, int left, int top, int cw, int ch, int size, boolean flip, float[] out, int offset) {
        byte[][] img = ImageOps.cropResize(image, left, top, cw, ch, size);
        if (flip) ImageOps.flipHorizontal(img, size, size);
        ImageOps.normalise(img, LUT, out, offset);
    }

    /** Whole image, any size, no resize: [3*h*w]. */
    static float[] whole(RgbImage image) {
        int w = image.width(), h = image.height(), plane = w * h;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) out[c * plane + i] = ((image.rgb()[i * 3 + c] & 0xFF) / 255f - MEAN[c]) / STD[c];
        }
        return out;
    }
}
