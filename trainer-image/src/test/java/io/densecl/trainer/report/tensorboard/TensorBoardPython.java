package io.densecl.trainer.report.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code src/test/python/read_tensorboard.py} with the {@code tensorboard} package from PyPI, in the venv
 * that {@code deploy-tests/install-tools.sh} makes ({@code DENSECL_TENSORBOARD_PYTHON} overrides). With
 * {@code DENSECL_REQUIRE_TENSORBOARD=1} (set by CI) a missing venv fails the test instead of skipping it.
 */
public final class TensorBoardPython {
    static final Path DEFAULT = Path.of("..", "deploy-tests", ".tools", "tensorboard-venv", "bin", "python");

    private TensorBoardPython() {}

    private record Run(int exit, String out) {}

    /** The interpreter, or the test is skipped (or failed, where required) naming what is missing. */
    static String python() throws Exception {
        String python = System.getenv().getOrDefault("DENSECL_TENSORBOARD_PYTHON", DEFAULT.toString());
        boolean available = Files.isExecutable(Path.of(python)) && run(python, "-c", "import tensorboard").exit() == 0;
        String what = python + " with the tensorboard package (bash deploy-tests/install-tools.sh makes it)";
        if ("1".equals(System.getenv("DENSECL_REQUIRE_TENSORBOARD"))) {
            assertThat(available).as(what).isTrue();
        }
        Assumptions.assumeTrue(available, "no " + what + "; set DENSECL_REQUIRE_TENSORBOARD=1 to make this a failure");
        return python;
    }

    /** TensorBoard's view of {@code logdir} (see the script's docstring). */
    public static JsonNode read(Path logdir) throws Exception {
        Run r = run(python(), "src/test/python/read_tensorboard.py", logdir.toString());
        assertThat(r.exit()).as(r.out()).isZero();
        String out = r.out().strip();
        return new ObjectMapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
    }

    private static Run run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes(); // until the process closes its output
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 120 s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
