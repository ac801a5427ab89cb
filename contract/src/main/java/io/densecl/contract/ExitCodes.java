package io.densecl.contract;

/**
 * Exit codes of the trainer process (BSD sysexits where one fits). The trainer exits with them and the
 * operator's attempt classifier switches on them; docs/contract.md lists them (tested against this class).
 */
public final class ExitCodes {
    /** Pre-training or the evaluation finished. */
    public static final int COMPLETE = 0;
    /** Anything else (a bug, a diverged run): a counted failure, retried after back-off. */
    public static final int FAILED = 1;
    /** Bad command line (EX_USAGE): fatal, not retried. */
    public static final int USAGE = 64;
    /** The training data is unusable (EX_DATAERR): fatal, not retried. */
    public static final int DATA = 65;
    /**
     * Another trainer holds this run's checkpoint lock (EX_UNAVAILABLE): not counted; the operator waits for
     * the other pod to stop and starts the attempt again.
     */
    public static final int LOCKED = 69;
    /**
     * The checkpoint or data volume is not writable or full (EX_CANTCREAT): counted and retried, but the node
     * is never put on avoidNodes (the volume, not the node, is at fault).
     */
    public static final int STORAGE = 73;
    /** A device (GPU) fault only (EX_IOERR): counted, retried, and the node is avoided. */
    public static final int DEVICE = 74;
    /** Stopped on SIGTERM after writing a checkpoint (EX_TEMPFAIL): a disruption, resumed. */
    public static final int CHECKPOINTED = 75;
    /** Invalid configuration (EX_CONFIG): fatal; the termination message names the field. */
    public static final int CONFIG = 78;

    private ExitCodes() {}
}
