package io.densecl.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the repository and the external tools (installed by deploy-tests/install-tools.sh) and runs
 * them. A missing tool fails the test when CI=true and skips it (with the install hint) otherwise.
 */
final class Tools {
    private Tools() {}

    static final String INSTALL_HINT = "run: bash deploy-tests/install-tools.sh";

    static Path repoRoot() {
        String prop = System.getProperty("densecl.repo.root");
        Path start = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath();
        Path p = start.toAbsolutePath().normalize();
        while (p != null && !Files.isDirectory(p.resolve("helm/densecl-operator"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("repository root not found above " + start);
        }
        return p;
    }

    static Path chartDir() {
        return repoRoot().resolve("helm/densecl-operator");
    }

    static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Fails under CI, skips locally: used when a tool is missing. */
    static void missing(String what) {
        String msg = what + " is missing; " + INSTALL_HINT;
        if (ci()) {
            fail(msg + " (CI=true: a missing tool is a failure, not a skip)");
        }
        Assumptions.abort(msg);
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static Path helm() {
        Path cached = repoRoot().resolve("deploy-tests/.tools/helm/helm");
        if (Files.isExecutable(cached)) {
            return cached;
        }
        Optional<Path> p = onPath("helm");
        if (p.isEmpty()) {
            missing("helm (deploy-tests/.tools/helm/helm or helm on PATH)");
        }
        return p.get();
    }

    static Path tool(String name) {
        Optional<Path> p = onPath(name);
        if (p.isEmpty()) {
            missing(name);
        }
        return p.get();
    }

    static Path kubernetesModels() {
        Path dir = repoRoot().resolve("deploy-tests/.node/node_modules/kubernetes-models");
        if (!Files.isRegularFile(dir.resolve("package.json"))) {
            missing("npm package kubernetes-models (deploy-tests/.node)");
        }
        return dir;
    }

    record Result(int exitCode, String stdout, String stderr) {
        Result ok(String what) {
            if (exitCode != 0) {
                fail(what + " exited " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
            }
            return this;
        }
    }

    static Result run(List<String> command, Path workDir, Map<String, String> env) {
        try {
            Path out = Files.createTempFile("deploy-tests", ".out");
            Path err = Files.createTempFile("deploy-tests", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command))
                        .directory(workDir.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().putAll(env);
                Process process = pb.start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail("timed out: " + command);
                }
                return new Result(
                        process.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Result run(List<String> command) {
        return run(command, repoRoot(), Map.of());
    }
}
