package io.densecl.trainer.cli;

/** Process exit codes of the trainer contract (docs/contract.md, BSD sysexits where they exist). */
public final class ExitCodes {
    public static final int COMPLETE = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 64;
    public static final int DATA = 65;
    public static final int IO = 74;
    public static final int CHECKPOINTED = 75;
    public static final int CONFIG = 78;

    private ExitCodes() {}
}
