package io.fmi.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fmi} command: {@code ./fmi demo}, and the tools of the other commands listed by
 * {@code ./fmi --help}.
 */
@Command(name = "fmi", mixinStandardHelpOptions = true, version = "FMI for Java 0.1.0",
        description = "FMI for Java: MPI-style message passing for serverless functions.",
        subcommands = {DemoCommand.class, KMeansCommand.class, LambdaCommand.class, BenchCommand.class, CostCommand.class, CalibrateCommand.class, PollCurveCommand.class,
                CommandLine.HelpCommand.class})
public final class Fmi implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Fmi()).execute(args));
    }
}
