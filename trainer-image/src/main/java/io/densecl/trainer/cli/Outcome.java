package io.densecl.trainer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.trainer.checkpoint.CheckpointLockedException;
import io.densecl.trainer.checkpoint.StorageException;
import io.densecl.trainer.config.ConfigException;
import io.densecl.trainer.data.DataException;
import io.densecl.trainer.train.TerminationMessage;
import io.densecl.trainer.train.TrainingDivergedException;
import io.densecl.trainer.train.TrainingSession;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Maps how a command ended to the exit code and the termination message's {@code result}/{@code error}.
 * Exit 74 (the operator avoids the node) is reserved for device faults; an I/O failure that reaches
 * here unclassified comes from the checkpoint storage (data and configuration are classified where
 * they are read), so it is 73.
 */
public final class Outcome {
    private Outcome() {}

    /** A classified failure: exit code, {@code result} word, {@code error.class}. */
    public record Failure(int exitCode, String result, String errorClass) {}

    public static Failure classify(Throwable t) {
        if (t instanceof ConfigException) return new Failure(ExitCodes.CONFIG, "ConfigError", "ConfigError");
        if (t instanceof DataException) return new Failure(ExitCodes.DATA, "DataError", "DataError");
        if (t instanceof picocli.CommandLine.ParameterException) return new Failure(ExitCodes.USAGE, "UsageError", "UsageError");
        if (t instanceof CheckpointLockedException) return new Failure(ExitCodes.LOCKED, "Locked", "CheckpointLocked");
        if (t instanceof StorageException s) return new Failure(ExitCodes.STORAGE, "StorageError", s.kind().name());
        if (t instanceof TrainingDivergedException) return new Failure(ExitCodes.FAILED, "Failed", "TrainingDiverged");
        if (t instanceof TrainingSession.DeviceUnavailableException || isDeviceFault(t)) {
            return new Failure(ExitCodes.DEVICE, "DeviceError", "DeviceError");
        }
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            Throwable io = t instanceof UncheckedIOException u ? u.getCause() : t;
            return new Failure(ExitCodes.STORAGE, "StorageError", StorageException.kindOf(io).name());
        }
        return new Failure(ExitCodes.FAILED, "Failed", "Failed");
    }

    private static boolean isDeviceFault(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return t instanceof ai.djl.engine.EngineException && (m.contains("CUDA") || m.contains("cuda") || m.contains("out of memory"));
    }

    /** The message for the termination log: a storage failure's reason, not just the path that failed. */
    private static String message(Throwable t) {
        Throwable io = t instanceof UncheckedIOException u ? u.getCause() : t;
        if (io instanceof IOException && !(t instanceof StorageException)) {
            return "checkpoint storage: " + StorageException.describe(io);
        }
        return String.valueOf(t.getMessage());
    }

    /** Reports {@code t} on stderr and in the termination message; returns the exit code. */
    public static int fail(Throwable t, String terminationLog) {
        Failure f = classify(t);
        ObjectNode msg = TerminationMessage.create(f.result());
        ObjectNode err = msg.putObject("error");
        err.put("class", f.errorClass());
        if (t instanceof ConfigException ce) {
            err.put("field", ce.field());
        }
        if (t instanceof DataException de && de.path() != null) {
            err.put("path", de.path().toString());
        }
        if (t instanceof StorageException se && se.path() != null) {
            err.put("path", se.path().toString());
        }
        String text = message(t);
        err.put("message", text);
        TerminationMessage.write(terminationLog, msg);
        System.err.println("ERROR " + f.errorClass() + ": " + text);
        if (f.exitCode() == ExitCodes.FAILED && !(t instanceof TrainingDivergedException) || f.exitCode() == ExitCodes.DEVICE) {
            t.printStackTrace();
        }
        return f.exitCode();
    }
}
