package io.densecl.operator.loop;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays scheduler and kubelet for the reconcile-loop tests, which have neither: places pods on a node, starts
 * them (phase Running with a pod IP), and ends them with an exit code, a termination message (the trainer
 * contract's JSON) and, for disruptions, a DisruptionTarget condition.
 *
 * <p>On the Fabric8 mock ({@link #FakeKubelet(KubernetesClient, String, Clock)}) it writes {@code spec.nodeName}
 * and the status with a plain update, and deleted pods are gone at once. On a real API server ({@link #onNode})
 * it binds pods through the binding subresource, writes their status through {@code /status} as the node
 * ({@code system:node:<name>}), and — since the server only marks a bound pod as terminating — finishes
 * graceful deletions the way a kubelet does ({@link #finishDeletions}: SIGTERM, exit 75, delete with grace 0).
 */
public final class FakeKubelet {

    /** The node a real-server kubelet runs as. */
    public interface Node {
        String name();

        /** A client authenticated as the node (system:node:NAME). */
        KubernetesClient client();

        /** Binds a pod to this node through the binding subresource. */
        void bind(String namespace, String pod);
    }

    private static final String MOCK_NODE = "node-1";

    private final KubernetesClient client;
    private final String namespace;
    private final Clock clock;
    private final Node node;
    private int nextIp = 10;

    /** For the Fabric8 mock server. */
    public FakeKubelet(KubernetesClient client, String namespace, Clock clock) {
        this(client, namespace, clock, null);
    }

    private FakeKubelet(KubernetesClient client, String namespace, Clock clock, Node node) {
        this.client = client;
        this.namespace = namespace;
        this.clock = clock;
        this.node = node;
    }

    /** For a real API server: pods are bound to {@code node} and their status is written by it. */
    public static FakeKubelet onNode(KubernetesClient client, String namespace, Clock clock, Node node) {
        return new FakeKubelet(client, namespace, clock, node);
    }

    /** The node pods are placed on. */
    public String nodeName() {
        return node == null ? MOCK_NODE : node.name();
    }

    public Pod get(String name) {
        return client.pods().inNamespace(namespace).withName(name).get();
    }

    /** Pending -> Running on the node with a fresh pod IP; returns the IP. */
    public String start(String name) {
        Pod pod = require(name);
        if (node != null && pod.getSpec().getNodeName() == null) {
            node.bind(namespace, name);
            pod = require(name);
        }
        String ip = "10.0.0." + nextIp++;
        pod.getSpec().setNodeName(nodeName());
        pod.setStatus(new PodStatusBuilder()
                .withPhase("Running")
                .withPodIP(ip)
                .withStartTime(clock.instant().toString())
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName("trainer")
                        .withReady(true)
                        .withImage(pod.getSpec().getContainers().get(0).getImage())
                        .withImageID("")
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt(clock.instant().toString())
                        .endRunning()
                        .endState()
                        .build())
                .build());
        write(pod);
        return ip;
    }

    /** Running -> Succeeded (exit 0) or Failed, with the termination message the trainer would write. */
    public void exit(String name, int exitCode, String reason, String message) {
        end(name, exitCode, reason, message, null);
    }

    /** A disruption: DisruptionTarget=True (e.g. PreemptionByScheduler), then the container dies with the code. */
    public void disrupt(String name, String disruptionReason, int exitCode) {
        end(name, exitCode, "Error", null, disruptionReason);
    }

    /** Whether the pod is gone or marked for deletion (a real server keeps a bound pod until its kubelet is done). */
    public boolean deletingOrGone(String name) {
        Pod pod = get(name);
        return pod == null || pod.getMetadata().getDeletionTimestamp() != null;
    }

    /**
     * Finishes every graceful deletion in the namespace as a kubelet would: a trainer still running gets SIGTERM
     * and exits 75 (checkpointed), then the pod is deleted with grace period 0. On the mock nothing is left to do.
     */
    public void finishDeletions() {
        if (node == null) {
            return;
        }
        for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
            if (pod.getMetadata().getDeletionTimestamp() == null) {
                continue;
            }
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
                end(pod.getMetadata().getName(), 75, "Error", "{\"result\":\"Checkpointed\"}", null);
            }
            node.client()
                    .pods()
                    .inNamespace(namespace)
                    .withName(pod.getMetadata().getName())
                    .withGracePeriod(0)
                    .delete();
        }
    }

    private void end(String name, int exitCode, String reason, String message, String disruptionReason) {
        Pod pod = require(name);
        if (node != null && pod.getSpec().getNodeName() == null) {
            node.bind(namespace, name); // only a pod bound to it is the node's to report on
            pod = require(name);
        }
        String now = clock.instant().toString();
        List<PodCondition> conditions = new ArrayList<>();
        if (disruptionReason != null) {
            conditions.add(new PodConditionBuilder()
                    .withType("DisruptionTarget")
                    .withStatus("True")
                    .withReason(disruptionReason)
                    .withLastTransitionTime(now)
                    .build());
        }
        pod.setStatus(new PodStatusBuilder()
                .withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .withPodIP(pod.getStatus() == null ? null : pod.getStatus().getPodIP())
                .withStartTime(pod.getStatus() == null ? null : pod.getStatus().getStartTime())
                .withConditions(conditions)
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName("trainer")
                        .withReady(false)
                        .withImage(pod.getSpec().getContainers().get(0).getImage())
                        .withImageID("")
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(exitCode)
                        .withReason(reason)
                        .withMessage(message)
                        .withFinishedAt(now)
                        .endTerminated()
                        .endState()
                        .build())
                .build());
        write(pod);
    }

    private void write(Pod pod) {
        if (node == null) {
            client.resource(pod).update();
        } else {
            node.client().pods().inNamespace(namespace).resource(pod).updateStatus();
        }
    }

    private Pod require(String name) {
        Pod pod = get(name);
        if (pod == null) {
            throw new AssertionError("pod " + name + " does not exist");
        }
        return pod;
    }
}
