package io.densecl.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where local mode keeps things: claims, pods, logs, the shared libtorch cache, and the repo's launchers. */
public record LocalLayout(Path repo, Path state) {
    public Path claim(String namespace, String claim) throws IOException {
        return Files.createDirectories(
                state.resolve("claims").resolve(namespace).resolve(claim));
    }

    Path pods() {
        return state.resolve("pods");
    }

    Path djlCache() {
        return state.resolve("djl-cache");
    }

    Path kubeconfig() {
        return state.resolve("kubeconfig");
    }

    Path trainerLauncher() {
        return repo.resolve("densecl-trainer");
    }

    public Path operatorJar() {
        return repo.resolve("operator/target/quarkus-app/quarkus-run.jar");
    }

    public Path crd() {
        return repo.resolve("crds/denseclruns.densecl.io-v1.yml");
    }
}
