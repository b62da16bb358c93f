package dev.hearth.server.cli;

import dev.hearth.device.ProcessExit;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hearth} command line: one subcommand per file in this package. Only the subcommand a run names is built:
 * picocli reflects over every option of every command it registers (and loads the types they name), a fifth of a
 * second of a server's start on a cold JVM; with no command, or one it does not know, all are registered (the usage and
 * the suggestions list them).
 */
@Command(name = "hearth", mixinStandardHelpOptions = true, version = "hearth 0.1.0",
        description = "Local LLM inference server.")
public final class Main implements Runnable {
    /** The subcommands, in the order the usage lists them. */
    static final List<Class<?>> COMMANDS = List.of(
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
            AgentsSimCommand.class);

    public static void main(String[] args) {
        ProcessExit.exit(run(args));  // System.exit, or a device's quick exit after the shutdown work
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cl = commandLine(args.length > 0 ? args[0] : null);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return cl.execute(args);
    }

    /** The command line with the subcommand named {@code first} alone, or with all where none is named. */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Main());
        for (Class<?> c : COMMANDS) {
            Command command = c.getAnnotation(Command.class);
            if (command.name().equals(first) || Arrays.asList(command.aliases()).contains(first)) {
                return cl.addSubcommand(c);
            }
        }
        COMMANDS.forEach(cl::addSubcommand);
        return cl;
    }

    @Override
    public void run() {
        commandLine(null).usage(System.out);
    }
}
