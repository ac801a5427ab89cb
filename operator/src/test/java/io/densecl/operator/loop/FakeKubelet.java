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
 * Plays scheduler and kubelet for the mock API server, which has neither: binds pods to a node,
 * starts them (phase Running with a pod IP), and ends them with an exit code, a termination message
 * (the trainer contract's JSON) and, for disruptions, a DisruptionTarget condition.
 */
public final class FakeKubelet {

    private final KubernetesClient client;
    private final String namespace;
    private final Clock clock;
    private int nextIp = 10;

    public FakeKubelet(KubernetesClient client, String namespace, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.clock = clock;
    }

    public Pod get(String name) {
        return client.pods().inNamespace(namespace).withName(name).get();
    }

    /** Pending -> Running on node-1 with a fresh pod IP; returns the IP. */
    public String start(String name) {
        Pod pod = require(name);
        String ip = "10.0.0." + nextIp++;
        pod.getSpec().setNodeName("node-1");
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP(ip)
                .withStartTime(clock.instant().toString())
                .withContainerStatuses(new ContainerStatusBuilder().withName("trainer").withReady(true)
                        .withNewState().withNewRunning().withStartedAt(clock.instant().toString()).endRunning()
                        .endState().build())
                .build());
        client.resource(pod).update();
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

    private void end(String name, int exitCode, String reason, String message, String disruptionReason) {
        Pod pod = require(name);
        String now = clock.instant().toString();
        List<PodCondition> conditions = new ArrayList<>();
        if (disruptionReason != null) {
            conditions.add(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
                    .withReason(disruptionReason).withLastTransitionTime(now).build());
        }
        pod.setStatus(new PodStatusBuilder().withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .withPodIP(pod.getStatus() == null ? null : pod.getStatus().getPodIP())
                .withConditions(conditions)
                .withContainerStatuses(new ContainerStatusBuilder().withName("trainer").withReady(false)
                        .withNewState().withNewTerminated().withExitCode(exitCode).withReason(reason)
                        .withMessage(message).withFinishedAt(now).endTerminated().endState().build())
                .build());
        client.resource(pod).update();
    }

    private Pod require(String name) {
        Pod pod = get(name);
        if (pod == null) {
            throw new AssertionError("pod " + name + " does not exist");
        }
        return pod;
    }
}
