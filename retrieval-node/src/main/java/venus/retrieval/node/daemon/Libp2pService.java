package venus.retrieval.node.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.host.Host;
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
        List<String> out = new ArrayList<>();
        for (Multiaddr m : host.listenAddrs()) {
            out.add(dialable(m.toString()));
        }
        return out;
    }

    /** A wildcard listen address is written as loopback: the address a local client can dial. */
    static String dialable(String multiaddr) {
        if (multiaddr.startsWith("/ip4/0.0.0.0/")) {
            return "/ip4/127.0.0.1/" + multiaddr.substring("/ip4/0.0.0.0/".length());
        }
        if (multiaddr.startsWith("/ip6/::/")) {
            return "/ip6/::1/" + multiaddr.substring("/ip6/::/".length());
        }
        return multiaddr;
    }

    @Override
    public void stop(Duration grace) {
        // Streams belong to the protocol services, which stopped before us (reverse start order).
        host.close();
    }
}
