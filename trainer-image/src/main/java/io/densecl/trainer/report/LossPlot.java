package io.densecl.trainer.report;

import java.util.List;
import java.util.Locale;

/** Renders loss curves ({step, loss, global, dense} rows) as a self-contained SVG line chart. */
final class LossPlot {
    private static final int W = 720;
    private static final int H = 360;
    private static final int PAD = 50;
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c"};
    private static final String[] LABELS = {"loss", "global", "dense"};

    private LossPlot() {}

    static String svg(List<double[]> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                W,
                H));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        sb.append("<text x=\"")
                .append(W / 2)
                .append("\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">DenseCL training loss</text>\n");
        if (rows.isEmpty()) {
            return sb.append("</svg>\n").toString();
        }
        double x0 = rows.get(0)[0], x1 = rows.get(rows.size() - 1)[0];
        double y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (double[] r : rows) {
            for (int i = 1; i < 4; i++) {
                if (Double.isFinite(r[i])) {
                    y0 = Math.min(y0, r[i]);
                    y1 = Math.max(y1, r[i]);
                }
            }
        }
        if (x1 <= x0) x1 = x0 + 1;
        if (y1 <= y0) y1 = y0 + 1;
        sb.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                PAD,
                H - PAD,
                W - PAD,
                H - PAD));
        sb.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                PAD,
                PAD,
                PAD,
                H - PAD));
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step %.0f - %.0f</text>%n",
                W / 2,
                H - 15,
                x0,
                x1));
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"5\" y=\"%d\">%.3f</text><text x=\"5\" y=\"%d\">%.3f</text>%n",
                PAD,
                y1,
                H - PAD,
                y0));
        for (int s = 0; s < 3; s++) {
            sb.append("<polyline fill=\"none\" stroke=\"")
                    .append(COLORS[s])
                    .append("\" stroke-width=\"1.5\" points=\"");
            for (double[] r : rows) {
                double x = PAD + (r[0] - x0) / (x1 - x0) * (W - 2 * PAD);
                double y = H - PAD - (r[s + 1] - y0) / (y1 - y0) * (H - 2 * PAD);
                sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            sb.append("\"/>\n");
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
                    W - PAD - 60,
                    PAD + 15 * s,
                    COLORS[s],
                    LABELS[s]));
        }
        return sb.append("</svg>\n").toString();
    }
}
