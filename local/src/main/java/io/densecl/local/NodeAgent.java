package io.densecl.local;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node half of the local kubelet: registers the {@code Node} (capacity: this machine's CPUs and memory,
 * plus a configurable number of {@code nvidia.com/gpu} so GPU requests schedule), renews its {@code Lease}
 * in {@code kube-node-lease} and reports Ready, as a kubelet does. When it stops heartbeating, the
 * controller-manager's node lifecycle controller marks the node unreachable, taints it and evicts its pods.
 */
final class NodeAgent implements AutoCloseable {

    /** How often the lease is renewed; the node lifecycle controller's grace period must be a few times this. */
    static final Duration LEASE_RENEW = Duration.ofSeconds(2);
    /** How often the Ready condition's heartbeat is refreshed (the lease is the primary signal). */
    static final Duration STATUS_REPORT = Duration.ofSeconds(20);

    private final KubernetesClient client;
    private final String name;
    private final int gpus;
    private final String gpuResource;
    private ScheduledExecutorService heartbeats;

    NodeAgent(KubernetesClient client, String name, int gpus, String gpuResource) {
        this.client = client;
        this.name = name;
        this.gpus = gpus;
        this.gpuResource = gpuResource;
    }

    String name() {
        return name;
    }

    /** Registers (or re-registers after a restart) the node and starts heartbeating. */
    synchronized void start() {
        Node existing = client.nodes().withName(name).get();
        if (existing == null) {
            client.nodes()
                    .resource(new NodeBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .withLabels(labels())
                            .endMetadata()
                            .withNewSpec()
                            .endSpec()
                            .withStatus(status(null).getStatus())
                            .build())
                    .create();
        } else {
            reportStatus();
        }
        heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-heartbeat-" + name);
            t.setDaemon(true);
            return t;
        });
        heartbeats.scheduleWithFixedDelay(this::renewLease, 0, LEASE_RENEW.toMillis(), TimeUnit.MILLISECONDS);
        heartbeats.scheduleWithFixedDelay(
                this::reportStatus, STATUS_REPORT.toMillis(), STATUS_REPORT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops heartbeating (the node is lost as far as the control plane can tell). */
    synchronized void stopHeartbeats() {
        if (heartbeats != null) {
            heartbeats.shutdownNow();
            heartbeats = null;
        }
    }

    private Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("kubernetes.io/hostname", name);
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64");
        return labels;
    }

    private void renewLease() {
        try {
            var leases = client.resources(Lease.class).inNamespace("kube-node-lease");
            Lease current = leases.withName(name).get();
            ZonedDateTime now = ZonedDateTime.now(java.time.ZoneOffset.UTC); // MicroTime in the API
            if (current == null) {
                Node node = client.nodes().withName(name).get();
                leases.resource(new LeaseBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .withNamespace("kube-node-lease")
                                .addNewOwnerReference()
                                .withApiVersion("v1")
                                .withKind("Node")
                                .withName(name)
                                .withUid(node.getMetadata().getUid())
                                .endOwnerReference()
                                .endMetadata()
                                .withNewSpec()
                                .withHolderIdentity(name)
                                .withLeaseDurationSeconds(40)
                                .withRenewTime(now)
                                .endSpec()
                                .build())
                        .create();
            } else {
                current.getSpec().setRenewTime(now);
                leases.resource(current).update();
            }
        } catch (KubernetesClientException e) {
            System.err.println("local kubelet: cannot renew the lease of node " + name + ": " + e.getMessage());
        }
    }

    private void reportStatus() {
        try {
            for (int attempt = 0; attempt < 5; attempt++) {
                Node current = client.nodes().withName(name).get();
                if (current == null) {
                    return;
                }
                Node updated = status(current);
                try {
                    client.nodes().resource(updated).updateStatus();
                    return;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                }
            }
        } catch (KubernetesClientException e) {
            System.err.println("local kubelet: cannot report the status of node " + name + ": " + e.getMessage());
        }
    }

    /** The node with the kubelet-reported status: capacity, addresses, Ready and the pressure conditions. */
    private Node status(Node current) {
        Node node = current == null ? new Node() : current;
        String now = Instant.now().toString();
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        capacity.put("cpu", new Quantity(Integer.toString(Runtime.getRuntime().availableProcessors())));
        capacity.put("memory", new Quantity(Long.toString(physicalMemory())));
        capacity.put("pods", new Quantity("110"));
        capacity.put("ephemeral-storage", new Quantity("100Gi"));
        if (gpus > 0) {
            capacity.put(gpuResource, new Quantity(Integer.toString(gpus)));
        }
        List<NodeCondition> conditions = List.of(
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", now, current),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", now, current),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", now, current),
                condition("Ready", "True", "KubeletReady", now, current));
        var status = new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
                .withCapacity(capacity)
                .withAllocatable(capacity)
                .withConditions(conditions)
                .addNewAddress()
                .withType("InternalIP")
                .withAddress("127.0.0.1")
                .endAddress()
                .addNewAddress()
                .withType("Hostname")
                .withAddress(name)
                .endAddress()
                .withNewNodeInfo()
                .withArchitecture(labels().get("kubernetes.io/arch"))
                .withOperatingSystem("linux")
                .withKubeletVersion("v" + System.getProperty("densecl.kube.version", "1.37.2"))
                .withContainerRuntimeVersion("densecl-local://1")
                .withOsImage(System.getProperty("os.name"))
                .withKernelVersion(System.getProperty("os.version"))
                .withMachineID(name)
                .withSystemUUID(name)
                .withBootID(name)
                .withKubeProxyVersion("")
                .endNodeInfo()
                .build();
        node.setStatus(status);
        return node;
    }

    /** A condition whose lastTransitionTime stays while its status does, as the kubelet reports them. */
    private static NodeCondition condition(String type, String status, String reason, String now, Node current) {
        String since = now;
        if (current != null
                && current.getStatus() != null
                && current.getStatus().getConditions() != null) {
            since = current.getStatus().getConditions().stream()
                    .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                    .map(NodeCondition::getLastTransitionTime)
                    .findFirst()
                    .orElse(now);
        }
        return new NodeConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage("local kubelet: " + reason)
                .withLastHeartbeatTime(now)
                .withLastTransitionTime(since)
                .build();
    }

    private static long physicalMemory() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getTotalMemorySize();
        }
        return 16L << 30;
    }

    @Override
    public void close() {
        stopHeartbeats();
    }
}
