package io.densecl.contract;

/**
 * The {@code error.class} of a termination message: what kind of failure ended the process. Each class
 * has one {@link TrainerResult} (and so one exit code); several classes may share one.
 */
public enum ErrorClass {
    UsageError(TrainerResult.UsageError),
    DataError(TrainerResult.DataError),
    ConfigError(TrainerResult.ConfigError),
    CheckpointLocked(TrainerResult.CheckpointLocked),
    StorageError(TrainerResult.StorageError),
    DeviceError(TrainerResult.DeviceError),
    /** The loss or the state became non-finite: a counted failure, and nothing of it is checkpointed. */
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
