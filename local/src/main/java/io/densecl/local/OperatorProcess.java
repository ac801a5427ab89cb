package io.densecl.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real operator (the packaged Quarkus application) as a child process, connected through a kubeconfig. */
final class OperatorProcess implements AutoCloseable {
    private final Process process;

    private OperatorProcess(Process process) {
        this.process = process;
    }

    static OperatorProcess start(LocalLayout layout, Path kubeconfig, int httpPort, Path log) throws IOException {
        return start(layout, kubeconfig, httpPort, log, List.of("-Xmx512m"), Map.of("DENSECL_PROGRESS_INTERVAL", "5s"));
    }

    /** With other JVM options and extra environment (configuration overrides), e.g. for the fleet benchmark. */
    static OperatorProcess start(LocalLayout layout, Path kubeconfig, int httpPort, Path log, List<String> jvmOptions,
            Map<String, String> env) throws IOException {
        if (!Files.isRegularFile(layout.operatorJar())) {
            throw new IOException("operator not built: " + layout.operatorJar() + " (run: mvn -B -pl operator -am package -DskipTests)");
        }
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", layout.operatorJar().toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        if (kubeconfig != null) { // the Fabric8 client reads server, CA bundle and token from it; else env names the server
            pb.environment().put("KUBECONFIG", kubeconfig.toString());
        }
        // the trainer pods' progress port is 8080 on their loopback address: keep the operator's HTTP elsewhere
        pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new OperatorProcess(pb.start());
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
