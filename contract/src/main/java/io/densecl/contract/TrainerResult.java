package io.densecl.contract;

import java.util.Arrays;

/** The {@code result} of a termination message: how a trainer process ended, one per exit code. */
public enum TrainerResult {
    Complete(ExitCodes.COMPLETE),
    Checkpointed(ExitCodes.CHECKPOINTED),
    UsageError(ExitCodes.USAGE),
    DataError(ExitCodes.DATA),
    ConfigError(ExitCodes.CONFIG),
    CheckpointLocked(ExitCodes.LOCKED),
    StorageError(ExitCodes.STORAGE),
    DeviceError(ExitCodes.DEVICE),
    Failed(ExitCodes.FAILED);

    private final int exitCode;

    TrainerResult(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The result an exit code stands for; codes outside the contract are {@link #Failed}. */
    public static TrainerResult ofExitCode(int code) {
        return Arrays.stream(values())
                .filter(r -> r.exitCode == code)
                .findFirst()
                .orElse(Failed);
    }
}
