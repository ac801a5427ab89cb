package io.densecl.operator.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/**
 * Kueue preempts a plain pod by setting its TerminationTarget condition (reason WorkloadEvictedDueToPreempted
 * on preemption, as Kueue v0.17 does) and deleting it: the
 * trainer checkpoints on SIGTERM (exit 75) or is killed after the grace period (137). Either way it is a disruption,
 * never a counted failure, so the run comes back as a new (gated, queued) pod and resumes from its checkpoint.
 */
class KueuePreemptionTest {

    static Pod stoppedByKueue(int exitCode) {
        return new PodBuilder()
                .withNewMetadata()
                .withName("r-a1")
                .endMetadata()
                .withNewStatus()
                .withPhase("Failed")
                .addNewCondition()
                .withType("TerminationTarget")
                .withStatus("True")
                .withReason("WorkloadEvictedDueToPreempted")
                .withMessage("Preempted to accommodate a higher priority Workload")
                .endCondition()
                .addNewContainerStatus()
                .withName("trainer")
                .withNewState()
                .withNewTerminated()
                .withExitCode(exitCode)
                .endTerminated()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
    }

    @Test
    void aPodStoppedByKueueIsADisruptionWhateverItsExitCode() {
        for (int exit : new int[] {75, 137, 1}) {
            PodView view = PodView.of(stoppedByKueue(exit));
            assertThat(view.disrupted()).isTrue();
            AttemptOutcome outcome = AttemptClassifier.classify(view);
            assertThat(outcome.kind()).as("exit %d", exit).isEqualTo(AttemptOutcome.Kind.DISRUPTION);
            assertThat(outcome.reason()).isEqualTo("WorkloadEvictedDueToPreempted");
        }
    }

    @Test
    void aFalseTerminationTargetIsNoDisruption() {
        Pod pod = new PodBuilder(stoppedByKueue(1))
                .editStatus()
                .editFirstCondition()
                .withStatus("False")
                .endCondition()
                .endStatus()
                .build();
        assertThat(PodView.of(pod).disrupted()).isFalse();
        assertThat(AttemptClassifier.classify(PodView.of(pod)).kind()).isEqualTo(AttemptOutcome.Kind.COUNTED);
    }
}
