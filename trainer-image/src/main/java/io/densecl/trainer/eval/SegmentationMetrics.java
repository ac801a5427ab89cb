package io.densecl.trainer.eval;

/**
 * A confusion matrix over classes {@code 0..n-1} (label 255 ignored) and the standard segmentation
 * metrics: per-class IoU = TP / (TP + FP + FN), mIoU over classes that occur in prediction or ground
 * truth, and pixel accuracy over non-ignored pixels.
 */
public final class SegmentationMetrics {
    public static final int IGNORE = 255;
    private final int classes;
    private final long[][] confusion; // [truth][prediction]

    public SegmentationMetrics(int classes) {
        this.classes = classes;
        this.confusion = new long[classes][classes];
    }

    public void add(int[] truth, int[] prediction) {
        if (truth.length != prediction.length) {
            throw new IllegalArgumentException("truth and prediction sizes differ");
        }
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] == IGNORE) continue;
            confusion[truth[i]][prediction[i]]++;
        }
    }

    public double[] iou() {
        double[] iou = new double[classes];
        for (int c = 0; c < classes; c++) {
            long tp = confusion[c][c];
            long fn = 0, fp = 0;
            for (int k = 0; k < classes; k++) {
                if (k == c) continue;
                fn += confusion[c][k];
                fp += confusion[k][c];
            }
            long union = tp + fp + fn;
            iou[c] = union == 0 ? Double.NaN : (double) tp / union;
        }
        return iou;
    }

    /** Mean IoU over classes with a non-empty union (NaN-free mean, as mmseg's nanmean). */
    public double meanIou() {
        double sum = 0;
        int n = 0;
        for (double v : iou()) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    public double pixelAccuracy() {
        long correct = 0, total = 0;
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                total += confusion[t][p];
                if (t == p) correct += confusion[t][p];
            }
        }
        return total == 0 ? 0 : (double) correct / total;
    }

    public long[][] confusion() {
        return confusion;
    }
}
