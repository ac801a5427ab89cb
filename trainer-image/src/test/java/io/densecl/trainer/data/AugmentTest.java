package io.densecl.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.trainer.util.SplitMix64;
import org.junit.jupiter.api.Test;

/** The MoCo v2 chain: deterministic per key, correct statistics of its parts, any input size. */
class AugmentTest {

    static RgbImage gradient(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
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
        byte[][] out = ImageOps.cropResize(new RgbImage(50, 40, rgb), 5, 5, 40, 30, 16);
        for (byte[] ch : out) for (byte v : ch) assertThat(v & 0xFF).isEqualTo(100);
    }

    @Test
    void colourOpsKeepGreyAndTheirIdentityFactors() {
        byte[][] img = {{20, (byte) 230}, {40, 10}, {60, (byte) 128}};
        byte[][] copy = {img[0].clone(), img[1].clone(), img[2].clone()};
        ImageOps.brightness(copy, 1.0); // (hue 0 is not the identity in PIL: the 8-bit HSV round trip; PilParityTest)
        ImageOps.contrast(copy, 1.0);
        ImageOps.saturation(copy, 1.0);
        for (int c = 0; c < 3; c++) assertThat(copy[c]).containsExactly(img[c]);
        ImageOps.brightness(copy, 2.0);
        assertThat(copy[0][1] & 0xFF).isEqualTo(255); // clipped
        byte[][] g = {img[0].clone(), img[1].clone(), img[2].clone()};
        ImageOps.grayscale(g);
        assertThat(g[0][0] & 0xFF).isEqualTo((20 * 19595 + 40 * 38470 + 60 * 7471 + 0x8000) >> 16);
        assertThat(g[1][0]).isEqualTo(g[0][0]);
        byte[][] grey = {{77}, {77}, {77}};
        ImageOps.hue(grey, 0.4);
        assertThat(new int[] {grey[0][0], grey[1][0], grey[2][0]}).containsExactly(77, 77, 77);
    }

    @Test
    void blurKeepsConstantAndSmoothsEdges() {
        int n = 9;
        byte[][] img = new byte[3][n * n];
        for (int c = 0; c < 3; c++) for (int i = 0; i < n * n; i++) img[c][i] = (byte) ((i % n) < 4 ? 0 : 255);
        ImageOps.gaussianBlur(img, n, 1.5);
        assertThat(img[0][0] & 0xFF).isLessThan(50);
        assertThat(img[0][4] & 0xFF).isBetween(75, 205);
        byte[][] flat = new byte[3][n * n];
        for (byte[] ch : flat) java.util.Arrays.fill(ch, (byte) 128);
        ImageOps.gaussianBlur(flat, n, 2.0);
        assertThat(flat[1][40] & 0xFF).isEqualTo(128);
    }

    @Test
    void smallSigmasBlurAsMuchAsPil() {
        // PIL's box radius for sigma: three passes whose variance is sigma^2 (the old kernel gave 0.09 at 0.3)
        for (double sigma : new double[] {0.1, 0.3, 1.0, 2.0}) {
            float r = PilBlur.boxRadius((float) sigma, 3);
            int l = (int) r;
            double a = r - l;
            // variance of one extended box of radius l + a: ((2l+1)(l(l+1)) + 2a(l+1)^2 ... ) / (2r+1)
            double var = (2 * (l * (l + 1) * (2 * l + 1) / 6.0) + 2 * a * (l + 1) * (l + 1)) / (2 * r + 1);
            assertThat(3 * var)
                    .as("variance of three passes, sigma " + sigma)
                    .isCloseTo(sigma * sigma, org.assertj.core.data.Percentage.withPercentage(1));
        }
    }
}
