package io.densecl.operator.api.v1alpha1;

/** The lifecycle phase of a run. */
public enum Phase {
    Pending,
    Starting,
    Running,
    Restarting,
    Suspended,
    Evaluating,
    Succeeded,
    Failed;

    /** Whether the run is finished and needs no more work. */
    public boolean terminal() {
        return this == Succeeded || this == Failed;
    }
}
