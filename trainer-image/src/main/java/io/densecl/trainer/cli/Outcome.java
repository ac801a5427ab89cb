package io.densecl.trainer.cli;

import io.densecl.contract.ConfigException;
import io.densecl.contract.ErrorClass;
import io.densecl.contract.TerminationMessage;
import io.densecl.trainer.data.DataException;
import io.densecl.trainer.report.TerminationLog;
import io.densecl.trainer.train.TrainingDivergedException;
import io.densecl.trainer.train.TrainingSession;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Maps how a command failed to its error class (and so its exit code) and reports it in the termination message. */
public final class Outcome {
    private Outcome() {}

    public static ErrorClass classify(Throwable t) {
        if (t instanceof ConfigException) return ErrorClass.ConfigError;
        if (t instanceof DataException) return ErrorClass.DataError;
        if (t instanceof picocli.CommandLine.ParameterException) return ErrorClass.UsageError;
        if (t instanceof TrainingDivergedException) return ErrorClass.TrainingDiverged;
        if (t instanceof TrainingSession.DeviceUnavailableException || t instanceof IOException || t instanceof UncheckedIOException
                || isDeviceFault(t)) {
            return ErrorClass.DeviceError;
        }
        return ErrorClass.Failed;
    }

    private static boolean isDeviceFault(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return t instanceof ai.djl.engine.EngineException && (m.contains("CUDA") || m.contains("cuda") || m.contains("out of memory"));
    }

    /** Reports {@code t} on stderr and in the termination message; returns the exit code. */
    public static int fail(Throwable t, String terminationLog) {
        ErrorClass cls = classify(t);
        String field = t instanceof ConfigException ce ? ce.field() : null;
        TerminationLog.write(terminationLog, TerminationMessage.failure(cls, field, String.valueOf(t.getMessage())));
        System.err.println("ERROR " + cls + ": " + t.getMessage());
        if (cls.result() == io.densecl.contract.TrainerResult.Failed || cls == ErrorClass.DeviceError) {
            t.printStackTrace();
        }
        return cls.exitCode();
    }
}
