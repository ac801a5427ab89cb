package io.densecl.trainer.data;

/**
 * PIL's {@code Image.resize(size, BILINEAR)} for 8-bit RGB, to the bit: an antialiased triangle filter
 * (support widened by the scale when shrinking) with PIL's tap bounds, coefficients rounded to 22-bit
 * fixed point, a horizontal pass into an 8-bit intermediate, then a vertical pass. torchvision's
 * {@code resized_crop} on a PIL image is exactly crop + this resize.
 */
public final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private PilResize() {}

    /** Crops {@code (left, top, cw, ch)} of {@code src} and resizes it to {@code outW x outH}: planar [3][outW*outH]. */
    public static byte[][] resize(RgbImage src, int left, int top, int cw, int ch, int outW, int outH) {
        Taps fy = new Taps(ch, outH);
        int rowFirst = fy.start[0];
        int rowLast = fy.start[outH - 1] + fy.coeffs[outH - 1].length;
        int rows = rowLast - rowFirst;
        // horizontal pass over the rows the vertical pass reads (PIL skips it when the width is unchanged)
        // the 8-bit intermediate held in ints (values 0..255, as PIL's): int loads keep the vertical pass vectorised
        int[][] tmp = new int[3][rows * outW];
        byte[] rgb = src.rgb();
        int[][] row = new int[3][cw];
        Taps fx = cw == outW ? null : new Taps(cw, outW);
        for (int y = 0; y < rows; y++) {
            int o = ((top + rowFirst + y) * src.width() + left) * 3;
            for (int x = 0; x < cw; x++, o += 3) {
                row[0][x] = rgb[o] & 0xFF;
                row[1][x] = rgb[o + 1] & 0xFF;
                row[2][x] = rgb[o + 2] & 0xFF;
            }
            for (int c = 0; c < 3; c++) {
                int[] in = row[c];
                int[] out = tmp[c];
                int base = y * outW;
                if (fx == null) {
                    System.arraycopy(in, 0, out, base, outW);
                    continue;
                }
                for (int x = 0; x < outW; x++) {
                    int start = fx.start[x];
                    int[] k = fx.coeffs[x];
                    int ss = HALF;
                    for (int t = 0; t < k.length; t++) ss += in[start + t] * k[t];
                    out[base + x] = clip8(ss) & 0xFF;
                }
            }
        }
        byte[][] out = new byte[3][outW * outH];
        if (ch == outH) { // PIL skips the vertical pass too
            for (int c = 0; c < 3; c++) for (int i = 0; i < out[c].length; i++) out[c][i] = (byte) tmp[c][i];
            return out;
        }
        int[] acc = new int[outW];
        for (int c = 0; c < 3; c++) {
            int[] in = tmp[c];
            for (int y = 0; y < outH; y++) {
                int start = fy.start[y] - rowFirst;
                int[] k = fy.coeffs[y];
                java.util.Arrays.fill(acc, HALF);
                // tap-outer, pixel-inner over contiguous rows (the JIT vectorises it); integer sums are exact
                for (int t = 0; t < k.length; t++) {
                    int kt = k[t];
                    int r = (start + t) * outW;
                    for (int x = 0; x < outW; x++) acc[x] += kt * in[r + x];
                }
                int base = y * outW;
                for (int x = 0; x < outW; x++) out[c][base + x] = clip8(acc[x]);
            }
        }
        return out;
    }

    private static byte clip8(int ss) {
        int v = ss >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** PIL's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for the bilinear filter over one axis. */
    static final class Taps {
        final int[] start;
        final int[][] coeffs;

        Taps(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // bilinear support 1.0, scaled
            start = new int[outSize];
            coeffs = new int[outSize][];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double[] w = new double[Math.max(0, xmax)];
                double ww = 0;
                for (int x = 0; x < w.length; x++) {
                    double t = Math.abs((x + xmin - center + 0.5) * ss);
                    w[x] = t < 1.0 ? 1.0 - t : 0.0;
                    ww += w[x];
                }
                int[] k = new int[w.length];
                for (int x = 0; x < w.length; x++) {
                    double v = ww != 0.0 ? w[x] / ww : w[x];
                    k[x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                start[xx] = xmin;
                coeffs[xx] = k;
            }
        }
    }
}
