package io.densecl.trainer.eval;

/** Top-k accuracy of class scores. */
public final class ClassificationMetrics {
    private ClassificationMetrics() {}

    /** Fraction of rows whose true label is among the k highest scores (ties count against). */
    public static double topK(float[][] scores, int[] labels, int k) {
        int hits = 0;
        for (int i = 0; i < labels.length; i++) {
            float truth = scores[i][labels[i]];
            int better = 0;
            for (int c = 0; c < scores[i].length; c++) {
                if (c != labels[i] && scores[i][c] >= truth) better++;
            }
            if (better < k) hits++;
        }
        return labels.length == 0 ? 0 : (double) hits / labels.length;
    }
}
