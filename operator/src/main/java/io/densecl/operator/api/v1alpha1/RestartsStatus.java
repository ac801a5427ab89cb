package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Restart counters: counted failures against backoffLimit, disruptions against maxDisruptions. */
@JsonClassDescription("Restart counters: counted failures against backoffLimit, disruptions against maxDisruptions.")
public class RestartsStatus {

    /** Failures charged to failurePolicy.backoffLimit. */
    @JsonPropertyDescription("Failures charged to failurePolicy.backoffLimit.")
    public Integer counted = 0;

    /** Disruptions charged to failurePolicy.maxDisruptions. */
    @JsonPropertyDescription("Disruptions charged to failurePolicy.maxDisruptions.")
    public Integer disruptions = 0;

    /** All restarts. */
    @JsonPropertyDescription("All restarts.")
    public Integer total = 0;
}
