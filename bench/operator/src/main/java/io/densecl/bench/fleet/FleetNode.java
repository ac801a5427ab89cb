package io.densecl.bench.fleet;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A registered fake node (as {@code system:node:NAME}): a Node with a number of pod slots, each with room for a
 * trainer pod of the CRD's default size (8 CPUs, 32 GiB, one {@code nvidia.com/gpu} per slot), Ready, and its Lease renewed every 10 s with a 40 s duration,
 * as a kubelet does, so the node lifecycle controller keeps it Ready. No status updates beyond registration: with
 * leases a kubelet reports an unchanged status only every 5 minutes, longer than a bench run.
 */
final class FleetNode implements AutoCloseable {
    private static final long RENEW_SECONDS = 10;
    private final KubernetesClient client;
    private final String name;
    private final ScheduledExecutorService heartbeat;
    private volatile String uid;

    FleetNode(KubernetesClient nodeClient, String name) {
        this.client = nodeClient;
        this.name = name;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-node-lease-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers the node with {@code pods} pod slots and starts renewing its lease. */
    void register(int pods) {
        String now = Instant.now().toString();
        // a trainer pod asks for 4 CPUs, 16 GiB and one GPU by default (the CRD's defaults): room for that per pod slot
        Map<String, Quantity> capacity = Map.of(
                "cpu",
                new Quantity(Integer.toString(8 * pods)),
                "memory",
                new Quantity(32L * pods + "Gi"),
                "pods",
                new Quantity(Integer.toString(pods)),
                "ephemeral-storage",
                new Quantity("1Ti"),
                "nvidia.com/gpu",
                new Quantity(Integer.toString(pods)));
        List<NodeCondition> conditions = List.of(
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", now),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", now),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", now),
                condition("Ready", "True", "KubeletReady", now));
        uid = client.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(Map.of(
                                "kubernetes.io/hostname",
                                name,
                                "kubernetes.io/os",
                                "linux",
                                "kubernetes.io/arch",
                                "amd64"))
                        .endMetadata()
                        .withNewSpec()
                        .endSpec()
                        .withNewStatus()
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
                        .withArchitecture("amd64")
                        .withOperatingSystem("linux")
                        .withKubeletVersion("v1.37.2")
                        .withContainerRuntimeVersion("densecl-fleet://1")
                        .withOsImage("fleet bench")
                        .withKernelVersion("-")
                        .withMachineID(name)
                        .withSystemUUID(name)
                        .withBootID(name)
                        .withKubeProxyVersion("")
                        .endNodeInfo()
                        .endStatus()
                        .build())
                .create()
                .getMetadata()
                .getUid();
        heartbeat.scheduleWithFixedDelay(this::renewLease, 0, RENEW_SECONDS, TimeUnit.SECONDS);
    }

    String name() {
        return name;
    }

    private void renewLease() {
        try {
            var leases = client.resources(Lease.class).inNamespace("kube-node-lease");
            Lease current = leases.withName(name).get();
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            if (current == null) {
                leases.resource(new LeaseBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .withNamespace("kube-node-lease")
                                .addNewOwnerReference()
                                .withApiVersion("v1")
                                .withKind("Node")
                                .withName(name)
                                .withUid(uid)
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
            System.err.println("fleet node " + name + ": cannot renew its lease: " + e.getMessage());
        }
    }

    private static NodeCondition condition(String type, String status, String reason, String now) {
        return new NodeConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage("fleet bench: " + reason)
                .withLastHeartbeatTime(now)
                .withLastTransitionTime(now)
                .build();
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
    }
}
