package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One trainer pod's lifetime; a new attempt (and pod) is made for every restart. */
@JsonClassDescription("One trainer pod's lifetime; a new attempt (and pod) is made for every restart.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AttemptStatus {

    /** 1-based attempt number. */
    @JsonPropertyDescription("1-based attempt number.")
    public Integer index;

    /** Name of the attempt's pod. */
    @JsonPropertyDescription("Name of the attempt's pod.")
    public String pod;

    /** Node the pod runs on. */
    @JsonPropertyDescription("Node the pod runs on.")
    public String node;

    /** Checkpoint the attempt resumed from, as 'e<epoch>-s<step>'. */
    @JsonPropertyDescription("Checkpoint the attempt resumed from, as 'e<epoch>-s<step>'.")
    public String resumedFrom;

    /** When the operator created the pod (RFC 3339). */
    @JsonPropertyDescription("When the operator created the pod (RFC 3339).")
    public String createdAt;

    /**
     * When the pod's scheduling gates (Kueue's admission gate) were first seen lifted (RFC 3339); empty for a pod
     * that was never gated. The startup deadline counts from here: time spent queued is not time spent starting.
     */
    @JsonPropertyDescription(
            "When the pod's scheduling gates (Kueue's admission gate) were first seen lifted (RFC 3339); "
                    + "empty for a pod that was never gated. startupDeadlineSeconds counts from here, not from the pod's creation.")
    public String admittedAt;

    /** Whether the pod was seen held by scheduling gates (queued, e.g. by Kueue). */
    @JsonPropertyDescription("Whether the pod was seen held by scheduling gates (queued, e.g. by Kueue).")
    public Boolean gated;

    /** When the attempt ended (RFC 3339); empty while it is active. */
    @JsonPropertyDescription("When the attempt ended (RFC 3339); empty while it is active.")
    public String endedAt;

    /** Why the attempt ended: Complete, Suspended, a failure or a disruption reason. */
    @JsonPropertyDescription("Why the attempt ended: Complete, Suspended, a failure or a disruption reason.")
    public String endReason;

    /** Earliest time the next attempt may start (RFC 3339), after back-off. */
    @JsonPropertyDescription("Earliest time the next attempt may start (RFC 3339), after back-off.")
    public String restartAfter;
}
