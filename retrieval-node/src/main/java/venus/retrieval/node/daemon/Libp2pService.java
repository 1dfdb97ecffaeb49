package venus.retrieval.node.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.yamux.StreamCounters;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.NodeException.Reason;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.NodeConfig;

/**
 * The libp2p host as a daemon service, listening on {@code libp2p.listen}. Protocol services
 * (Bitswap, retrieval) register their handlers on {@link #host()} in {@code Daemon.wire}, before start.
 */
public final class Libp2pService implements NodeService {
    private final DaemonContext ctx;
    private final Host host;

    public Libp2pService(DaemonContext ctx) {
        this.ctx = ctx;
        this.host = Host.create(ctx.identity(), hostConfig(ctx.config()));
    }

    /** The host: set protocol handlers here before the daemon starts. */
    public Host host() {
        return host;
    }

    static HostConfig hostConfig(NodeConfig c) {
        return HostConfig.defaults()
                .withMaxConnections(Math.toIntExact(c.get(ConfigKeys.LIBP2P_MAX_CONNECTIONS)))
                .withMaxStreamsPerConnection(Math.toIntExact(c.get(ConfigKeys.LIBP2P_MAX_STREAMS_PER_CONNECTION)))
                .withHandshakeTimeout(c.get(ConfigKeys.LIBP2P_HANDSHAKE_TIMEOUT));
    }

    @Override
    public String name() {
        return "libp2p";
    }

    @Override
    public boolean logsListenAddresses() {
        return true; // the Host logs one line per listener itself
    }

    @Override
    public List<String> start() {
        List<Multiaddr> listen = new ArrayList<>();
        for (String a : ctx.config().get(ConfigKeys.LIBP2P_LISTEN)) {
            try {
                listen.add(Multiaddr.parse(a));
            } catch (Libp2pException e) {
                throw new NodeException(Reason.CONFIG_INVALID, "config: libp2p.listen: " + e.getMessage());
            }
        }
        try {
            host.start(listen);
        } catch (Libp2pException e) {
            throw new NodeException(Reason.BIND_FAILED, "libp2p.listen: " + e.getMessage());
        }
        ctx.metrics().registry().gauge("vrn.libp2p.connections", host, h -> h.connections().size());
        StreamCounters streams = host.streams();
        io.micrometer.core.instrument.Gauge.builder("vrn.libp2p.streams", streams, StreamCounters::open)
                .description("open libp2p streams over every connection").register(ctx.metrics().registry());
        io.micrometer.core.instrument.FunctionCounter.builder("vrn.libp2p.streams.opened", streams, StreamCounters::openedInbound)
                .tag("direction", "inbound").description("libp2p streams opened, by direction").register(ctx.metrics().registry());
        io.micrometer.core.instrument.FunctionCounter.builder("vrn.libp2p.streams.opened", streams, StreamCounters::openedOutbound)
                .tag("direction", "outbound").description("libp2p streams opened, by direction").register(ctx.metrics().registry());
        List<Multiaddr> bound = host.listenAddrs();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < bound.size(); i++) {
            out.add(dialable(i < listen.size() ? listen.get(i).toString() : bound.get(i).toString(), bound.get(i).toString()));
        }
        return out;
    }

    /**
     * The address a local client dials: the configured address with the port actually bound; a
     * wildcard host becomes loopback. (A wildcard IPv4 bind may report itself as the IPv6 wildcard on
     * a dual-stack socket, so the host comes from the configuration, the port from the socket.)
     */
    static String dialable(String configured, String bound) {
        String port = bound.substring(bound.lastIndexOf('/') + 1);
        String base = configured.substring(0, configured.lastIndexOf('/') + 1);
        if (base.startsWith("/ip4/0.0.0.0/")) {
            base = "/ip4/127.0.0.1/" + base.substring("/ip4/0.0.0.0/".length());
        } else if (base.startsWith("/ip6/::/")) {
            base = "/ip6/::1/" + base.substring("/ip6/::/".length());
        }
        return base + port;
    }

    @Override
    public void stop(Duration grace) {
        // Streams belong to the protocol services, which stopped before us (reverse start order).
        host.close();
    }
}
