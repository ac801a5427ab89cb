package io.densecl.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.trainer.util.SplitMix64;
import org.junit.jupiter.api.Test;

/** The MoCo v2 chain: deterministic per key, correct statistics of its parts, any input size. */
class AugmentTest {

    static RgbImage gradient(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            int o = (y * w + x) * 3;
            rgb[o] = (byte) (x * 255 / Math.max(1, w - 1));
            rgb[o + 1] = (byte) (y * 255 / Math.max(1, h - 1));
            rgb[o + 2] = (byte) 128;
        }
        return new RgbImage(w, h, rgb);
    }

    @Test
    void sameKeySameViewDifferentKeyDifferentView() {
        MocoV2Augment aug = new MocoV2Augment(32);
        RgbImage img = gradient(80, 60);
        float[] a = new float[3 * 32 * 32], b = new float[a.length], c = new float[a.length];
        aug.apply(img, SplitMix64.of(1, 0, 5, 0), a, 0);
        aug.apply(img, SplitMix64.of(1, 0, 5, 0), b, 0);
        aug.apply(img, SplitMix64.of(1, 0, 5, 1), c, 0);
        assertThat(java.util.Arrays.mismatch(a, b)).isEqualTo(-1);
        assertThat(java.util.Arrays.mismatch(a, c)).isNotEqualTo(-1);
    }

    @Test
    void imagesSmallerThanTheCropAreUpscaled() {
        MocoV2Augment aug = new MocoV2Augment(64);
        float[] out = new float[3 * 64 * 64];
        aug.apply(gradient(5, 3), SplitMix64.of(3), out, 0);
        for (float v : out) {
            assertThat(v).isBetween(-2.2f, 2.7f); // (0-mean)/std .. (1-mean)/std
        }
    }

    @Test
    void randomResizedCropStaysInsideTheImageWithBoundedScale() {
        SplitMix64 rng = SplitMix64.of(9);
        for (int i = 0; i < 1000; i++) {
            int[] c = MocoV2Augment.randomResizedCrop(640, 480, rng);
            assertThat(c[0] + c[2]).isLessThanOrEqualTo(640);
            assertThat(c[1] + c[3]).isLessThanOrEqualTo(480);
            double area = (double) c[2] * c[3] / (640 * 480);
            assertThat(area).isBetween(0.19, 1.0);
            double ratio = (double) c[2] / c[3];
            assertThat(ratio).isBetween(0.74, 1.34);
        }
    }

    @Test
    void resizeOfAConstantImageIsConstant() {
        byte[] rgb = new byte[50 * 40 * 3];
        java.util.Arrays.fill(rgb, (byte) 100);
        float[][] out = ImageOps.cropResize(new RgbImage(50, 40, rgb), 5, 5, 40, 30, 16);
        for (float[] ch : out) for (float v : ch) assertThat(v).isEqualTo(100 / 255f, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void colourOpsMatchTorchvisionDefinitions() {
        float[][] img = {{0.2f, 0.9f}, {0.4f, 0.1f}, {0.6f, 0.5f}};
        float[][] copy = {img[0].clone(), img[1].clone(), img[2].clone()};
        ImageOps.hue(copy, 0f);
        for (int c = 0; c < 3; c++) assertThat(copy[c]).containsExactly(img[c], org.assertj.core.data.Offset.offset(1e-6f));
        ImageOps.brightness(copy, 2f);
        assertThat(copy[0][1]).isEqualTo(1f); // clamped
        float[][] g = {img[0].clone(), img[1].clone(), img[2].clone()};
        ImageOps.grayscale(g);
        assertThat(g[0][0]).isEqualTo(0.299f * 0.2f + 0.587f * 0.4f + 0.114f * 0.6f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(g[1][0]).isEqualTo(g[0][0]);
        float[][] s = {img[0].clone(), img[1].clone(), img[2].clone()};
        ImageOps.saturation(s, 0f);
        assertThat(s[2][0]).isEqualTo(g[0][0], org.assertj.core.data.Offset.offset(1e-6f));
        // a hue rotation by half a turn maps pure red to cyan
        float[][] red = {{1f}, {0f}, {0f}};
        ImageOps.hue(red, 0.5f);
        assertThat(new float[] {red[0][0], red[1][0], red[2][0]}).containsExactly(new float[] {0f, 1f, 1f}, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void blurKeepsConstantAndSmoothsEdges() {
        int n = 9;
        float[][] img = new float[3][n * n];
        for (int c = 0; c < 3; c++) for (int i = 0; i < n * n; i++) img[c][i] = (i % n) < 4 ? 0f : 1f;
        ImageOps.gaussianBlur(img, n, 1.5f);
        assertThat(img[0][0]).isLessThan(0.2f);
        assertThat(img[0][4]).isBetween(0.3f, 0.8f);
        float[][] flat = new float[3][n * n];
        for (float[] ch : flat) java.util.Arrays.fill(ch, 0.5f);
        ImageOps.gaussianBlur(flat, n, 2f);
        assertThat(flat[1][40]).isEqualTo(0.5f, org.assertj.core.data.Offset.offset(1e-5f));
    }
}
