package venus.retrieval.node.daemon;

import java.net.URI;
import java.util.ArrayList;
import java.util.function.Predicate;
import venus.retrieval.gateway.GatewayHandler;
import venus.retrieval.gateway.GatewayRoutes;
import venus.retrieval.gateway.routing.DelegatedRouting;
import venus.retrieval.ipld.Cid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.gateway.GatewayConfig;
import venus.retrieval.gateway.GatewayException;
import venus.retrieval.gateway.GatewayServer;
import venus.retrieval.gateway.IpldGatewayBackend;
import venus.retrieval.gateway.PaymentGate;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.NodeException.Reason;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.HostPort;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.webui.WebUi;

/**
 * The HTTP gateway as a daemon service: trustless and path gateway and {@code /piece/} on
 * {@code gateway.listen}, over the repository's piece store, every response passing the
 * {@link PaymentGate}.
 */
public final class GatewayService implements NodeService {
    private final DaemonContext ctx;
    private final PaymentGate gate;
    private final BitswapService bitswap;
    private volatile GatewayServer server;

    public GatewayService(DaemonContext ctx, PaymentGate gate) {
        this(ctx, gate, null);
    }

    /**
     * @param bitswap the node's Bitswap service, or null when Bitswap is off (delegated routing
     *     then offers only the HTTP gateway)
     */
    public GatewayService(DaemonContext ctx, PaymentGate gate, BitswapService bitswap) {
        this.ctx = ctx;
        this.gate = gate;
        this.bitswap = bitswap;
    }

    @Override
    public String name() {
        return "gateway";
    }

    /** The running server (null before start), for tests and metrics. */
    public GatewayServer server() {
        return server;
    }

    /** The gateway settings from the node's config keys ({@code gateway.*}). */
    static GatewayConfig gatewayConfig(NodeConfig c, Path repoDir) {
        HostPort listen = c.get(ConfigKeys.GATEWAY_LISTEN);
        String cert = c.get(ConfigKeys.GATEWAY_TLS_CERT);
        String key = c.get(ConfigKeys.GATEWAY_TLS_KEY);
        try {
            GatewayConfig g = new GatewayConfig(listen.host(), listen.port(),
                    Math.toIntExact(c.get(ConfigKeys.GATEWAY_MAX_CONCURRENT_REQUESTS)),
                    Math.toIntExact(Math.min(c.get(ConfigKeys.GATEWAY_MAX_HEADER_BYTES), 1 << 20)),
                    c.get(ConfigKeys.GATEWAY_REQUEST_TIMEOUT), c.get(ConfigKeys.GATEWAY_IDLE_TIMEOUT),
                    null, null, Math.toIntExact(c.get(ConfigKeys.GATEWAY_MAX_HTTP2_STREAMS)));
            if (cert.isEmpty() != key.isEmpty()) {
                throw new NodeException(Reason.CONFIG_INVALID, "config: gateway.tls_cert and gateway.tls_key must be set together");
            }
            if (!cert.isEmpty()) {
                Path certPath = repoDir.resolve(cert);
                Path keyPath = repoDir.resolve(key);
                for (Path p : List.of(certPath, keyPath)) {
                    if (!Files.isReadable(p)) {
                        throw new NodeException(Reason.CONFIG_INVALID, "config: gateway TLS file " + p + " is not readable");
                    }
                }
                g = g.withTls(certPath, keyPath);
            }
            return g;
        } catch (IllegalArgumentException e) {
            throw new NodeException(Reason.CONFIG_INVALID, "config: " + e.getMessage());
        }
    }

    @Override
    public boolean logsListenAddresses() {
        return true; // GatewayServer logs "gateway listening on ..." itself
    }

    @Override
    public List<String> start() {
        GatewayConfig config = gatewayConfig(ctx.config(), ctx.repo().dir());
        PieceStore store = ctx.store();
        try {
            GatewayHandler handler = new GatewayRoutes(IpldGatewayBackend.over(store.blockSource(), store.directory()));
            if (ctx.config().get(ConfigKeys.ROUTING_ENABLED)) {
                Predicate<Cid> offers = bitswap != null ? bitswap.engine()::offers
                        : cid -> !cid.isIdentity() && store.blockSource().has(cid);
                handler = new DelegatedRouting(handler, offers, this::providerRecords);
            }
            // The status page (/webui/); it calls the admin API, which allows CORS for this origin only.
            handler = new WebUi(handler, () -> {
                List<String> api = ctx.boundAddresses().get("api");
                return api == null || api.isEmpty() ? null : api.get(0);
            });
            server = new GatewayServer(config, handler, gate);
        } catch (GatewayException e) {
            throw new NodeException(Reason.CONFIG_INVALID, "config: " + e.getMessage());
        }
        try {
            server.start();
        } catch (GatewayException e) {
            throw new NodeException(Reason.BIND_FAILED, "gateway.listen: " + e.getMessage());
        } catch (Exception e) {
            // Netty rethrows a failed bind's BindException without wrapping it; the server's event
            // loops already run, so close them.
            server.close();
            throw new NodeException(Reason.BIND_FAILED, "gateway.listen: cannot listen on " + config.host() + ":"
                    + config.port() + ": " + e.getMessage());
        }
        ctx.metrics().registry().gauge("vrn.gateway.active_requests", server.stats(), s -> s.activeRequests());
        ctx.metrics().registry().gauge("vrn.gateway.open_connections", server.stats(), s -> s.openConnections());
        ctx.metrics().registry().more().counter("vrn.gateway.requests", List.of(), server.stats(), s -> s.requests());
        ctx.metrics().registry().more().counter("vrn.gateway.rejected_busy", List.of(), server.stats(), s -> s.rejectedBusy());
        return List.of(server.url());
    }

    /**
     * This node as a delegated-routing provider: its peer ID, the libp2p addresses (for
     * {@code transport-bitswap}) and the gateway as an {@code /http} multiaddr (for
     * {@code transport-ipfs-gateway-http}).
     */
    List<DelegatedRouting.ProviderRecord> providerRecords() {
        List<String> addrs = new ArrayList<>();
        List<String> protocols = new ArrayList<>();
        if (bitswap != null) {
            for (String a : ctx.boundAddresses().getOrDefault("libp2p", List.of())) {
                int p2p = a.indexOf("/p2p/");
                addrs.add(p2p < 0 ? a : a.substring(0, p2p));
            }
            protocols.add("transport-bitswap");
        }
        GatewayServer s = server;
        if (s != null) {
            addrs.add(httpMultiaddr(s.url()));
            protocols.add("transport-ipfs-gateway-http");
        }
        return List.of(new DelegatedRouting.ProviderRecord(ctx.identity().peerId().toString(), addrs, protocols));
    }

    /** {@code http://127.0.0.1:8080} → {@code /ip4/127.0.0.1/tcp/8080/http} ({@code /tls/http} for https). */
    static String httpMultiaddr(String url) {
        URI u = URI.create(url);
        String host = u.getHost();
        String proto;
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
            proto = "/ip6/";
        } else if (host.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
            proto = "/ip4/";
        } else {
            proto = "/dns/";
        }
        return proto + host + "/tcp/" + u.getPort() + ("https".equals(u.getScheme()) ? "/tls/http" : "/http");
    }

    @Override
    public void stop(Duration grace) {
        if (server != null) {
            server.close();
        }
    }
}
