package io.densecl.trainer.train;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts the trainer CLI in a child JVM (same class path) so tests can SIGKILL and SIGTERM it for real. */
final class TrainerProcess {
    private TrainerProcess() {}

    static Process start(Path log, String... args) throws IOException {
        return start(log, List.of(), List.of("-Xmx2g"), args);
    }

    /**
     * As {@link #start(Path, String...)} with a command prefix (e.g. {@code setpriv ...}, or {@code bash -c
     * 'ulimit -f N; exec "$0" "$@"'}) and JVM options of the test's choosing.
     */
    static Process start(Path log, List<String> prefix, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.densecl.trainer.cli.TrainerCli");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        String jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
        if (new File(jemalloc).exists()) {
            pb.environment().put("LD_PRELOAD", jemalloc);
            pb.environment().put("MALLOC_CONF", "background_thread:true,dirty_decay_ms:-1,muzzy_decay_ms:-1");
        }
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    /** SIGKILL, as the kubelet does after the grace period or as a node loss looks to the process. */
    static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    static int await(Process p, int seconds) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("trainer did not finish within " + seconds + " s");
        }
        return p.exitValue();
    }
}
