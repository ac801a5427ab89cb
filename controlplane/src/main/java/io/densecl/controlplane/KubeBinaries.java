package io.densecl.controlplane;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the control plane's binaries are: {@code tools/kube/build.sh} builds them from the Go module proxy
 * into a versioned cache on first use (printing its progress) and prints the directory; later calls return
 * at once. {@code DENSECL_KUBE_BIN} names a directory to use instead (binaries built elsewhere).
 */
public final class KubeBinaries {

    /** The binaries every control plane needs. */
    public static final List<String> NAMES =
            List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl");

    private final Path dir;

    private KubeBinaries(Path dir) {
        this.dir = dir;
    }

    /** The directory of the binaries, building them first if the cache has none. */
    public static KubeBinaries locate() throws IOException {
        String override = System.getenv("DENSECL_KUBE_BIN");
        if (override != null && !override.isBlank()) {
            return verified(Path.of(override));
        }
        Path script = repositoryRoot().resolve("tools/kube/build.sh");
        Process p = new ProcessBuilder("bash", script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String last = null;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                last = line;
            }
        }
        int rc;
        try {
            rc = p.waitFor();
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the control plane", e);
        }
        if (rc != 0 || last == null) {
            throw new IOException(script + " failed with exit code " + rc
                    + " (it needs Go 1.26+ and the Go module proxy; its messages are above)");
        }
        return verified(Path.of(last.trim()));
    }

    /** Whether binaries are available without building (the cache or DENSECL_KUBE_BIN is complete). */
    public static boolean available() {
        try {
            String override = System.getenv("DENSECL_KUBE_BIN");
            if (override != null && !override.isBlank()) {
                verified(Path.of(override));
                return true;
            }
            return Files.isRegularFile(cacheDir().resolve(".complete"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether tests on the real control plane should run: always where {@code DENSECL_REQUIRE_REAL_API=1} (CI;
     * {@link #locate} then builds the binaries or fails loudly), elsewhere only when the binaries exist.
     */
    public static boolean shouldRun() {
        return "1".equals(System.getenv("DENSECL_REQUIRE_REAL_API")) || available();
    }

    /** The cache directory build.sh uses for the pinned versions (it need not exist). */
    static Path cacheDir() throws IOException {
        var versions = new java.util.Properties();
        try (var in = Files.newBufferedReader(repositoryRoot().resolve("tools/kube/versions.env"))) {
            versions.load(in);
        }
        String root = System.getenv("DENSECL_KUBE_CACHE");
        if (root == null || root.isBlank()) {
            String xdg = System.getenv("XDG_CACHE_HOME");
            root = (xdg == null || xdg.isBlank() ? System.getProperty("user.home") + "/.cache" : xdg) + "/densecl/kube";
        }
        return Path.of(
                root, "k8s-" + versions.getProperty("KUBE_VERSION") + "-etcd-" + versions.getProperty("ETCD_VERSION"));
    }

    private static KubeBinaries verified(Path dir) throws IOException {
        for (String name : NAMES) {
            if (!Files.isExecutable(dir.resolve(name))) {
                throw new IOException("no executable " + name + " in " + dir);
            }
        }
        return new KubeBinaries(dir);
    }

    /** The repository root: the nearest directory upwards from the working directory with tools/kube/build.sh. */
    public static Path repositoryRoot() throws IOException {
        String explicit = System.getProperty("densecl.repo");
        if (explicit != null) {
            return Path.of(explicit).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("tools/kube/build.sh"))) {
                return p;
            }
        }
        throw new IOException("cannot find tools/kube/build.sh above "
                + Path.of("").toAbsolutePath() + " (set -Ddensecl.repo=<repository root>)");
    }

    public Path dir() {
        return dir;
    }

    public Path binary(String name) {
        return dir.resolve(name);
    }
}
