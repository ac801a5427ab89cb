package io.densecl.controlplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** Writes a kubeconfig for one user of one API server: the server's CA bundle and a bearer token. */
public final class Kubeconfig {

    private Kubeconfig() {}

    /** The kubeconfig text; {@code namespace} is the context's default namespace. */
    public static String render(String server, String caPem, String user, String token, String namespace) {
        String ca = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: densecl
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                contexts:
                - name: densecl
                  context:
                    cluster: densecl
                    user: %s
                    namespace: %s
                current-context: densecl
                users:
                - name: %s
                  user:
                    token: %s
                """.formatted(server, ca, quote(user), namespace, quote(user), token);
    }

    /** Writes the kubeconfig readable by its owner only (it holds a credential). */
    public static Path write(Path file, String server, String caPem, String user, String token, String namespace)
            throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, render(server, caPem, user, token, namespace));
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the default permissions stay
        }
        return file;
    }

    private static String quote(String user) {
        return "\"" + user.replace("\"", "\\\"") + "\"";
    }
}
