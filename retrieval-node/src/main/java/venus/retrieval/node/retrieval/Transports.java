package venus.retrieval.node.retrieval;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;

/**
 * {@value #PROTOCOL} (filecoin-retrieval.md §8.1): as soon as a client opens the stream the provider
 * writes {@code {"Protocols": [{"Name", "Addresses": [binary multiaddr...]}...]}} and closes, as
 * Boost does. We list {@code libp2p} (graphsync + data-transfer; host addresses with /p2p),
 * {@code bitswap} when the host serves it, and {@code http} (the gateway, {@code /ip4/H/tcp/P/http}).
 */
public final class Transports {
    public static final String PROTOCOL = "/fil/retrieval/transports/1.0.0";
    public static final int MAX_MESSAGE = 64 * 1024;

    /** One protocol and the addresses it is served on. */
    public record Entry(String name, List<Multiaddr> addresses) {
        public Entry {
            Objects.requireNonNull(name, "name");
            addresses = List.copyOf(addresses);
        }
    }

    private Transports() {}

    /** The data-model form. */
    public static Node toNode(List<Entry> entries) {
        List<Node> ps = new ArrayList<>();
        for (Entry e : entries) {
            List<Node> as = new ArrayList<>();
            for (Multiaddr a : e.addresses()) {
                as.add(Node.bytes(a.bytes()));
            }
            ps.add(Node.mapBuilder().put("Name", Node.string(e.name())).put("Addresses", Node.list(as)).build());
        }
        return Node.mapBuilder().put("Protocols", Node.list(ps)).build();
    }

    public static byte[] encode(List<Entry> entries) {
        return DagCbor.encode(toNode(entries));
    }

    /** Reads the answer; unknown keys ignored, addresses must be valid binary multiaddrs. */
    public static List<Entry> fromNode(Node n) {
        Wire.map(n, "Transports");
        Node ps = Wire.field(n, "Protocols", "Transports");
        if (ps.kind() != Kind.LIST) {
            throw Wire.bad("Transports.Protocols: expected a list");
        }
        List<Entry> out = new ArrayList<>();
        for (Node p : ps.elements()) {
            Wire.map(p, "Transports.Protocols[]");
            String name = Wire.text(Wire.field(p, "Name", "Transports.Protocols[]"), "Name");
            Node as = Wire.field(p, "Addresses", "Transports.Protocols[]");
            if (as.kind() != Kind.LIST) {
                throw Wire.bad("Transports.Protocols[].Addresses: expected a list");
            }
            List<Multiaddr> addrs = new ArrayList<>();
            for (Node a : as.elements()) {
                if (a.kind() != Kind.BYTES) {
                    throw Wire.bad("Transports address: expected bytes");
                }
                try {
                    addrs.add(Multiaddr.decode(a.asBytes()));
                } catch (Libp2pException e) {
                    throw Wire.bad("Transports address: " + e.getMessage());
                }
            }
            out.add(new Entry(name, addrs));
        }
        return out;
    }

    /**
     * What this node lists: libp2p host addresses with /p2p, the same for bitswap when
     * {@code bitswapProtocol} is served, and the gateway as {@code /ip4/H/tcp/P/http} when not null.
     */
    public static Supplier<List<Entry>> ofHost(Host host, Supplier<Multiaddr> gateway) {
        return () -> {
            List<Multiaddr> addrs = new ArrayList<>();
            for (Multiaddr a : host.listenAddrs()) {
                addrs.add(a.withPeerId(host.peerId()));
            }
            List<Entry> out = new ArrayList<>();
            out.add(new Entry("libp2p", addrs));
            if (host.protocols().stream().anyMatch(p -> p.startsWith("/ipfs/bitswap/"))) {
                out.add(new Entry("bitswap", addrs));
            }
            Multiaddr g = gateway == null ? null : gateway.get();
            if (g != null) {
                out.add(new Entry("http", List.of(g)));
            }
            return out;
        };
    }

    /** Serves {@code entries} on {@code host}. */
    public static void register(Host host, Supplier<List<Entry>> entries) {
        host.setHandler(PROTOCOL, stream -> {
            stream.setListener(new Stream.Listener() {
                @Override
                public void onData(Stream s, io.netty.buffer.ByteBuf data) {
                    data.release(); // the client sends nothing; ignore whatever it does
                }
            });
            stream.write(Unpooled.wrappedBuffer(encode(entries.get())));
            stream.closeWrite();
        });
    }

    /** Client side: what a provider lists. */
    public static List<Entry> fetch(Host host, Multiaddr provider, Duration timeout) {
        return fromNode(RequestReply.exchange(host, provider, PROTOCOL, null, MAX_MESSAGE, timeout, "transports"));
    }
}
