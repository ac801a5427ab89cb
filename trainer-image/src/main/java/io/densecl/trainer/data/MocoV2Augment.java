package io.densecl.trainer.data;

import io.densecl.trainer.util.SplitMix64;

/**
 * The MoCo v2 view augmentation used by DenseCL, in order: RandomResizedCrop(size, scale 0.2-1,
 * ratio 3/4-4/3), ColorJitter(0.4, 0.4, 0.4, 0.1) with p=0.8 (random order of the four), RandomGrayscale
 * p=0.2, GaussianBlur sigma~U(0.1, 2) p=0.5, horizontal flip p=0.5, ImageNet mean/std normalisation.
 */
public final class MocoV2Augment {
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};
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
        float[][] img = ImageOps.cropResize(image, crop[0], crop[1], crop[2], crop[3], size);
        if (rng.bernoulli(0.8)) {
            colorJitter(img, rng);
        }
        if (rng.bernoulli(0.2)) {
            ImageOps.grayscale(img);
        }
        if (rng.bernoulli(0.5)) {
            ImageOps.gaussianBlur(img, size, (float) rng.uniform(0.1, 2.0));
        }
        if (rng.bernoulli(0.5)) {
            ImageOps.flipHorizontal(img, size);
        }
        int plane = size * size;
        for (int c = 0; c < 3; c++) {
            float m = MEAN[c];
            float s = STD[c];
            float[] ch = img[c];
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) out[base + i] = (ch[i] - m) / s;
        }
    }

    /** torchvision's RandomResizedCrop.get_params: {left, top, width, height}. */
    static int[] randomResizedCrop(int width, int height, SplitMix64 rng) {
        double area = (double) width * height;
        double logLo = Math.log(3.0 / 4.0);
        double logHi = Math.log(4.0 / 3.0);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * rng.uniform(0.2, 1.0);
            double aspect = Math.exp(rng.uniform(logLo, logHi));
            int w = (int) Math.round(Math.sqrt(target * aspect));
            int h = (int) Math.round(Math.sqrt(target / aspect));
            if (w > 0 && h > 0 && w <= width && h <= height) {
                return new int[] {rng.nextInt(width - w + 1), rng.nextInt(height - h + 1), w, h};
            }
        }
        // fallback: central crop with the ratio clamped into range
        double ratio = (double) width / height;
        int w;
        int h;
        if (ratio < 3.0 / 4.0) {
            w = width;
            h = (int) Math.round(w / (3.0 / 4.0));
        } else if (ratio > 4.0 / 3.0) {
            h = height;
            w = (int) Math.round(h * (4.0 / 3.0));
        } else {
            w = width;
            h = height;
        }
        w = Math.min(w, width);
        h = Math.min(h, height);
        return new int[] {(width - w) / 2, (height - h) / 2, w, h};
    }

    /** Brightness, contrast, saturation and hue with random factors, applied in a random order. */
    static void colorJitter(float[][] img, SplitMix64 rng) {
        int[] order = rng.permutation(4);
        float b = (float) rng.uniform(0.6, 1.4);
        float c = (float) rng.uniform(0.6, 1.4);
        float s = (float) rng.uniform(0.6, 1.4);
        float h = (float) rng.uniform(-0.1, 0.1);
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
