package io.densecl.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the reader scripts of {@code src/test/python} with {@code tensorboard} and {@code prometheus-client} from
 * PyPI, in the venv that {@code deploy-tests/install-tools.sh} makes ({@code DENSECL_TRACKING_PYTHON} overrides).
 * With {@code DENSECL_REQUIRE_TENSORBOARD=1} (set by CI) a missing venv fails the test instead of skipping it.
 */
public final class ReaderPython {
    static final Path DEFAULT = Path.of("..", "deploy-tests", ".tools", "tracking-venv", "bin", "python");

    private ReaderPython() {}

    private record Run(int exit, String out) {}

    /** The interpreter, or the test is skipped (or failed, where required) naming what is missing. */
    public static String python() throws Exception {
        String python = System.getenv().getOrDefault("DENSECL_TRACKING_PYTHON", DEFAULT.toString());
        boolean available = Files.isExecutable(Path.of(python))
                && run(python, null, "-c", "import tensorboard, prometheus_client")
                                .exit()
                        == 0;
        String what = python + " with tensorboard and prometheus-client (bash deploy-tests/install-tools.sh makes it)";
        if ("1".equals(System.getenv("DENSECL_REQUIRE_TENSORBOARD"))) {
            assertThat(available).as(what).isTrue();
        }
        Assumptions.assumeTrue(available, "no " + what + "; set DENSECL_REQUIRE_TENSORBOARD=1 to make this a failure");
        return python;
    }

    /** Whether the venv is there (with {@code DENSECL_REQUIRE_TENSORBOARD=1} its absence fails instead). */
    public static boolean available() throws Exception {
        String python = System.getenv().getOrDefault("DENSECL_TRACKING_PYTHON", DEFAULT.toString());
        boolean ok = Files.isExecutable(Path.of(python))
                && run(python, null, "-c", "import tensorboard, prometheus_client")
                                .exit()
                        == 0;
        if (!ok && "1".equals(System.getenv("DENSECL_REQUIRE_TENSORBOARD"))) python(); // fails, naming what is missing
        return ok;
    }

    /** TensorBoard's view of {@code logdir} (see {@code read_tensorboard.py}). */
    public static JsonNode tensorboard(Path logdir) throws Exception {
        return json("read_tensorboard.py", null, logdir.toString());
    }

    /** The Prometheus client's parse of a scrape ({@code format}: text or openmetrics; see {@code parse_metrics.py}). */
    public static JsonNode metrics(byte[] body, String format) throws Exception {
        return json("parse_metrics.py", body, format);
    }

    /** Any reader script of {@code src/test/python} that prints one JSON line last, run by {@code python}. */
    public static JsonNode scriptWith(String python, String script, String... args) throws Exception {
        return json(python, script, null, args);
    }

    /** As {@link #scriptWith} with the venv's interpreter. */
    public static JsonNode script(String script, String... args) throws Exception {
        return json(python(), script, null, args);
    }

    private static JsonNode json(String script, byte[] stdin, String... args) throws Exception {
        return json(python(), script, stdin, args);
    }

    private static JsonNode json(String python, String script, byte[] stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python, "src/test/python/" + script));
        cmd.addAll(List.of(args));
        Run r = run(cmd.get(0), stdin, cmd.subList(1, cmd.size()).toArray(String[]::new));
        assertThat(r.exit()).as(r.out()).isZero();
        String out = r.out().strip();
        return new ObjectMapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
    }

    private static Run run(String python, byte[] stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin);
        }
        byte[] out = p.getInputStream().readAllBytes(); // until the process closes its output
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 120 s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
