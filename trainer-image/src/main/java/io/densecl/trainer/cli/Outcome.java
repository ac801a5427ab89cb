package io.densecl.trainer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.trainer.config.ConfigException;
import io.densecl.trainer.data.DataException;
import io.densecl.trainer.train.TerminationMessage;
import io.densecl.trainer.train.TrainingSession;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Maps how a command ended to the exit code and the termination message's {@code result}/{@code error}. */
public final class Outcome {
    private Outcome() {}

    /** Classifies a failure: exit code, result word, error class. */
    public record Failure(int exitCode, String result) {}

    public static Failure classify(Throwable t) {
        if (t instanceof ConfigException) return new Failure(ExitCodes.CONFIG, "ConfigError");
        if (t instanceof DataException) return new Failure(ExitCodes.DATA, "DataError");
        if (t instanceof picocli.CommandLine.ParameterException) return new Failure(ExitCodes.USAGE, "UsageError");
        if (t instanceof TrainingSession.DeviceUnavailableException || t instanceof IOException || t instanceof UncheckedIOException
                || isDeviceFault(t)) {
            return new Failure(ExitCodes.IO, "DeviceError");
        }
        return new Failure(ExitCodes.FAILED, "Failed");
    }

    private static boolean isDeviceFault(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return t instanceof ai.djl.engine.EngineException && (m.contains("CUDA") || m.contains("cuda") || m.contains("out of memory"));
    }

    /** Reports {@code t} on stderr and in the termination message; returns the exit code. */
    public static int fail(Throwable t, String terminationLog) {
        Failure f = classify(t);
        ObjectNode msg = TerminationMessage.create(f.result());
        ObjectNode err = msg.putObject("error");
        err.put("class", f.result());
        if (t instanceof ConfigException ce) {
            err.put("field", ce.field());
        }
        err.put("message", String.valueOf(t.getMessage()));
        TerminationMessage.write(terminationLog, msg);
        System.err.println("ERROR " + f.result() + ": " + t.getMessage());
        if (f.exitCode() == ExitCodes.FAILED || f.exitCode() == ExitCodes.IO) {
            t.printStackTrace();
        }
        return f.exitCode();
    }
}
