package io.densecl.bench.fleet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet benchmark's command line: {@code --api real|mock}, {@code --runs N} and the knobs of the old JUnit bench
 * ({@code --steady-seconds}, {@code --timeout-seconds}, {@code --progress-delay-ms}, {@code --operator-jvm},
 * {@code --operator-env K=V,...}, {@code --trace RUN,RUN}, {@code --stock-dispatcher}), plus {@code --nodes},
 * {@code --node-pods} (pod slots per node; 0: 1.5x the fleet's share, at least 110), {@code --repo} and {@code --out}.
 */
record FleetOptions(
        String api,
        int runs,
        int nodes,
        int nodePods,
        int steadySeconds,
        int timeoutSeconds,
        long progressDelayMs,
        List<String> operatorJvm,
        Map<String, String> operatorEnv,
        String trace,
        boolean stockDispatcher,
        Path repo,
        Path out) {

    static final String USAGE = """
            usage: FleetBench [--api real|mock] [--runs N] [--nodes N] [--node-pods N] [--steady-seconds S] [--timeout-seconds S]
                              [--progress-delay-ms MS] [--operator-jvm "OPTS"] [--operator-env K=V,K=V]
                              [--trace RUN,RUN] [--stock-dispatcher] [--repo DIR] [--out DIR]""";

    /** Parses the arguments; a bad one throws {@link IllegalArgumentException} naming the flag. */
    static FleetOptions parse(String... args) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("--api", "real");
        v.put("--runs", "1000");
        v.put("--nodes", "4");
        v.put("--node-pods", "0");
        v.put("--steady-seconds", "35");
        v.put("--timeout-seconds", "300");
        v.put("--progress-delay-ms", "20");
        v.put("--operator-jvm", "-Xmx256m");
        v.put("--operator-env", "");
        v.put("--trace", "");
        v.put("--repo", ".");
        v.put("--out", "bench/operator/target/bench");
        boolean stock = false;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--stock-dispatcher")) {
                stock = true;
            } else if (!v.containsKey(flag)) {
                throw new IllegalArgumentException("unknown option " + flag);
            } else if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            } else {
                v.put(flag, args[++i]);
            }
        }
        String api = v.get("--api");
        if (!api.equals("real") && !api.equals("mock")) {
            throw new IllegalArgumentException("--api must be real or mock, not '" + api + "'");
        }
        if (stock && api.equals("real")) {
            throw new IllegalArgumentException("--stock-dispatcher applies to --api mock only");
        }
        int nodes = positive(v, "--nodes");
        return new FleetOptions(
                api,
                positive(v, "--runs"),
                nodes,
                (int) nonNegative(v, "--node-pods"),
                positive(v, "--steady-seconds"),
                positive(v, "--timeout-seconds"),
                nonNegative(v, "--progress-delay-ms"),
                List.of(v.get("--operator-jvm").trim().split("\\s+")),
                env(v.get("--operator-env")),
                v.get("--trace"),
                stock,
                Path.of(v.get("--repo")).toAbsolutePath().normalize(),
                Path.of(v.get("--out")).toAbsolutePath().normalize());
    }

    /** The result files' stem: fleet-real-1000. */
    String stem() {
        return "fleet-" + api + "-" + runs;
    }

    private static int positive(Map<String, String> v, String flag) {
        try {
            int n = Integer.parseInt(v.get(flag));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " must be a positive integer, not '" + v.get(flag) + "'");
    }

    private static long nonNegative(Map<String, String> v, String flag) {
        try {
            long n = Long.parseLong(v.get(flag));
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " must be a non-negative integer, not '" + v.get(flag) + "'");
    }

    private static Map<String, String> env(String spec) {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        for (String kv : spec.split(",")) {
            if (kv.isBlank()) {
                continue;
            }
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                bad.add(kv);
            } else {
                env.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("--operator-env takes KEY=value,KEY=value; bad entries: " + bad);
        }
        return env;
    }
}
