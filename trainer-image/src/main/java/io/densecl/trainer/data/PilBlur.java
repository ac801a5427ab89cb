package io.densecl.trainer.data;

/**
 * PIL's {@code ImageFilter.GaussianBlur(radius=sigma)} on 8-bit planes, to the bit: three passes of
 * an extended box blur per axis (a box of fractional radius whose three-fold convolution has variance
 * sigma^2, after Gwosdek et al. 2011), edge pixels replicated, 24-bit fixed-point weights and a
 * rounding to 8 bits after every pass; horizontal passes first, then vertical ones.
 */
public final class PilBlur {
    private static final int PASSES = 3;

    private PilBlur() {}

    /** Blurs each {@code w x h} plane of {@code img} in place with standard deviation {@code sigma}. */
    public static void gaussian(byte[][] img, int w, int h, double sigma) {
        float radius = boxRadius((float) sigma, PASSES);
        if (radius == 0) return;
        int[] a = new int[w * h];
        int[] b = new int[w * h];
        int[] line = new int[Math.max(w, h)];
        for (byte[] plane : img) {
            for (int i = 0; i < a.length; i++) a[i] = plane[i] & 0xFF;
            for (int y = 0; y < h; y++) { // x passes: a running sum along each row
                for (int i = 0; i < PASSES; i++) blurRow(a, y * w, w, radius, line);
            }
            for (int i = 0; i < PASSES; i++) { // y passes: every column at once (vectorised)
                blurColumns(a, b, w, h, radius);
                int[] t = a;
                a = b;
                b = t;
            }
            for (int i = 0; i < plane.length; i++) plane[i] = (byte) a[i];
        }
    }

    /** One extended-box pass in place along the row {@code p[off .. off+n)} (PIL's ImagingLineBoxBlur8). */
    static void blurRow(int[] p, int off, int n, float floatRadius, int[] in) {
        int radius = (int) floatRadius;
        int ww = (int) (16777216f / (floatRadius * 2 + 1));
        int fw = ((1 << 24) - (radius * 2 + 1) * ww) / 2;
        int last = n - 1;
        int edgeA = Math.min(radius + 1, n);
        System.arraycopy(p, off, in, 0, n);
        int acc = in[0] * (radius + 1);
        for (int x = 0; x < edgeA - 1; x++) acc += in[x];
        acc += in[last] * (radius - edgeA + 1);
        // the window's left end is clamped below lo, its right end (and far pixel) from hi on
        int lo = Math.min(radius + 1, n);
        int hi = Math.max(lo, n - radius - 1);
        for (int x = 0; x < lo; x++) {
            acc += in[Math.min(x + radius, last)] - in[0];
            p[off + x] = (acc * ww + (in[0] + in[Math.min(x + radius + 1, last)]) * fw + (1 << 23)) >>> 24;
        }
        for (int x = lo; x < hi; x++) {
            int sub = x - radius - 1;
            acc += in[x + radius] - in[sub];
            p[off + x] = (acc * ww + (in[sub] + in[x + radius + 1]) * fw + (1 << 23)) >>> 24;
        }
        for (int x = hi; x < n; x++) {
            int sub = x - radius - 1;
            acc += in[last] - in[sub];
            p[off + x] = (acc * ww + (in[sub] + in[last]) * fw + (1 << 23)) >>> 24;
        }
    }

    /** PIL's {@code _gaussian_blur_radius}: the fractional box radius, in PIL's float arithmetic. */
    static float boxRadius(float sigma, int passes) {
        float sigma2 = sigma * sigma / passes;
        float bigL = (float) Math.sqrt(12.0 * sigma2 + 1.0);
        float l = (float) Math.floor((bigL - 1.0) / 2.0);
        float a = (2 * l + 1) * (l * (l + 1) - 3 * sigma2);
        a /= 6 * (sigma2 - (l + 1) * (l + 1));
        return l + a;
    }

    /**
     * One extended-box pass along y of a {@code w x h} plane from {@code in} to {@code out}, every column at
     * once (PIL's {@code ImagingLineBoxBlur8} with the line running down a column; values 0..255). Unsigned
     * 32-bit arithmetic as in PIL: Java's int wraps the same way and {@code >>>} reads it unsigned.
     */
    static void blurColumns(int[] in, int[] out, int w, int h, float floatRadius) {
        int radius = (int) floatRadius;
        int ww = (int) (16777216f / (floatRadius * 2 + 1));
        int fw = ((1 << 24) - (radius * 2 + 1) * ww) / 2;
        int last = h - 1;
        int edgeA = Math.min(radius + 1, h);
        int[] acc = new int[w];
        for (int x = 0; x < w; x++) {
            int a = in[x] * (radius + 1);
            for (int y = 0; y < edgeA - 1; y++) a += in[y * w + x];
            acc[x] = a + in[last * w + x] * (radius - edgeA + 1);
        }
        for (int y = 0; y < h; y++) {
            // rows leaving and entering the window, and the two "far" rows weighted by fw, edges replicated
            int s = Math.max(y - radius - 1, 0) * w;
            int ad = Math.min(y + radius, last) * w;
            int fr = Math.min(y + radius + 1, last) * w;
            int o = y * w;
            for (int x = 0; x < w; x++) {
                int a = acc[x] + in[ad + x] - in[s + x];
                acc[x] = a;
                out[o + x] = (a * ww + (in[s + x] + in[fr + x]) * fw + (1 << 23)) >>> 24;
            }
        }
    }
}
