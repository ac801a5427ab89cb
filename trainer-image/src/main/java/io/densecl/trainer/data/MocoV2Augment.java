package io.densecl.trainer.data;

import io.densecl.trainer.util.SplitMix64;

/**
 * The MoCo v2 view augmentation used by DenseCL, in order: RandomResizedCrop(size, scale 0.2-1,
 * ratio 3/4-4/3), ColorJitter(0.4, 0.4, 0.4, 0.1) with p=0.8 (random order of the four), RandomGrayscale
 * p=0.2, GaussianBlur sigma~U(0.1, 2) p=0.5, horizontal flip p=0.5, ImageNet mean/std normalisation.
 * Every op works on 8-bit planes with PIL's arithmetic ({@link ImageOps}), as the official pipeline
 * (torchvision transforms on PIL images) does; only the random draws come from SplitMix64.
 */
public final class MocoV2Augment {
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};
    private static final float[][] LUT = ImageOps.normalisation(MEAN, STD);
    private final int size;

    public MocoV2Augment(int size) {
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** One augmented view, normalised, planar CHW, written into {@code out} at {@code offset}. */
    public void apply(RgbImage image, SplitMix64 rng, float[] out, int offset) {
        int[] crop = randomResizedCrop(image.width(), image.height(), rng);
        byte[][] img = ImageOps.cropResize(image, crop[0], crop[1], crop[2], crop[3], size);
        if (rng.bernoulli(0.8)) {
            colorJitter(img, rng);
        }
        if (rng.bernoulli(0.2)) {
            ImageOps.grayscale(img);
        }
        if (rng.bernoulli(0.5)) {
            ImageOps.gaussianBlur(img, size, rng.uniform(0.1, 2.0));
        }
        if (rng.bernoulli(0.5)) {
            ImageOps.flipHorizontal(img, size, size);
        }
        ImageOps.normalise(img, LUT, out, offset);
    }

    /** torchvision's RandomResizedCrop.get_params with scale (0.2, 1): {left, top, width, height}. */
    static int[] randomResizedCrop(int width, int height, SplitMix64 rng) {
        return randomResizedCrop(width, height, rng, 0.2);
    }

    /** RandomResizedCrop.get_params with scale (minScale, 1), ratio (3/4, 4/3): {left, top, width, height}. */
    public static int[] randomResizedCrop(int width, int height, SplitMix64 rng, double minScale) {
        double area = (double) width * height;
        double logLo = Math.log(3.0 / 4.0);
        double logHi = Math.log(4.0 / 3.0);
        for (int attempt = 0; attempt < 10; attempt++) {
            int[] wh = cropSize(width, height, area * rng.uniform(minScale, 1.0), Math.exp(rng.uniform(logLo, logHi)));
            if (wh != null) {
                return new int[] {rng.nextInt(width - wh[0] + 1), rng.nextInt(height - wh[1] + 1), wh[0], wh[1]};
            }
        }
        int[] wh = fallbackSize(width, height);
        return new int[] {(width - wh[0]) / 2, (height - wh[1]) / 2, wh[0], wh[1]};
    }

    /** One attempt of get_params: {w, h} for a target area and aspect ratio, or null if it does not fit. */
    static int[] cropSize(int width, int height, double targetArea, double aspect) {
        int w = (int) Math.rint(Math.sqrt(targetArea * aspect)); // Python's round(): half to even
        int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
        return w > 0 && h > 0 && w <= width && h <= height ? new int[] {w, h} : null;
    }

    /** get_params' fallback after ten misses: the whole image with its ratio clamped into [3/4, 4/3]. */
    static int[] fallbackSize(int width, int height) {
        double ratio = (double) width / height;
        if (ratio < 3.0 / 4.0) {
            return new int[] {width, (int) Math.rint(width / (3.0 / 4.0))};
        } else if (ratio > 4.0 / 3.0) {
            return new int[] {(int) Math.rint(height * (4.0 / 3.0)), height};
        }
        return new int[] {width, height};
    }

    /** Brightness, contrast, saturation and hue with random factors, applied in a random order. */
    static void colorJitter(byte[][] img, SplitMix64 rng) {
        int[] order = rng.permutation(4);
        double b = rng.uniform(0.6, 1.4);
        double c = rng.uniform(0.6, 1.4);
        double s = rng.uniform(0.6, 1.4);
        double h = rng.uniform(-0.1, 0.1);
        for (int op : order) {
            switch (op) {
                case 0 -> ImageOps.brightness(img, b);
                case 1 -> ImageOps.contrast(img, c);
                case 2 -> ImageOps.saturation(img, s);
                default -> ImageOps.hue(img, h);
            }
        }
    }
}
