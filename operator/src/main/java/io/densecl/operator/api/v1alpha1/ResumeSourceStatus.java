package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where resume.fromRun / fromPath pointed when the run was accepted; pinned, so a later deletion of the source changes nothing. */
@JsonClassDescription(
        "Where resume.fromRun / fromPath pointed when the run was accepted, pinned for every later attempt.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResumeSourceStatus {

    /** The source run (resume.fromRun), or null for fromPath. */
    @JsonPropertyDescription("The source run (resume.fromRun); absent for fromPath.")
    public String run;

    /** The checkpoint claim of the source run, as its status named it. */
    @JsonPropertyDescription("The checkpoint claim of the source run, as its status named it.")
    public String claimName;

    /** The checkpoint directory the trainer starts from (run.json resume.fromDir). */
    @JsonPropertyDescription("The checkpoint directory the trainer starts from (run.json resume.fromDir).")
    public String dir;

    /** The source's newest checkpoint when it was pinned. */
    @JsonPropertyDescription("The source's newest checkpoint when it was pinned, if it had one.")
    public CheckpointRef checkpoint;

    public ResumeSourceStatus() {}

    public ResumeSourceStatus(String run, String claimName, String dir, CheckpointRef checkpoint) {
        this.run = run;
        this.claimName = claimName;
        this.dir = dir;
        this.checkpoint = checkpoint;
    }
}
