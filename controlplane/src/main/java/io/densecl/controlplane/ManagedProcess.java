package io.densecl.controlplane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One control-plane component as a child process: output appended to {@code logs/<name>.log}, its pid in
 * {@code pids/<name>.pid}. A JVM killed without running its shutdown hooks leaves its children behind; the
 * next start on the same state directory stops them first ({@link #stopLeftover}), so they cannot hold the
 * data directory or pile up.
 */
final class ManagedProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final Path pidFile;

    private ManagedProcess(String name, Process process, Path log, Path pidFile) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.pidFile = pidFile;
    }

    static ManagedProcess start(String name, Path state, List<String> command) throws IOException {
        Path logs = Files.createDirectories(state.resolve("logs"));
        Path pids = Files.createDirectories(state.resolve("pids"));
        Path log = logs.resolve(name + ".log");
        Path pidFile = pids.resolve(name + ".pid");
        stopLeftover(pidFile, command.get(0));
        Files.writeString(
                log,
                "# " + String.join(" ", command) + "\n",
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Files.writeString(pidFile, Long.toString(p.pid()));
        return new ManagedProcess(name, p, log, pidFile);
    }

    /** Stops a process of an earlier run recorded in {@code pidFile}, if it still runs the same executable. */
    private static void stopLeftover(Path pidFile, String executable) throws IOException {
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).trim());
        } catch (NumberFormatException e) {
            return;
        }
        ProcessHandle.of(pid)
                .filter(h -> h.info().command().map(c -> c.equals(executable)).orElse(false))
                .ifPresent(h -> {
                    h.destroy();
                    try {
                        h.onExit().get(20, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        h.destroyForcibly();
                    }
                });
        Files.deleteIfExists(pidFile);
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The last lines of the log, for error messages. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL after {@code grace}. */
    void stop(Duration grace) {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // a stale pid file is checked against the executable before it is acted on
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(15));
    }

    /** Command-line helper: {@code --flag=value} pairs in order. */
    static List<String> command(Path executable, String... flags) {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable.toString());
        cmd.addAll(List.of(flags));
        return cmd;
    }
}
