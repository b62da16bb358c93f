package dev.hearth.server.cli;

import dev.hearth.device.ProcessExit;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hearth} command line: one subcommand per file in this package. */
@Command(name = "hearth", mixinStandardHelpOptions = true, version = "hearth 0.1.0",
        description = "Local LLM inference server.",
        subcommands = {
            InfoCommand.class,
            LogitsCommand.class,
            RunCommand.class,
            SynthCommand.class,
            QuantizeCommand.class,
            TokenizeCommand.class,
            DetokenizeCommand.class,
            BenchCommand.class,
            PullCommand.class,
            ImportCommand.class,
            ListCommand.class,
            ShowCommand.class,
            RmCommand.class,
            CpCommand.class,
            CatalogueCommand.class,
            PlanCommand.class,
            ServeCommand.class,
            KeysCommand.class,
            UsageCommand.class,
            AgentsSimCommand.class
        })
public final class Main implements Runnable {
    public static void main(String[] args) {
        ProcessExit.exit(run(args));  // System.exit, or a device's quick exit after the shutdown work
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
