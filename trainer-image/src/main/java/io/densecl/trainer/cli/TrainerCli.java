package io.densecl.trainer.cli;

import io.densecl.contract.TerminationMessage;
import io.densecl.contract.TrainerInvocation;
import io.densecl.trainer.bench.BenchCommand;
import io.densecl.trainer.config.ConfigLoader;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code densecl-trainer}: DenseCL pre-training, evaluation, export and synthetic data on DJL/PyTorch. */
@Command(
        name = TrainerInvocation.EXECUTABLE,
        mixinStandardHelpOptions = true,
        version = "densecl-trainer 0.1.0",
        description = "DenseCL self-supervised pre-training on DJL (PyTorch engine).",
        subcommands = {
            PretrainCommand.class,
            EvaluateCommand.class,
            ExportCommand.class,
            EmbedCommand.class,
            SynthCommand.class,
            BenchCommand.class
        })
public final class TrainerCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int execute(String... args) {
        EngineSetup.offline();
        CommandLine cli = new CommandLine(new TrainerCli());
        cli.setParameterExceptionHandler((ex, a) -> {
            int code = Outcome.fail(ex, terminationLog(a));
            ex.getCommandLine().usage(System.err);
            return code;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> Outcome.fail(ex, terminationLog(args)));
        return cli.execute(args);
    }

    /**
     * Where a command line that could not be parsed (or run) wants its termination message: its
     * {@code --termination-log}, else $DENSECL_TERMINATION_LOG, else its config file's, else the default.
     */
    static String terminationLog(String[] args) {
        String flag = TrainerInvocation.TERMINATION_LOG;
        String log = null;
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith(flag + "=")) {
                log = args[i].substring(flag.length() + 1);
            } else if (args[i].equals(flag) && i + 1 < args.length) {
                log = args[i + 1];
            } else if (args[i].equals(TrainerInvocation.CONFIG) && i + 1 < args.length) {
                config = Path.of(args[i + 1]);
            }
        }
        return terminationLog(log, config);
    }

    /** The termination log of a command: {@code flag} if given, else $DENSECL_TERMINATION_LOG, else the config file's. */
    static String terminationLog(String flag, Path config) {
        if (flag != null) {
            return flag;
        }
        String env = System.getenv(PretrainCommand.ENV_TERMINATION_LOG);
        return env != null ? env : ConfigLoader.terminationLog(config).orElse(TerminationMessage.DEFAULT_PATH);
    }
}
