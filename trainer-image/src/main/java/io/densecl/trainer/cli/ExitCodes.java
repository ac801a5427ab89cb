package io.densecl.trainer.cli;

/** Process exit codes of the trainer contract (docs/contract.md, BSD sysexits where they exist). */
public final class ExitCodes {
    public static final int COMPLETE = 0;
    /** A counted failure (also a diverged training: the operator retries from the last finite checkpoint). */
    public static final int FAILED = 1;
    public static final int USAGE = 64;
    /** The training data cannot be used (EX_DATAERR); the message names the path. */
    public static final int DATA = 65;
    /** Another trainer holds this run's checkpoint directory (EX_UNAVAILABLE): an attempt is still running. */
    public static final int LOCKED = 69;
    /** The checkpoint storage is not writable or too small (EX_CANTCREAT). */
    public static final int STORAGE = 73;
    /** The accelerator is missing or failed (EX_IOERR): retry on another node. Device faults only. */
    public static final int DEVICE = 74;
    public static final int CHECKPOINTED = 75;
    /** The configuration is invalid (EX_CONFIG); the message names the field. */
    public static final int CONFIG = 78;

    private ExitCodes() {}
}
