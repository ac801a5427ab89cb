package io.densecl.contract;

/**
 * The {@code error.class} of a termination message: what kind of failure ended the process. Each class
 * has one {@link TrainerResult} (and so one exit code); several classes may share one.
 */
public enum ErrorClass {
    UsageError(TrainerResult.UsageError),
    DataError(TrainerResult.DataError),
    ConfigError(TrainerResult.ConfigError),
    /** Another trainer holds the checkpoint directory's lock: an attempt is still running. */
    CheckpointLocked(TrainerResult.CheckpointLocked),
    /** The checkpoint storage refused a write (permission, read-only, I/O error, a probe read back differently). */
    StorageNotWritable(TrainerResult.StorageError),
    /** The checkpoint storage is too small (the preflight's free-space rule, ENOSPC, EDQUOT, EFBIG). */
    InsufficientStorage(TrainerResult.StorageError),
    DeviceError(TrainerResult.DeviceError),
    /** The loss or the state became non-finite or exploded: a counted failure, and nothing of it is checkpointed. */
    TrainingDiverged(TrainerResult.Failed),
    Failed(TrainerResult.Failed);

    private final TrainerResult result;

    ErrorClass(TrainerResult result) {
        this.result = result;
    }

    public TrainerResult result() {
        return result;
    }

    public int exitCode() {
        return result.exitCode();
    }
}
