package io.densecl.contract;

/** Whether the trainer continues from this run's own latest checkpoint ({@code run.json} resume.mode). */
public enum ResumeMode {
    /** Continue from the run's newest valid checkpoint; resume.fromDir only while there is none. */
    Auto,
    /** Ignore the run's own checkpoints. */
    Never
}
