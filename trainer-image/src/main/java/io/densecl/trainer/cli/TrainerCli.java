package io.densecl.trainer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code densecl-trainer}: DenseCL pre-training, evaluation, export and synthetic data on DJL/PyTorch. */
@Command(name = "densecl-trainer", mixinStandardHelpOptions = true, version = "densecl-trainer 0.1.0",
        description = "DenseCL self-supervised pre-training on DJL (PyTorch engine).",
        subcommands = {PretrainCommand.class, EvaluateCommand.class, ExportCommand.class, EmbedCommand.class, SynthCommand.class, BenchCommand.class})
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
            System.err.println("ERROR UsageError: " + ex.getMessage());
            ex.getCommandLine().usage(System.err);
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> Outcome.fail(ex, null));
        return cli.execute(args);
    }
}
