package io.densecl.trainer.eval;

import io.densecl.trainer.util.SplitMix64;

/**
 * A linear classifier (softmax regression) trained with mini-batch SGD, momentum 0.9 and a cosine
 * schedule on frozen, pre-extracted features, standardised with the training set's mean and std.
 */
public final class LinearProbe {
    private final int dim;
    private final int classes;
    private final float[][] w;
    private final float[] b;
    private float[] mean;
    private float[] std;

    public LinearProbe(int dim, int classes) {
        this.dim = dim;
        this.classes = classes;
        this.w = new float[classes][dim];
        this.b = new float[classes];
    }

    public void train(float[][] x, int[] y, int epochs, double lr, long seed) {
        mean = new float[dim];
        std = new float[dim];
        for (float[] r : x) for (int d = 0; d < dim; d++) mean[d] += r[d] / x.length;
        for (float[] r : x) for (int d = 0; d < dim; d++) std[d] += (r[d] - mean[d]) * (r[d] - mean[d]) / x.length;
        for (int d = 0; d < dim; d++) std[d] = (float) Math.sqrt(std[d] + 1e-6);
        float[][] xs = standardise(x);
        float[][] vw = new float[classes][dim];
        float[] vb = new float[classes];
        int batch = Math.min(64, x.length);
        int steps = Math.max(1, x.length / batch);
        for (int e = 0; e < epochs; e++) {
            double rate = 0.5 * lr * (1 + Math.cos(Math.PI * e / epochs));
            int[] order = SplitMix64.of(seed, e).permutation(x.length);
            for (int s = 0; s < steps; s++) {
                float[][] gw = new float[classes][dim];
                float[] gb = new float[classes];
                for (int i = s * batch; i < (s + 1) * batch; i++) {
                    int n = order[i];
                    float[] p = softmax(logits(xs[n]));
                    p[y[n]] -= 1;
                    for (int c = 0; c < classes; c++) {
                        gb[c] += p[c] / batch;
                        for (int d = 0; d < dim; d++) gw[c][d] += p[c] * xs[n][d] / batch;
                    }
                }
                for (int c = 0; c < classes; c++) {
                    vb[c] = 0.9f * vb[c] + gb[c];
                    b[c] -= rate * vb[c];
                    for (int d = 0; d < dim; d++) {
                        vw[c][d] = 0.9f * vw[c][d] + gw[c][d] + 1e-4f * w[c][d];
                        w[c][d] -= rate * vw[c][d];
                    }
                }
            }
        }
    }

    public float[][] scores(float[][] x) {
        float[][] xs = standardise(x);
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) out[i] = logits(xs[i]);
        return out;
    }

    private float[] logits(float[] x) {
        float[] z = new float[classes];
        for (int c = 0; c < classes; c++) {
            float s = b[c];
            for (int d = 0; d < dim; d++) s += w[c][d] * x[d];
            z[c] = s;
        }
        return z;
    }

    private float[][] standardise(float[][] x) {
        float[][] out = new float[x.length][dim];
        for (int i = 0; i < x.length; i++) for (int d = 0; d < dim; d++) out[i][d] = (x[i][d] - mean[d]) / std[d];
        return out;
    }

    static float[] softmax(float[] z) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : z) max = Math.max(max, v);
        double sum = 0;
        float[] p = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = (float) Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) p[i] /= sum;
        return p;
    }
}
