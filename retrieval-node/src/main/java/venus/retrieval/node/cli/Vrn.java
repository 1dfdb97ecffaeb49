package venus.retrieval.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code vrn} command line. */
@Command(name = "vrn", mixinStandardHelpOptions = true, version = "vrn 0.1.0-SNAPSHOT",
        description = "Venus Retrieval Node: a paid retrieval node for Filecoin storage providers and an IPFS node.")
public final class Vrn implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Vrn()).execute(args));
    }
}
