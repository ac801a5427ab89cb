package io.densecl.trainer.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code bench step|data|checkpoint}: the trainer's benchmarks (bench/trainer/run-trainer-bench.sh runs them). */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks of the trainer's parts.",
        subcommands = {StepBench.class, DataBench.class, CheckpointBench.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a benchmark: step, data or checkpoint");
    }
}
