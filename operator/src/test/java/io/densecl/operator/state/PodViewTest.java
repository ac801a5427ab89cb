package io.densecl.operator.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import org.junit.jupiter.api.Test;

/** PodView reads the trainer container by name and the scheduler's and kubelet's reasons for a pending pod. */
class PodViewTest {

    static ContainerStatus proxyRunning() {
        return new ContainerStatusBuilder()
                .withName("istio-proxy")
                .withNewState()
                .withNewRunning()
                .withStartedAt("2026-11-28T03:00:00Z")
                .endRunning()
                .endState()
                .build();
    }

    static Pod pod(String phase, ContainerStatus... statuses) {
        return new PodBuilder()
                .withNewMetadata()
                .withName("r-a1")
                .endMetadata()
                .withNewSpec()
                .withNodeName("node-1")
                .endSpec()
                .withNewStatus()
                .withPhase(phase)
                .withContainerStatuses(statuses)
                .endStatus()
                .build();
    }

    /** An injected proxy sorts before the trainer: containerStatuses[0] is the proxy's, still running. */
    @Test
    void theTrainerIsFoundByNameAndItsExitEndsThePodAlthoughASidecarKeepsItRunning() {
        ContainerStatus trainer = new ContainerStatusBuilder()
                .withName("trainer")
                .withNewState()
                .withNewTerminated()
                .withExitCode(74)
                .withReason("Error")
                .withFinishedAt("2026-11-28T03:10:00Z")
                .endTerminated()
                .endState()
                .build();
        PodView view = PodView.of(pod("Running", proxyRunning(), trainer));
        assertThat(view.exitCode()).isEqualTo(74);
        assertThat(view.state()).isEqualTo(PodView.State.FAILED);
        assertThat(view.terminated()).isTrue();
        assertThat(view.podStillRunning()).isTrue();
        assertThat(AttemptClassifier.classify(view).reason()).isEqualTo("DeviceError");
    }

    @Test
    void aRunningTrainerBesideAProxyIsRunningSinceItsOwnStart() {
        ContainerStatus trainer = new ContainerStatusBuilder()
                .withName("trainer")
                .withNewState()
                .withNewRunning()
                .withStartedAt("2026-11-28T03:05:00Z")
                .endRunning()
                .endState()
                .build();
        PodView view = PodView.of(pod("Running", proxyRunning(), trainer));
        assertThat(view.state()).isEqualTo(PodView.State.RUNNING);
        assertThat(view.podStillRunning()).isFalse();
        assertThat(view.runningSince()).hasToString("2026-11-28T03:05:00Z");
    }

    @Test
    void aPendingPodCarriesTheKubeletsOrTheSchedulersReason() {
        ContainerStatus waiting = new ContainerStatusBuilder()
                .withName("trainer")
                .withNewState()
                .withNewWaiting()
                .withReason("CreateContainerConfigError")
                .withMessage("secret \"s3\" not found")
                .endWaiting()
                .endState()
                .build();
        PodView view = PodView.of(pod("Pending", proxyRunning(), waiting));
        assertThat(view.waitingReason()).isEqualTo("CreateContainerConfigError");
        assertThat(view.waitingMessage()).isEqualTo("secret \"s3\" not found");

        Pod unscheduled = pod("Pending");
        unscheduled
                .getStatus()
                .getConditions()
                .add(new PodConditionBuilder()
                        .withType("PodScheduled")
                        .withStatus("False")
                        .withReason("Unschedulable")
                        .withMessage("0/2 nodes are available: 2 Insufficient nvidia.com/gpu.")
                        .build());
        assertThat(PodView.of(unscheduled).waitingReason()).isEqualTo("Unschedulable");
        assertThat(PodView.of(unscheduled).waitingMessage()).contains("Insufficient nvidia.com/gpu");
    }
}
