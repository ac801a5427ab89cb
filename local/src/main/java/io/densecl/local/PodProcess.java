package io.densecl.local;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One pod's single container run as a local process: command, args and env from the pod spec, volumes
 * mapped to local directories (PVCs shared by claim name, config maps materialised, emptyDirs per pod),
 * the pod IP handed to the trainer as its bind address, and the termination log as a file.
 */
final class PodProcess {
    private final Pod pod;
    private final Path dir;
    private final String ip;
    private final Path terminationLog;
    private final Path log;
    private Process process;
    private final java.util.concurrent.atomic.AtomicBoolean terminating =
            new java.util.concurrent.atomic.AtomicBoolean();

    PodProcess(Pod pod, Path podDir, String ip) {
        this.pod = pod;
        this.dir = podDir;
        this.ip = ip;
        this.terminationLog = podDir.resolve("termination-log");
        this.log = podDir.resolve("container.log");
    }

    String ip() {
        return ip;
    }

    Path log() {
        return log;
    }

    Process process() {
        return process;
    }

    /** Materialises volumes and starts the container's process. */
    void start(KubernetesClient client, LocalLayout layout) throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(terminationLog);
        Container c = pod.getSpec().getContainers().get(0);
        String ns = pod.getMetadata().getNamespace();
        PathMapper paths = new PathMapper();
        paths.keepLocal(layout.state());
        paths.map(
                c.getTerminationMessagePath() == null ? "/dev/termination-log" : c.getTerminationMessagePath(),
                terminationLog);
        List<Runnable> configMaps = new ArrayList<>();
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = pod.getSpec().getVolumes().stream()
                    .filter(x -> x.getName().equals(m.getName()))
                    .findFirst()
                    .orElseThrow(() -> new IOException("volume " + m.getName() + " is not defined"));
            Path local;
            if (v.getPersistentVolumeClaim() != null) {
                local = claimDirectory(
                        client, layout, ns, v.getPersistentVolumeClaim().getClaimName());
            } else if (v.getConfigMap() != null) {
                local = dir.resolve("configmaps").resolve(v.getConfigMap().getName());
                String cmName = v.getConfigMap().getName();
                Path target = local;
                configMaps.add(() -> materialise(client, ns, cmName, target, paths));
            } else {
                local = dir.resolve("volumes").resolve(v.getName());
            }
            Files.createDirectories(local);
            paths.map(m.getMountPath(), local);
        }
        configMaps.forEach(Runnable::run);
        List<String> cmd = new ArrayList<>();
        List<String> declared = new ArrayList<>(c.getCommand() == null ? List.of() : c.getCommand());
        if (c.getArgs() != null) declared.addAll(c.getArgs());
        for (int i = 0; i < declared.size(); i++) {
            String arg = declared.get(i);
            cmd.add(
                    i == 0 && arg.equals("densecl-trainer")
                            ? layout.trainerLauncher().toString()
                            : paths.rewrite(arg));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        if (c.getEnv() != null) {
            for (EnvVar e : c.getEnv()) {
                if (e.getValue() != null) env.put(e.getName(), paths.rewrite(e.getValue()));
            }
        }
        // one libtorch extraction shared by every pod, as an image layer would be
        env.put("DJL_CACHE_DIR", layout.djlCache().toString());
        env.put("DENSECL_PROGRESS_HOST", ip);
        env.put("DENSECL_TERMINATION_LOG", terminationLog.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = pb.start();
    }

    /**
     * The directory behind a claim: the hostPath of the PersistentVolume it is bound to (local mode's provisioner
     * makes one per claim under the state directory; a user may bind their own), else the claim's directory.
     */
    private static Path claimDirectory(KubernetesClient client, LocalLayout layout, String ns, String claim)
            throws IOException {
        var pvc = retried(() ->
                client.persistentVolumeClaims().inNamespace(ns).withName(claim).get());
        String volume =
                pvc == null || pvc.getSpec() == null ? null : pvc.getSpec().getVolumeName();
        if (volume != null && !volume.isBlank()) {
            var pv = retried(() -> client.persistentVolumes().withName(volume).get());
            if (pv != null && pv.getSpec().getHostPath() != null) {
                return Files.createDirectories(
                        Path.of(pv.getSpec().getHostPath().getPath()));
            }
        }
        return layout.claim(ns, claim);
    }

    /**
     * A read as the node: the Node authorizer learns a pod's claims and config maps from the pod's binding a
     * moment after the scheduler binds it, so the first reads may be refused (403); retried for a few seconds.
     */
    private static <T> T retried(java.util.function.Supplier<T> read) {
        for (int attempt = 0; ; attempt++) {
            try {
                return read.get();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 403 || attempt >= 40) {
                    throw e;
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static void materialise(KubernetesClient client, String ns, String name, Path target, PathMapper paths) {
        ConfigMap cm =
                retried(() -> client.configMaps().inNamespace(ns).withName(name).get());
        if (cm == null || cm.getData() == null) {
            throw new IllegalStateException("config map " + ns + "/" + name + " does not exist");
        }
        try {
            for (Map.Entry<String, String> e : cm.getData().entrySet()) {
                Files.writeString(target.resolve(e.getKey()), paths.rewrite(e.getValue()), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The kubelet's termination message: the file, or the log tail when the file is empty and the container failed. */
    String terminationMessage(int exitCode) {
        try {
            if (Files.exists(terminationLog) && Files.size(terminationLog) > 0) {
                String m = Files.readString(terminationLog);
                return m.length() > 4096 ? m.substring(0, 4096) : m;
            }
            if (exitCode != 0 && Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
                return tail.length() > 2048 ? tail.substring(tail.length() - 2048) : tail;
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** True the first time: the caller starts the graceful termination. */
    boolean markTerminating() {
        return terminating.compareAndSet(false, true);
    }

    /** SIGTERM, then SIGKILL after the grace period (pod deletion). */
    void terminate(long graceSeconds) throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGKILL at once (node loss). */
    void kill() throws InterruptedException {
        if (process == null) return;
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
