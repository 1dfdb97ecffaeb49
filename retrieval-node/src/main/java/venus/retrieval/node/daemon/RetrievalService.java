package venus.retrieval.node.daemon;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.retrieval.PieceFinder;
import venus.retrieval.node.retrieval.RetrievalAsk;
import venus.retrieval.node.retrieval.RetrievalAsks;
import venus.retrieval.node.retrieval.Transports;
import venus.retrieval.node.retrieval.datatransfer.DataTransferNetwork;
import venus.retrieval.node.retrieval.provider.DealStore;
import venus.retrieval.node.retrieval.provider.RetrievalProvider;
import venus.retrieval.node.retrieval.query.QueryProtocol;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.Wallet;

/**
 * The Filecoin retrieval protocols on the daemon's libp2p host: query, transports, data-transfer,
 * and the provider whose hooks graphsync runs ({@link #hooks()}). Asks come from
 * {@code retrieval.*} (node-wide default) and {@code retrieval.miners} (per miner); deals are kept
 * in {@code REPO/lmdb/retrieval}. Handlers are set at construction, before the host starts.
 */
public final class RetrievalService implements NodeService {
    private static final Logger LOG = LoggerFactory.getLogger(RetrievalService.class);

    private final RetrievalProvider provider;
    private final RetrievalAsks asks;

    public RetrievalService(DaemonContext ctx, Host host, PaymentService payments) {
        NodeConfig c = ctx.config();
        this.asks = asks(ctx);
        PieceFinder finder = new PieceFinder(ctx.store().directory(), asks);
        DealStore deals = ctx.closeOnShutdown(DealStore.open(DealStore.directory(ctx.repo().dir())));
        this.provider = new RetrievalProvider(finder, payments.takesRetrievalPayments() ? payments::receiver : null, deals,
                c.get(ConfigKeys.RETRIEVAL_RESTART_WINDOW));
        new QueryProtocol(finder).register(host);
        Transports.register(host, Transports.ofHost(host, () -> gatewayMultiaddr(ctx)));
        provider.attachNetwork(DataTransferNetwork.register(host, provider));
        LOG.debug("retrieval asks: default {} attoFIL/byte, {} per-miner entries", asks.defaults().pricePerByte(),
                c.get(ConfigKeys.RETRIEVAL_MINERS).isBlank() ? 0 : c.get(ConfigKeys.RETRIEVAL_MINERS).split(";").length);
    }

    /** The effective asks (default and per miner), for the admin API. */
    public RetrievalAsks asks() {
        return asks;
    }

    /** The hooks graphsync must run (the provider). */
    public RetrievalProvider hooks() {
        return provider;
    }

    /** Parses the asks; CONFIG_INVALID naming the key on any bad value. */
    static RetrievalAsks asks(DaemonContext ctx) {
        NodeConfig c = ctx.config();
        Address pay;
        String configured = c.get(ConfigKeys.RETRIEVAL_PAYMENT_ADDRESS).strip();
        if (!configured.isEmpty()) {
            try {
                pay = Address.parse(configured);
            } catch (PaychException e) {
                throw new NodeException(NodeException.Reason.CONFIG_INVALID, "config: retrieval.payment_address: " + e.getMessage());
            }
        } else {
            try {
                pay = Wallet.open(ctx.repo().dir()).defaultAddress();
            } catch (PaychException e) {
                throw new NodeException(NodeException.Reason.CONFIG_INVALID,
                        "config: retrieval.payment_address is empty and the wallet has no default address (vrn wallet new)");
            }
        }
        RetrievalAsk def;
        try {
            def = new RetrievalAsk(c.get(ConfigKeys.RETRIEVAL_PRICE_PER_BYTE), c.get(ConfigKeys.RETRIEVAL_UNSEAL_PRICE),
                    c.get(ConfigKeys.RETRIEVAL_PAYMENT_INTERVAL), c.get(ConfigKeys.RETRIEVAL_PAYMENT_INTERVAL_INCREASE), pay);
        } catch (IllegalArgumentException e) {
            throw new NodeException(NodeException.Reason.CONFIG_INVALID, "config: retrieval.*: " + e.getMessage());
        }
        return RetrievalAsks.parse(c.get(ConfigKeys.RETRIEVAL_MINERS), def);
    }

    /** The gateway's base URL as {@code /ip4/H/tcp/P/http}, once it is bound. */
    private static Multiaddr gatewayMultiaddr(DaemonContext ctx) {
        List<String> g = ctx.boundAddresses().get("gateway");
        if (g == null || g.isEmpty()) {
            return null;
        }
        String url = g.get(0).replaceFirst("^https?://", "");
        boolean tls = g.get(0).startsWith("https://");
        int colon = url.lastIndexOf(':');
        String h = url.substring(0, colon).replace("[", "").replace("]", "");
        String proto = h.contains(":") ? "ip6" : (h.matches("[0-9.]+") ? "ip4" : "dns");
        try {
            return Multiaddr.parse("/" + proto + "/" + h + "/tcp/" + url.substring(colon + 1) + (tls ? "/https" : "/http"));
        } catch (Libp2pException e) {
            return null;
        }
    }

    @Override
    public String name() {
        return "retrieval";
    }

    @Override
    public List<String> start() {
        return List.of();
    }

    @Override
    public void stop(Duration grace) {
        provider.close();
    }
}
