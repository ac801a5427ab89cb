package io.densecl.operator.realapi;

import io.densecl.controlplane.SharedControlPlane;
import io.densecl.operator.loop.FakeKubelet;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One registered Node of the shared control plane, kept alive the way a kubelet keeps its node alive: it
 * registers itself with capacity (CPU, memory, {@code nvidia.com/gpu}), reports Ready, and renews its Lease in
 * {@code kube-node-lease} every 10 s, so the node lifecycle controller never taints it. Its client authenticates
 * as {@code system:node:<name>}: the Node authorizer and NodeRestriction let it write the status of, and delete,
 * only the pods bound to it. Pods are bound to it through the binding subresource (the scheduler's call).
 */
public final class FakeNode implements FakeKubelet.Node {

    private static FakeNode shared;

    private final String name;
    private final KubernetesClient client;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-node-heartbeat");
        t.setDaemon(true);
        return t;
    });

    private FakeNode(String name, KubernetesClient client) {
        this.name = name;
        this.client = client;
    }

    /** The JVM's node ({@link SharedControlPlane#NODE}), registered on first use. */
    public static synchronized FakeNode shared() {
        if (shared == null) {
            String name = SharedControlPlane.NODE;
            KubernetesClient client = RealApi.client(
                    RealApi.controlPlane().identity("system:node:" + name).token());
            shared = new FakeNode(name, client);
            shared.register();
        }
        return shared;
    }

    @Override
    public String name() {
        return name;
    }

    /** The kubelet's own client (system:node:NAME). */
    @Override
    public KubernetesClient client() {
        return client;
    }

    private void register() {
        Map<String, Quantity> capacity = Map.of(
                "cpu",
                new Quantity("8"),
                "memory",
                new Quantity("32Gi"),
                "pods",
                new Quantity("110"),
                "nvidia.com/gpu",
                new Quantity("4"));
        // Registered with its status, as a kubelet does: a node created without Ready gets the not-ready taint at
        // once, and NodeRestriction forbids a node to remove taints itself.
        Node node = new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("kubernetes.io/hostname", name)
                .addToLabels("kubernetes.io/os", "linux")
                .endMetadata()
                .withNewStatus()
                .withCapacity(capacity)
                .withAllocatable(capacity)
                .withConditions(new NodeConditionBuilder()
                        .withType("Ready")
                        .withStatus("True")
                        .withReason("KubeletReady")
                        .withMessage("fake kubelet is posting ready status")
                        .withLastHeartbeatTime(now())
                        .withLastTransitionTime(now())
                        .build())
                .endStatus()
                .build();
        client.nodes().resource(node).create();
        Lease lease = new LeaseBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("kube-node-lease")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity(name)
                .withLeaseDurationSeconds(40)
                .withRenewTime(micro())
                .endSpec()
                .build();
        client.resources(Lease.class)
                .inNamespace("kube-node-lease")
                .resource(lease)
                .create();
        heartbeat.scheduleWithFixedDelay(this::renew, 10, 10, TimeUnit.SECONDS);
    }

    private void renew() {
        try {
            client.resources(Lease.class)
                    .inNamespace("kube-node-lease")
                    .withName(name)
                    .edit(l -> {
                        l.getSpec().setRenewTime(micro());
                        return l;
                    });
        } catch (RuntimeException e) {
            // the next renewal retries; the lease is valid for 40 s
        }
    }

    /** Binds a pod to this node (POST pods/binding), as the scheduler does; the administrator plays the scheduler. */
    @Override
    public void bind(String namespace, String pod) {
        RealApi.admin()
                .bindings()
                .inNamespace(namespace)
                .resource(new BindingBuilder()
                        .withNewMetadata()
                        .withName(pod)
                        .withNamespace(namespace)
                        .endMetadata()
                        .withNewTarget()
                        .withApiVersion("v1")
                        .withKind("Node")
                        .withName(name)
                        .endTarget()
                        .build())
                .create();
    }

    private static String now() {
        return ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).toInstant().toString();
    }

    private static java.time.ZonedDateTime micro() {
        return ZonedDateTime.now().truncatedTo(ChronoUnit.MICROS);
    }
}
