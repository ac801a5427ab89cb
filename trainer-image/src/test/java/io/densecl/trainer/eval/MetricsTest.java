package io.densecl.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** Metric computations on hand-made cases. */
class MetricsTest {

    @Test
    void perfectPredictionGivesMiouOne() {
        SegmentationMetrics m = new SegmentationMetrics(3);
        int[] t = {0, 1, 2, 2, 255, 1};
        m.add(t, new int[] {0, 1, 2, 2, 0, 1});
        assertThat(m.meanIou()).isEqualTo(1.0);
        assertThat(m.pixelAccuracy()).isEqualTo(1.0);
    }

    @Test
    void knownConfusionGivesKnownValues() {
        // truth:      0 0 0 0 1 1 2 2
        // prediction: 0 0 1 2 1 1 2 0
        SegmentationMetrics m = new SegmentationMetrics(3);
        m.add(new int[] {0, 0, 0, 0, 1, 1, 2, 2}, new int[] {0, 0, 1, 2, 1, 1, 2, 0});
        double[] iou = m.iou();
        assertThat(iou[0]).isEqualTo(2.0 / 5.0, offset(1e-12)); // TP 2, FN 2, FP 1
        assertThat(iou[1]).isEqualTo(2.0 / 3.0, offset(1e-12)); // TP 2, FN 0, FP 1
        assertThat(iou[2]).isEqualTo(1.0 / 3.0, offset(1e-12)); // TP 1, FN 1, FP 1
        assertThat(m.meanIou()).isEqualTo((0.4 + 2.0 / 3 + 1.0 / 3) / 3, offset(1e-12));
        assertThat(m.pixelAccuracy()).isEqualTo(5.0 / 8.0, offset(1e-12));
    }

    @Test
    void absentClassesDoNotCountAndIgnoredPixelsNeverDo() {
        SegmentationMetrics m = new SegmentationMetrics(4);
        m.add(new int[] {0, 1, 255, 255}, new int[] {0, 0, 3, 3});
        assertThat(m.iou()[2]).isNaN();
        assertThat(m.iou()[3]).isNaN(); // predicted only on ignored pixels
        assertThat(m.meanIou()).isEqualTo((0.5 + 0.0) / 2, offset(1e-12));
    }

    @Test
    void topKAccuracy() {
        float[][] s = {{0.1f, 0.7f, 0.2f}, {0.5f, 0.3f, 0.2f}, {0.2f, 0.3f, 0.5f}};
        int[] y = {1, 1, 0};
        assertThat(ClassificationMetrics.topK(s, y, 1)).isEqualTo(1.0 / 3, offset(1e-12));
        assertThat(ClassificationMetrics.topK(s, y, 2)).isEqualTo(2.0 / 3, offset(1e-12));
        assertThat(ClassificationMetrics.topK(s, y, 3)).isEqualTo(1.0);
    }

    @Test
    void knnVotesWithTemperatureWeightedCosine() {
        float[][] bank = {{1, 0}, {0.9f, 0.1f}, {0, 1}};
        int[] labels = {0, 0, 1};
        KnnClassifier knn = new KnnClassifier(bank, labels, 2, 2, 0.07);
        float[][] s = knn.scores(new float[][] {{10, 1}, {0.1f, 5}});
        assertThat(s[0][0]).isGreaterThan(s[0][1]);
        assertThat(s[1][1]).isGreaterThan(0f);
        // k=2 nearest of (0.1, 5): (0,1) and (0.9,0.1): weight exp(cos/T)
        double c1 = 5 / Math.hypot(0.1, 5);
        assertThat(s[1][1]).isEqualTo((float) Math.exp(c1 / 0.07), offset(1e-2f * (float) Math.exp(c1 / 0.07)));
    }

    @Test
    void linearProbeSeparatesSeparableData() {
        float[][] x = new float[40][];
        int[] y = new int[40];
        for (int i = 0; i < 40; i++) {
            y[i] = i % 2;
            x[i] = new float[] {y[i] == 0 ? -1f - i * 0.01f : 1f + i * 0.01f, (i % 5) * 0.1f};
        }
        LinearProbe p = new LinearProbe(2, 2);
        p.train(x, y, 50, 0.5, 0);
        assertThat(ClassificationMetrics.topK(p.scores(x), y, 1)).isEqualTo(1.0);
    }
}
