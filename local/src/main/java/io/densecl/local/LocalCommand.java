package io.densecl.local;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code densecl local FILE...}: runs the operator and its trainer pods on this machine and follows the runs. */
@Command(
        name = "densecl local",
        mixinStandardHelpOptions = true,
        description =
                "Start a real control plane, the operator and a local kubelet node, apply FILEs, follow the runs.")
public final class LocalCommand implements Callable<Integer> {
    @Parameters(description = "YAML files to apply (DenseCLRun, PVC, ...).")
    List<Path> files = new ArrayList<>();

    @Option(names = "--repo", defaultValue = ".", description = "Repository root (launchers, operator jar, CRD).")
    Path repo;

    @Option(
            names = "--state",
            defaultValue = "local-state",
            description = "Claims, pod logs, kubeconfig (default ${DEFAULT-VALUE}).")
    Path state;

    @Option(
            names = "--gpus",
            defaultValue = "0",
            description =
                    "nvidia.com/gpu capacity of each local node, so GPU requests schedule (default ${DEFAULT-VALUE}).")
    int gpus;

    @Option(
            names = "--nodes",
            defaultValue = "1",
            description = "Local nodes to register: local, local-2, ... (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--keep-running", description = "Keep serving after every run ended (for kubectl experiments).")
    boolean keepRunning;

    @Option(names = "--timeout-minutes", defaultValue = "120")
    int timeoutMinutes;

    @Override
    public Integer call() throws Exception {
        LocalCluster cluster = LocalCluster.start(
                repo,
                state,
                new LocalCluster.Options(
                        nodes, gpus, LocalCluster.Options.defaults().nodeMonitorGracePeriod()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("local: stopping pods, operator and API server");
            try {
                cluster.close();
            } catch (Exception e) {
                System.err.println("local: " + e.getMessage());
            }
            stopped.countDown();
        }));
        System.out.println("local: API server " + cluster.apiUrl() + "; try: ./densecl kubectl get dcl (or: "
                + cluster.kubectl() + " --kubeconfig " + cluster.kubeconfig() + " get dcl)");
        List<HasMetadata> runs = new ArrayList<>();
        for (Path f : files) {
            for (HasMetadata m : cluster.apply(f)) {
                System.out.println("local: applied " + m.getKind() + " "
                        + m.getMetadata().getNamespace() + "/" + m.getMetadata().getName());
                if (LocalCluster.KIND.equals(m.getKind())) runs.add(m);
            }
        }
        StatusPrinter printer = new StatusPrinter();
        long deadline = System.nanoTime() + timeoutMinutes * 60_000_000_000L;
        boolean allSucceeded = true;
        while (System.nanoTime() < deadline) {
            boolean allDone = !runs.isEmpty();
            allSucceeded = true;
            for (HasMetadata m : runs) {
                GenericKubernetesResource r = cluster.run(
                        m.getMetadata().getNamespace(), m.getMetadata().getName());
                if (r == null) continue;
                printer.print(r);
                Object phase = StatusPrinter.at(r, "status", "phase");
                allDone &= "Succeeded".equals(phase) || "Failed".equals(phase);
                allSucceeded &= "Succeeded".equals(phase);
            }
            if (!cluster.operatorAlive()) {
                System.err.println("local: the operator exited; see " + state.resolve("operator.log"));
                return 1;
            }
            if (allDone && !keepRunning) break;
            Thread.sleep(2000);
        }
        for (HasMetadata m : runs) {
            GenericKubernetesResource r =
                    cluster.run(m.getMetadata().getNamespace(), m.getMetadata().getName());
            System.out.println("--- final status of " + m.getMetadata().getName());
            System.out.println(cluster.client()
                    .getKubernetesSerialization()
                    .asYaml(r.getAdditionalProperties().get("status")));
        }
        return allSucceeded ? 0 : 1;
    }

    public static void main(String[] args) {
        int rc = new CommandLine(new LocalCommand()).execute(args);
        System.exit(rc);
    }
}
