package venus.retrieval.node.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import venus.retrieval.node.api.ApiTokens;
import venus.retrieval.node.api.Permission;
import venus.retrieval.node.repo.RepoInit;

/**
 * {@code vrn init}: creates the repository. On a directory that already holds a repository it says so
 * and exits 0, so scripts can run it unconditionally.
 */
@Command(name = "init", description = "Create a vrn repository: config.toml, libp2p identity, API tokens, wallet key.")
public final class InitCommand implements Callable<Integer> {
    @Mixin
    RepoOption repo;

    @Option(names = "--network", paramLabel = "NET", description = "mainnet (f… addresses), calibnet or devnet (t… addresses); "
            + "written to config.toml. Default: VRN_NETWORK, else mainnet.")
    String network;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        RepoInit.Result r = RepoInit.init(repo.path(), network != null ? network
                : System.getenv().getOrDefault("VRN_NETWORK", "mainnet"));
        String dir = r.repo().dir().toString();
        if (json) {
            Vrn.out().println("{\"repo\":" + Json.quote(dir) + ",\"created\":" + r.created()
                    + ",\"peerId\":" + Json.quote(r.peerId()) + ",\"paymentAddress\":" + Json.quote(r.paymentAddressText())
                    + ",\"network\":" + Json.quote(r.network())
                    + ",\"adminTokenFile\":" + Json.quote(ApiTokens.file(r.repo(), Permission.ADMIN).toString()) + "}");
        } else if (r.created()) {
            Vrn.out().println("initialised vrn repository at " + dir);
            Vrn.out().println("peer id: " + r.peerId());
            Vrn.out().println("network: " + r.network());
            Vrn.out().println("payment address: " + r.paymentAddressText());
            Vrn.out().println("admin API token: " + ApiTokens.file(r.repo(), Permission.ADMIN));
        } else {
            Vrn.out().println("vrn repository already exists at " + dir + "; nothing changed");
        }
        return 0;
    }
}
