package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Where training starts: Auto resumes the run's own latest checkpoint, Never starts fresh, Resume/WarmStart start from another checkpoint. */
@JsonClassDescription(
        "Where training starts: Auto resumes the run's own latest checkpoint, Never starts fresh, Resume/WarmStart start from another checkpoint.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "(self.mode == 'Resume' || self.mode == 'WarmStart') == (has(self.fromRun) || has(self.fromPath))",
        message = "spec.resume: fromRun or fromPath is required exactly when mode is Resume or WarmStart")
@ValidationRule(
        value = "!(has(self.fromRun) && has(self.fromPath))",
        message = "spec.resume: set fromRun or fromPath, not both")
public class ResumeSpec {

    /** Auto, Never, Resume (exact continuation of another checkpoint) or WarmStart (weights only). */
    @JsonPropertyDescription(
            "Auto, Never, Resume (exact continuation of another checkpoint) or WarmStart (weights only).")
    @Default("Auto")
    public Mode mode = Mode.Auto;

    /** Another DenseCLRun in this namespace, sharing this run's checkpoint claim, whose latest checkpoint to start from. */
    @JsonPropertyDescription(
            "Another DenseCLRun in this namespace, sharing this run's checkpoint claim, whose latest checkpoint to start from.")
    @Size(max = 253)
    public String fromRun;

    /** A checkpoint directory on this run's checkpoint claim, relative to its root. */
    @JsonPropertyDescription("A checkpoint directory on this run's checkpoint claim, relative to its root.")
    @Size(max = 1024)
    public String fromPath;

    /** Resume modes. */
    public enum Mode {
        Auto,
        Never,
        Resume,
        WarmStart
    }
}
