package io.densecl.bench.fleet;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The API server under test with what a cluster adds around it (who binds and starts the pods, who binds the claims),
 * how the operator connects to it, and how every client's requests are counted.
 */
interface FleetApi extends AutoCloseable {
    /** Client names in the {@link RequestLog}. */
    String OPERATOR = "operator";

    String BENCH = "bench";
    /** Where the runs, pods and claims live. */
    String NAMESPACE = "fleet";

    String API_VERSION = "densecl.io/v1alpha1";
    String KIND = "DenseCLRun";
    String DATA_CLAIM = "densecl-data";

    /** "real" or "mock". */
    String name();

    /** What serves the API, for the result file. */
    String description();

    /** The bench's own client (creates, watches, lists), an administrator. */
    KubernetesClient client();

    /** The operator's kubeconfig, or null when {@link #operatorEnv} names the server. */
    Path operatorKubeconfig();

    Map<String, String> operatorEnv();

    /** The requests recorded so far (the real server's audit log is read now). */
    RequestLog requests() throws IOException;

    /** The control plane's processes by name; none for the mock (it runs in the bench JVM). */
    Map<String, ProcessProbe> serverProcesses();

    /** The API server's own counters (priority and fairness waits and rejections); empty for the mock. */
    Map<String, Double> serverCounters();

    /** 409s the fake kubelets met writing pod status. */
    int kubeletConflicts();

    @Override
    void close();
}
