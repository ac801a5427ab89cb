package io.densecl.operator.reconciler;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;
import java.util.Optional;

/**
 * The operator's configuration ({@code densecl.*}; environment DENSECL_*, as the Helm chart passes it). Every
 * default lives in application.properties and nowhere else.
 */
@ConfigMapping(prefix = "densecl")
public interface OperatorConfig {

    /** Trainer image of runs that name none. */
    String defaultImage();

    /** Extended resource name of a GPU (nvidia.com/gpu, amd.com/gpu, ...). */
    String gpuResourceName();

    /**
     * The most GPUs a trainer or evaluation pod may request: what one node holds (training is data-parallel inside
     * one pod; multi-node is not supported). The CRD's bound is static, so this is where the chart's value applies.
     */
    int maxGpusPerPod();

    /** Polling of the trainers' /progress endpoints. */
    ProgressPolling progress();

    /** nodeSelector (a JSON object) of trainer and evaluation pods, merged under the run's own. */
    String defaultNodeSelector();

    /** Tolerations (a JSON array) of trainer and evaluation pods, added before the run's own. */
    String defaultTolerations();

    /** Leader election through a Lease (more than one replica). */
    LeaderElection leaderElection();

    /** The per-run NetworkPolicy that admits the operator to the trainer's progress port. */
    NetworkPolicy networkPolicy();

    /** {@code densecl.progress.*}. */
    interface ProgressPolling {
        /** Port of the trainer's /progress endpoint (rendered into run.json as progressPort). */
        int port();

        /** At most one poll per run per interval. */
        Duration interval();

        /** Connect and read timeout of one poll. */
        Duration timeout();

        /** Polls in flight at once. */
        int maxConcurrent();
    }

    /** {@code densecl.network-policy.*}. */
    interface NetworkPolicy {
        /** Whether each run gets a NetworkPolicy child (the Helm chart turns it on with networkPolicy.enabled). */
        boolean enabled();

        /** The operator's namespace (the chart passes it from the downward API); required when enabled. */
        Optional<String> operatorNamespace();

        /** Labels of the operator's pods (a JSON object); required when enabled. */
        Optional<String> operatorPodLabels();
    }

    /** {@code densecl.leader-election.*}. */
    interface LeaderElection {
        boolean enabled();

        String leaseName();

        /** Without one, the Lease goes to the client's namespace. */
        Optional<String> leaseNamespace();
    }
}
