package venus.retrieval.node.daemon;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.gateway.bitswap.BitswapConfig;
import venus.retrieval.gateway.bitswap.BitswapEngine;
import venus.retrieval.gateway.bitswap.BitswapPolicy;
import venus.retrieval.gateway.bitswap.BitswapServer;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.NodeException.Reason;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.NodeConfig;

/**
 * Bitswap on the daemon's libp2p host over the piece store's block source. Its protocols are
 * registered when it is constructed (before the host starts) so identify lists them.
 */
public final class BitswapService implements NodeService {
    private final BitswapEngine engine;
    private final BitswapServer server;
    private final PieceStore store;
    private final Consumer<PieceInfo> imported = p -> engine().blocksAdded();

    public BitswapService(DaemonContext ctx, Host host) {
        NodeConfig c = ctx.config();
        BitswapConfig config;
        try {
            config = new BitswapConfig(Math.toIntExact(c.get(ConfigKeys.BITSWAP_MAX_MESSAGE_BYTES)),
                    Math.toIntExact(c.get(ConfigKeys.BITSWAP_MAX_WANTLIST_ENTRIES)),
                    Math.toIntExact(Math.min(c.get(ConfigKeys.BITSWAP_MAX_OUTSTANDING_BYTES_PER_PEER), Integer.MAX_VALUE)),
                    Math.toIntExact(c.get(ConfigKeys.BITSWAP_WORKERS)));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new NodeException(Reason.CONFIG_INVALID, "config: " + e.getMessage());
        }
        this.engine = new BitswapEngine(ctx.store().blockSource(), ctx.store().directory(), policy(c), config);
        this.server = new BitswapServer(host, engine);
        this.store = ctx.store();
        store.addImportListener(imported); // wants for blocks we lacked are served once a piece brings them
    }

    /** The policy from {@code bitswap.serve}, {@code bitswap.allow_peers} and {@code bitswap.rate_limit}. */
    static BitswapPolicy policy(NodeConfig c) {
        Set<PeerId> allowed = new HashSet<>();
        for (String s : c.get(ConfigKeys.BITSWAP_ALLOW_PEERS).split(",")) {
            if (!s.isBlank()) {
                try {
                    allowed.add(PeerId.parse(s.trim()));
                } catch (Libp2pException | IllegalArgumentException e) {
                    throw new NodeException(Reason.CONFIG_INVALID, "config: bitswap.allow_peers: not a peer ID: " + s.trim());
                }
            }
        }
        BitswapPolicy.Scope scope = c.get(ConfigKeys.BITSWAP_SERVE).equals("public") ? BitswapPolicy.Scope.PUBLIC : BitswapPolicy.Scope.ALL;
        return new BitswapPolicy(scope, allowed, c.get(ConfigKeys.BITSWAP_RATE_LIMIT));
    }

    /** The engine (what delegated routing asks: does this node offer a CID?). */
    public BitswapEngine engine() {
        return engine;
    }

    @Override
    public String name() {
        return "bitswap";
    }

    @Override
    public List<String> start() {
        return List.of(); // served on the libp2p host's listeners
    }

    @Override
    public void stop(Duration grace) {
        store.removeImportListener(imported);
        server.close();
    }
}
