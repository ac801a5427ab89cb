package io.densecl.trainer.eval;

/**
 * Weighted k-nearest-neighbour classification on L2-normalised features (Wu et al. 2018, as used for
 * self-supervised evaluation): the k most cosine-similar training samples vote with weight exp(sim/T).
 */
public final class KnnClassifier {
    private final float[][] bank;
    private final int[] bankLabels;
    private final int classes;
    private final int k;
    private final double temperature;

    public KnnClassifier(float[][] trainFeatures, int[] trainLabels, int classes, int k, double temperature) {
        this.bank = normalise(trainFeatures);
        this.bankLabels = trainLabels;
        this.classes = classes;
        this.k = Math.min(k, trainFeatures.length);
        this.temperature = temperature;
    }

    /** Class scores for each query row. */
    public float[][] scores(float[][] queries) {
        float[][] q = normalise(queries);
        float[][] out = new float[q.length][classes];
        for (int i = 0; i < q.length; i++) {
            double[] sim = new double[bank.length];
            for (int j = 0; j < bank.length; j++) {
                double s = 0;
                for (int d = 0; d < q[i].length; d++) s += q[i][d] * bank[j][d];
                sim[j] = s;
            }
            boolean[] used = new boolean[bank.length];
            for (int n = 0; n < k; n++) {
                int best = -1;
                for (int j = 0; j < bank.length; j++) {
                    if (!used[j] && (best < 0 || sim[j] > sim[best])) best = j;
                }
                used[best] = true;
                out[i][bankLabels[best]] += (float) Math.exp(sim[best] / temperature);
            }
        }
        return out;
    }

    static float[][] normalise(float[][] x) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            double n = 0;
            for (float v : x[i]) n += v * v;
            float inv = (float) (1 / Math.max(Math.sqrt(n), 1e-12));
            out[i] = new float[x[i].length];
            for (int d = 0; d < x[i].length; d++) out[i][d] = x[i][d] * inv;
        }
        return out;
    }
}
