package venus.retrieval.node.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code vrn} command line. Subcommands are listed in {@link #SUBCOMMANDS};
 * error reporting follows the operator contract: one line on stderr, a non-zero exit, and a stack
 * trace only with {@code --debug}.
 */
@Command(name = "vrn", mixinStandardHelpOptions = true, version = "vrn 0.1.0-SNAPSHOT",
        description = "Venus Retrieval Node: a paid retrieval node for Filecoin storage providers and an IPFS node.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Vrn implements Runnable {
    /** Exit code for a failed command (bad input, missing data, refused operation). */
    public static final int EXIT_FAILURE = 1;
    /** Exit code for a command line that does not parse. */
    public static final int EXIT_USAGE = 2;

    /** Every subcommand, registered once here. */
    static final Object[] SUBCOMMANDS = {
        InitCommand.class,
        new IdCommand(),
        new CarCommand(),
        new CidCommand(),
        DemoCommand.class,
        new DaemonCommand(),
        new ConfigCommand(),
        new StopCommand(),
        // classes, not instances: picocli builds a fresh command object per command line, so
        // option values from an earlier in-process run cannot leak into the next one
        WalletCommand.class,
        PaychCommand.class,
        FetchCommand.class,
        RetrieveCommand.class,
        new PieceCommand(),
        new BlockCommand(),
    };

    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces for errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final PrintStream STDOUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    private static final PrintStream STDERR = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    private static volatile PrintStream OUT = STDOUT;
    private static volatile PrintStream ERR = STDERR;

    /**
     * Sends {@link #out()} and {@link #err()} (and the picocli writers of command lines built
     * afterwards) to other streams, so tests can capture a command's output in-process;
     * {@code null} restores the process's stdout/stderr.
     */
    static void redirect(PrintStream out, PrintStream err) {
        OUT = out != null ? out : STDOUT;
        ERR = err != null ? err : STDERR;
    }

    @Override
    public void run() {
        spec.commandLine().usage(OUT);
    }

    /** UTF-8 stdout for text output, whatever the platform locale. */
    public static PrintStream out() {
        return OUT;
    }

    /** UTF-8 stderr. */
    public static PrintStream err() {
        return ERR;
    }

    /** Builds the command line with every subcommand and the contract's error handling. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Vrn());
        for (Object sub : SUBCOMMANDS) {
            cl.addSubcommand(sub);
        }
        cl.setOut(new java.io.PrintWriter(OUT, true));
        cl.setErr(new java.io.PrintWriter(ERR, true));
        cl.setParameterExceptionHandler((ex, args) -> {
            ERR.println("vrn: " + ex.getMessage());
            ERR.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean debug = parseResult.hasMatchedOption("--debug")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"));
            ERR.println("vrn: " + describe(ex));
            if (debug) {
                ex.printStackTrace(ERR);
            }
            return ex instanceof CliException ? ((CliException) ex).exitCode() : EXIT_FAILURE;
        });
        return cl;
    }

    /** One line that says what went wrong, without a stack trace. */
    static String describe(Throwable ex) {
        if (ex instanceof CliException || ex.getClass().getName().startsWith("venus.retrieval.")) {
            return ex.getMessage();
        }
        if (ex instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + ex.getMessage();
        }
        if (ex instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + ex.getMessage();
        }
        String msg = ex.getMessage();
        return msg == null ? ex.getClass().getSimpleName() : ex.getClass().getSimpleName() + ": " + msg;
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        OUT.flush();
        System.exit(code);
    }
}
