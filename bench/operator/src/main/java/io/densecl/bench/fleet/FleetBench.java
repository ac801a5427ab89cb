package io.densecl.bench.fleet;

import io.densecl.controlplane.OperatorProcess;
import io.densecl.local.LocalLayout;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fleet benchmark (issues 8, 12): the packaged operator as its own process (JVM options as in a container, default
 * {@code -Xmx256m}) against a real control plane ({@code --api real}: etcd, kube-apiserver, controller-manager,
 * scheduler, fake nodes) or the Fabric8 mock ({@code --api mock}); N DenseCLRuns created at once ({@link FleetRun}).
 * Writes {@code <out>/fleet-<api>-<N>.json}, {@code -requests.txt}, {@code -warnings.txt} and {@code -operator.log};
 * {@code bench/operator/run-fleet-bench.sh} runs it per size and API and prints the table.
 * Exit codes: 0 done, 1 measured but the fleet did not get Running within the timeout, 2 bad arguments,
 * 3 could not set up (operator not built, control plane failed).
 */
public final class FleetBench {
    private FleetBench() {}

    public static void main(String[] args) {
        FleetOptions options;
        try {
            options = FleetOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("fleet bench: " + e.getMessage() + "\n" + FleetOptions.USAGE);
            System.exit(2);
            return;
        }
        int code;
        try {
            code = run(options);
        } catch (IOException e) {
            System.err.println("fleet bench: cannot set up: " + e.getMessage());
            code = 3;
        } catch (Exception e) {
            e.printStackTrace();
            code = 3;
        }
        System.exit(code);
    }

    static int run(FleetOptions o) throws Exception {
        Files.createDirectories(o.out());
        Path log = o.out().resolve(o.stem() + "-operator.log");
        Files.deleteIfExists(log);
        Files.deleteIfExists(o.out().resolve(o.stem() + ".json"));
        Path state = o.out().resolve(o.stem() + "-state");
        delete(state);
        LocalLayout layout = new LocalLayout(o.repo(), state);
        if (!Files.isRegularFile(layout.operatorJar())) {
            throw new IOException("operator not built: " + layout.operatorJar()
                    + " (run: mvn -B -q -pl operator -am package -DskipTests)");
        }
        Map<String, Object> out;
        try (FleetApi api = o.api().equals("real") ? RealFleetApi.start(o, layout) : MockFleetApi.start(o, layout);
                FleetTrainerEndpoint trainers = new FleetTrainerEndpoint(o.progressDelayMs())) {
            int metricsPort = freePort();
            Map<String, String> env = new LinkedHashMap<>(api.operatorEnv());
            env.put("DENSECL_PROGRESS_PORT", Integer.toString(trainers.port()));
            env.putAll(o.operatorEnv());
            OperatorProcess.Builder launch = OperatorProcess.builder(layout.operatorJar())
                    .httpPort(metricsPort)
                    .log(log)
                    .jvmOptions(o.operatorJvm())
                    .env(env);
            if (api.operatorKubeconfig() != null) {
                launch.kubeconfig(api.operatorKubeconfig());
            } else {
                launch.apiServer(env.get("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL"));
            }
            try (OperatorProcess operator = launch.start()) {
                out = new FleetRun(o, api, operator, new OperatorMetricsScrape(metricsPort), trainers, log).measure();
            }
        } finally {
            delete(state);
        }
        String json = Serialization.asJson(out);
        System.out.println("FLEET_BENCH " + json);
        Files.writeString(o.out().resolve(o.stem() + ".json"), json + "\n");
        if (!Boolean.TRUE.equals(out.get("allRunning"))) {
            System.err.println("fleet bench: not every run reported Running within " + o.timeoutSeconds() + " s");
            return 1;
        }
        return 0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }
}
