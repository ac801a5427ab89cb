package io.densecl.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real operator (the packaged Quarkus application) as a child process pointed at the local API server. */
final class OperatorProcess implements AutoCloseable {
    private final Process process;

    private OperatorProcess(Process process) {
        this.process = process;
    }

    static OperatorProcess start(LocalLayout layout, String apiUrl, int httpPort, Path log) throws IOException {
        if (!Files.isRegularFile(layout.operatorJar())) {
            throw new IOException("operator not built: " + layout.operatorJar() + " (run: mvn -B -pl operator -am package -DskipTests)");
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", layout.operatorJar().toString()));
        pb.environment().put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", apiUrl);
        pb.environment().put("QUARKUS_KUBERNETES_CLIENT_TRUST_CERTS", "true");
        pb.environment().put("QUARKUS_KUBERNETES_CLIENT_NAMESPACE", "default");
        // the trainer pods' progress port is 8080 on their loopback address: keep the operator's HTTP elsewhere
        pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        pb.environment().put("DENSECL_PROGRESS_INTERVAL", "5s");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new OperatorProcess(pb.start());
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
