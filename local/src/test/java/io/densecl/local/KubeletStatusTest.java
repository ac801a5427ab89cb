package io.densecl.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import org.junit.jupiter.api.Test;

/** The statuses the local kubelet writes look like a kubelet's, and keep what others wrote. */
class KubeletStatusTest {

    static Pod pod() {
        return new PodBuilder()
                .withNewMetadata()
                .withName("r-a1")
                .withNamespace("ns")
                .withUid("0123abcd-0000")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("istio-proxy")
                .withImage("proxy:1")
                .endContainer()
                .addNewContainer()
                .withName("trainer")
                .withImage("densecl-trainer:0.1.0")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Pending")
                .addNewCondition()
                .withType("PodScheduled")
                .withStatus("True")
                .endCondition()
                .addNewCondition()
                .withType("DisruptionTarget")
                .withStatus("True")
                .withReason("DeletionByTaintManager")
                .endCondition()
                .endStatus()
                .build();
    }

    @Test
    void runningReportsEveryContainerByNameAndKeepsForeignConditions() {
        PodStatus s = KubeletStatus.running(pod(), "127.0.0.12", "2026-12-01T00:00:00Z");
        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(s.getPodIP()).isEqualTo("127.0.0.12");
        assertThat(s.getPodIPs()).extracting(p -> p.getIp()).containsExactly("127.0.0.12");
        assertThat(s.getContainerStatuses()).extracting(c -> c.getName()).containsExactly("istio-proxy", "trainer");
        assertThat(s.getContainerStatuses()).allSatisfy(c -> {
            assertThat(c.getReady()).isTrue();
            assertThat(c.getState().getRunning().getStartedAt()).isEqualTo("2026-12-01T00:00:00Z");
        });
        assertThat(s.getConditions())
                .extracting(PodCondition::getType)
                .containsExactlyInAnyOrder(
                        "PodScheduled",
                        "DisruptionTarget",
                        "PodReadyToStartContainers",
                        "Initialized",
                        "ContainersReady",
                        "Ready");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(s, "DisruptionTarget").getReason()).isEqualTo("DeletionByTaintManager");
    }

    @Test
    void terminatedIsSucceededOnlyOnExitZeroWithTheMessage() {
        PodStatus failed = KubeletStatus.terminated(
                pod(), 75, "Error", "{\"result\":\"Checkpointed\"}", "2026-12-01T00:00:00Z", "2026-12-01T00:05:00Z");
        assertThat(failed.getPhase()).isEqualTo("Failed");
        var t = failed.getContainerStatuses().get(1).getState().getTerminated();
        assertThat(t.getExitCode()).isEqualTo(75);
        assertThat(t.getMessage()).contains("Checkpointed");
        assertThat(t.getFinishedAt()).isEqualTo("2026-12-01T00:05:00Z");
        assertThat(condition(failed, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(failed, "Ready").getReason()).isEqualTo("PodCompleted");
        assertThat(KubeletStatus.terminated(pod(), 0, "Completed", null, null, "2026-12-01T00:05:00Z")
                        .getPhase())
                .isEqualTo("Succeeded");
    }

    private static PodCondition condition(PodStatus s, String type) {
        return s.getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow();
    }
}
