package io.densecl.trainer.report;

import io.densecl.contract.Progress;
import java.util.Locale;

/** One human-readable progress line per logged step. */
public final class ProgressLog {
    private ProgressLog() {}

    public static void print(Progress p) {
        System.out.println(String.format(
                Locale.ROOT,
                "epoch %d/%d step %d/%d loss %.4f = loss_contra_single %.4f + loss_contra_dense %.4f"
                        + " (unweighted InfoNCE: global %.4f dense %.4f) lr %.5f img/s %.1f eta %s skipped %d",
                p.epoch(),
                p.totalEpochs(),
                p.step(),
                p.totalSteps(),
                p.loss(),
                nan(p.lossContraSingle()),
                nan(p.lossContraDense()),
                p.lossGlobal(),
                p.lossDense(),
                p.lr(),
                p.imagesPerSecond(),
                hms(p.etaSeconds()),
                p.skippedFiles()));
    }

    private static double nan(Double v) {
        return v == null ? Double.NaN : v;
    }

    static String hms(Long seconds) {
        long s = seconds == null ? 0 : seconds;
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
