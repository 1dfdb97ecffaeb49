package venus.retrieval.node.repo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.api.ApiTokens;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.ConfigTemplate;
import venus.retrieval.node.config.Networks;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.Wallet;

/**
 * {@code vrn init}: creates a repository with a {@code config.toml} listing every key, the API tokens,
 * the libp2p identity ({@code keystore/libp2p.key}) and a wallet key whose address is the default
 * payment address. Re-running on an existing repository changes nothing.
 */
public final class RepoInit {
    private RepoInit() {
    }

    /**
     * What {@link #init} did.
     *
     * @param peerId the node's libp2p peer ID
     * @param paymentAddress the wallet's default address (where payments go)
     */
    public record Result(Repo repo, boolean created, String peerId, Address paymentAddress, String network) {
        /** The payment address with the network's prefix ({@code f…} on mainnet, {@code t…} otherwise). */
        public String paymentAddressText() {
            return Networks.format(paymentAddress, network);
        }
    }

    /** {@link #init(Path, String)} on mainnet. */
    public static Result init(Path dir) {
        return init(dir, "mainnet");
    }

    /**
     * Initialises {@code dir}, or reports that it already holds a repository of this format.
     *
     * @throws NodeException {@code REPO_NOT_EMPTY} for a non-empty directory that is not a repository,
     *     {@code REPO_VERSION} for a repository of another format
     */
    public static Result init(Path dir, String network) {
        if (Repo.exists(dir)) {
            Repo repo = Repo.open(dir);
            String configured;
            try {
                configured = NodeConfig.load(repo.configFile(), System.getenv(), java.util.List.of()).get(ConfigKeys.NETWORK);
            } catch (RuntimeException e) {
                configured = network; // a broken config is reported by the daemon; init changes nothing
            }
            return new Result(repo, false, PeerIdentity.load(repo.libp2pKey()).peerId().toString(),
                    Wallet.open(repo.dir()).defaultAddress(), configured);
        }
        String toml = ConfigTemplate.toml(network);
        boolean existed = Files.isDirectory(dir);
        Repo repo = Repo.create(dir);
        try {
            Repo.writeAtomically(repo.configFile(), toml.getBytes(StandardCharsets.UTF_8), false);
            ApiTokens.create(repo);
            PeerIdentity identity = PeerIdentity.loadOrCreate(repo.libp2pKey());
            Address payTo = Wallet.loadOrCreateDefault(repo.dir()).defaultAddress();
            repo.markInitialised();
            return new Result(repo, true, identity.peerId().toString(), payTo, network);
        } catch (RuntimeException e) {
            // Leave the directory as we found it (empty or absent) so init can simply be re-run.
            removeContents(repo.dir(), !existed);
            throw e;
        }
    }

    private static void removeContents(Path dir, boolean alsoDir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder())
                    .filter(p -> alsoDir || !p.equals(dir))
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the original error is what the user needs to see
        }
    }
}
