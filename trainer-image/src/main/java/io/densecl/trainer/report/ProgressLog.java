package io.densecl.trainer.report;

import io.densecl.contract.Progress;
import java.util.Locale;

/** One human-readable progress line per logged step. */
public final class ProgressLog {
    private ProgressLog() {}

    public static void print(Progress p) {
        System.out.println(String.format(Locale.ROOT,
                "epoch %d/%d step %d/%d loss %.4f (global %.4f dense %.4f) lr %.5f img/s %.1f eta %s skipped %d",
                p.epoch(), p.totalEpochs(), p.step(), p.totalSteps(), p.loss(), p.lossGlobal(), p.lossDense(), p.lr(),
                p.imagesPerSecond(), hms(p.etaSeconds()), p.skippedFiles()));
    }

    static String hms(Long seconds) {
        long s = seconds == null ? 0 : seconds;
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
