package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** Separate budgets for real failures and for disruptions, restart back-off and the progress deadline. */
@JsonClassDescription(
        "Separate budgets for real failures and for disruptions, restart back-off and the progress deadline.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailurePolicySpec {

    /** Counted failures tolerated before the run fails. */
    @JsonPropertyDescription("Counted failures tolerated before the run fails.")
    @Default("6")
    @Min(0)
    public Integer backoffLimit = 6;

    /** Disruptions (preemption, eviction, node loss) tolerated before the run fails. */
    @JsonPropertyDescription("Disruptions (preemption, eviction, node loss) tolerated before the run fails.")
    @Default("20")
    @Min(0)
    public Integer maxDisruptions = 20;

    /**
     * Seconds a running trainer may go without its step advancing before it is restarted; 0 disables. Enforced only on
     * evidence: a trainer the operator cannot reach is never restarted for it (the ProgressUnknown condition says so).
     */
    @JsonPropertyDescription("Seconds a running trainer may go without its step advancing before it is restarted; 0 "
            + "disables. Enforced only when the trainer answers with an unchanged step; an unreachable trainer sets "
            + "the ProgressUnknown condition instead.")
    @Default("1800")
    @Min(0)
    public Long progressDeadlineSeconds = 1800L;

    /** Seconds an attempt's pod may stay pending (unschedulable, image pull, mount errors) before the run fails; 0: no limit. */
    @JsonPropertyDescription(
            "Seconds an attempt's pod may stay pending (unschedulable, image pull or mount errors) before "
                    + "the run fails with StartupDeadlineExceeded; 0 means no limit. The pending reason is in status either way.")
    @Default("0")
    @Min(0)
    public Long startupDeadlineSeconds = 0L;

    /**
     * Seconds without a completed training step after which the trainer's own /healthz answers 503 (start-up, resume
     * and checkpoint writes excepted); 0 disables. Rendered as run.json healthzStaleSeconds.
     */
    @JsonPropertyDescription(
            "Seconds without a completed training step after which the trainer's own /healthz answers 503 "
                    + "(start-up, resume and checkpoint writes excepted); 0 disables.")
    @Default("1800")
    @Min(0)
    public Integer trainerStaleSeconds = 1800;

    /** Base of the exponential restart back-off after a counted failure, in seconds. */
    @JsonPropertyDescription("Base of the exponential restart back-off after a counted failure, in seconds.")
    @Default("10")
    @Min(0)
    public Long backoffBaseSeconds = 10L;

    /** Upper bound of the restart back-off, in seconds. */
    @JsonPropertyDescription("Upper bound of the restart back-off, in seconds.")
    @Default("600")
    @Min(0)
    public Long backoffMaxSeconds = 600L;
}
