package io.densecl.trainer.cli;

import io.densecl.contract.ConfigException;
import io.densecl.contract.ErrorClass;
import io.densecl.contract.TerminationMessage;
import io.densecl.contract.TrainerResult;
import io.densecl.trainer.checkpoint.CheckpointLockedException;
import io.densecl.trainer.checkpoint.StorageException;
import io.densecl.trainer.data.DataException;
import io.densecl.trainer.report.TerminationLog;
import io.densecl.trainer.train.TrainingDivergedException;
import io.densecl.trainer.train.TrainingSession;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Maps how a command failed to its error class (and so its exit code) and reports it in the termination message.
 * Exit 74 (the operator avoids the node) is reserved for device faults; an I/O failure that reaches here
 * unclassified comes from the checkpoint storage (data and configuration are classified where they are read),
 * so it is 73.
 */
public final class Outcome {
    private Outcome() {}

    public static ErrorClass classify(Throwable t) {
        if (t instanceof ConfigException) return ErrorClass.ConfigError;
        if (t instanceof DataException) return ErrorClass.DataError;
        if (t instanceof picocli.CommandLine.ParameterException) return ErrorClass.UsageError;
        if (t instanceof CheckpointLockedException) return ErrorClass.CheckpointLocked;
        if (t instanceof StorageException s) return s.errorClass();
        if (t instanceof TrainingDivergedException) return ErrorClass.TrainingDiverged;
        if (t instanceof TrainingSession.DeviceUnavailableException || isDeviceFault(t)) return ErrorClass.DeviceError;
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            return StorageException.classOf(t instanceof UncheckedIOException u ? u.getCause() : t);
        }
        return ErrorClass.Failed;
    }

    private static boolean isDeviceFault(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return t instanceof ai.djl.engine.EngineException
                && (m.contains("CUDA") || m.contains("cuda") || m.contains("out of memory"));
    }

    /** The message for the termination log: a storage failure's reason, not just the path that failed. */
    private static String message(Throwable t) {
        Throwable io = t instanceof UncheckedIOException u ? u.getCause() : t;
        if (io instanceof IOException && !(t instanceof StorageException)) {
            return "checkpoint storage: " + StorageException.describe(io);
        }
        return String.valueOf(t.getMessage());
    }

    /** The file or directory at fault, for {@code error.path}. */
    private static String path(Throwable t) {
        if (t instanceof DataException de && de.path() != null) return de.path().toString();
        if (t instanceof StorageException se && se.path() != null)
            return se.path().toString();
        return null;
    }

    /** Reports {@code t} on stderr and in the termination message; returns the exit code. */
    public static int fail(Throwable t, String terminationLog) {
        ErrorClass cls = classify(t);
        String field = t instanceof ConfigException ce ? ce.field() : null;
        String text = message(t);
        TerminationLog.write(terminationLog, TerminationMessage.failure(cls, field, path(t), text));
        System.err.println("ERROR " + cls + ": " + text);
        // a diverged run is understood from its message; a bug or a device fault needs the trace
        if (cls.result() == TrainerResult.Failed && cls != ErrorClass.TrainingDiverged
                || cls == ErrorClass.DeviceError) {
            t.printStackTrace();
        }
        return cls.exitCode();
    }
}
