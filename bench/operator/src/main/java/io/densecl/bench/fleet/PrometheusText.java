package io.densecl.bench.fleet;

/** Sums of samples in the Prometheus text format (the operator's /q/metrics, the API server's /metrics). */
final class PrometheusText {
    private PrometheusText() {}

    /** The sum of metric {@code name}'s samples whose label set contains every one of {@code labels} ("code=\"429\""). */
    static double sum(String text, String name, String... labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + " ") && !line.startsWith(name + "{")) {
                continue;
            }
            boolean match = true;
            for (String label : labels) {
                match &= line.substring(0, line.lastIndexOf(' ')).contains(label);
            }
            if (match) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
