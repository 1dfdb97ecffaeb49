package venus.retrieval.libp2p.host;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.ConnectionListener;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.ProtocolHandler;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.identify.Identify;
import venus.retrieval.libp2p.identify.IdentifyMessage;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.libp2p.multiaddr.Protocol;
import venus.retrieval.libp2p.multistream.MultistreamNegotiation;
import venus.retrieval.libp2p.ping.Ping;
import venus.retrieval.libp2p.crypto.PubKey;
import venus.retrieval.libp2p.yamux.StreamCounters;
import venus.retrieval.libp2p.yamux.YamuxStream;

/**
 * A libp2p host on Netty: listens and dials TCP, upgrades every connection (multistream-select →
 * Noise → Yamux), identifies each new peer, answers ping, and routes inbound streams to the
 * {@link ProtocolHandler} registered for their protocol.
 *
 * <pre>{@code
 * Host host = Host.create(PeerIdentity.loadOrCreate(repo.resolve(PeerIdentity.KEY_FILE)), HostConfig.defaults());
 * host.setHandler("/ipfs/bitswap/1.2.0", stream -> stream.setListener(...));
 * host.start(List.of(Multiaddr.parse("/ip4/0.0.0.0/tcp/4001")));
 * Stream s = host.newStream(Multiaddr.parse("/ip4/10.0.0.2/tcp/4001/p2p/12D3KooW…"), List.of("/ipfs/bitswap/1.2.0")).join();
 * host.close();
 * }</pre>
 */
public final class Host implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Host.class);

    private final PeerIdentity identity;
    private final HostConfig config;
    private final Map<String, ProtocolHandler> handlers = new ConcurrentHashMap<>();
    private final Set<ConnectionImpl> connections = ConcurrentHashMap.newKeySet();
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Channel> serverChannels = new CopyOnWriteArrayList<>();
    private final List<Multiaddr> listenAddrs = new CopyOnWriteArrayList<>();
    private final AtomicInteger channels = new AtomicInteger();
    private final StreamCounters streams = new StreamCounters();
    private EventLoopGroup group;
    private volatile boolean closed;

    private Host(PeerIdentity identity, HostConfig config) {
        this.identity = identity;
        this.config = config;
        handlers.put(Identify.PROTOCOL_ID, this::answerIdentify);
        handlers.put(Ping.PROTOCOL_ID, Ping.handler());
        handlers.put(Identify.PUSH_PROTOCOL_ID, this::receivePush);
    }

    /** A host with this identity and these limits; call {@link #start} to listen or dial. */
    public static Host create(PeerIdentity identity, HostConfig config) {
        return new Host(identity, config);
    }

    /** Starts the event loops without listening (dial only). */
    public Host start() {
        return start(List.of());
    }

    /**
     * Starts the event loops and listens on every TCP multiaddr in {@code listen} (port 0 picks a
     * free port; see {@link #listenAddrs()}).
     *
     * @throws Libp2pException UNSUPPORTED for non-TCP addresses, IO when a port cannot be bound
     */
    public synchronized Host start(List<Multiaddr> listen) {
        if (closed) {
            throw new Libp2pException(Libp2pException.Reason.CLOSED, "host is closed");
        }
        if (group == null) {
            group = new MultiThreadIoEventLoopGroup(config.ioThreads(), NioIoHandler.newFactory());
        }
        for (Multiaddr addr : listen) {
            InetSocketAddress sa = addr.toTcpSocketAddress();
            if (sa.isUnresolved()) {
                throw new Libp2pException(Libp2pException.Reason.UNSUPPORTED, "listen on an IP address, not a name: " + addr);
            }
            ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .childOption(READ_ALLOCATOR, readAllocator())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            initInbound(ch);
                        }
                    });
            ChannelFuture f = b.bind(sa).awaitUninterruptibly();
            if (!f.isSuccess()) {
                throw new Libp2pException(Libp2pException.Reason.IO, "cannot listen on " + addr + ": " + f.cause().getMessage(), f.cause());
            }
            serverChannels.add(f.channel());
            Multiaddr bound = Multiaddr.fromSocketAddress((InetSocketAddress) f.channel().localAddress());
            listenAddrs.add(bound);
            LOG.info("libp2p listening on {}/p2p/{}", bound, peerId());
        }
        return this;
    }

    /** This host's peer ID. */
    public PeerId peerId() {
        return identity.peerId();
    }

    /** This host's identity. */
    public PeerIdentity identity() {
        return identity;
    }

    /** The limits this host runs with. */
    public HostConfig config() {
        return config;
    }

    /** The bound listen addresses (ports resolved), without {@code /p2p}. */
    public List<Multiaddr> listenAddrs() {
        return List.copyOf(listenAddrs);
    }

    /** Serves {@code protocolId} with {@code handler} on streams peers open (replaces an earlier one). */
    public void setHandler(String protocolId, ProtocolHandler handler) {
        handlers.put(protocolId, handler);
    }

    /** Stops serving {@code protocolId}. */
    public void removeHandler(String protocolId) {
        handlers.remove(protocolId);
    }

    /** The protocols we accept inbound (what identify advertises). */
    public List<String> protocols() {
        List<String> out = new ArrayList<>(handlers.keySet());
        Collections.sort(out);
        return out;
    }

    /** Hears about connections. */
    public void addConnectionListener(ConnectionListener l) {
        listeners.add(l);
    }

    public void removeConnectionListener(ConnectionListener l) {
        listeners.remove(l);
    }

    /** Open connections. */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** Streams over all of this host's connections: open now, and opened each way since start. */
    public StreamCounters streams() {
        return streams;
    }

    /** An open connection to {@code peer}, or null. */
    public Connection connection(PeerId peer) {
        for (ConnectionImpl c : connections) {
            if (c.remotePeer().equals(peer) && c.isOpen()) {
                return c;
            }
        }
        return null;
    }

    /**
     * Dials {@code addr} ({@code /ip4|ip6|dns4|dns6|dns/…/tcp/…}, optionally ending in
     * {@code /p2p/<id>}, which the Noise handshake then verifies).
     */
    public CompletableFuture<Connection> connect(Multiaddr addr) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        if (closed || group == null) {
            result.completeExceptionally(new Libp2pException(Libp2pException.Reason.CLOSED, "host is not started"));
            return result;
        }
        InetSocketAddress sa;
        PeerId expected;
        try {
            sa = addr.toTcpSocketAddress();
            expected = addr.peerId();
        } catch (Libp2pException e) {
            result.completeExceptionally(e);
            return result;
        }
        if (channels.get() >= config.maxConnections()) {
            result.completeExceptionally(new Libp2pException(Libp2pException.Reason.LIMIT_EXCEEDED, "connection limit " + config.maxConnections() + " reached"));
            return result;
        }
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.handshakeTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .option(READ_ALLOCATOR, readAllocator())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        track(ch);
                        new Upgrader(Host.this, ch, true, expected, result).install();
                    }
                });
        b.connect(sa).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new Libp2pException(Libp2pException.Reason.IO, "cannot connect to " + addr + ": " + f.cause().getMessage(), f.cause()));
            }
        });
        return result;
    }

    /** Opens a stream on {@code connection}, proposing {@code protocolIds} in order. */
    public CompletableFuture<Stream> newStream(Connection connection, List<String> protocolIds) {
        return connection.newStream(protocolIds);
    }

    /** Opens a stream on an existing connection to {@code peer}. */
    public CompletableFuture<Stream> newStream(PeerId peer, List<String> protocolIds) {
        Connection c = connection(peer);
        if (c == null) {
            return CompletableFuture.failedFuture(new Libp2pException(Libp2pException.Reason.CLOSED, "not connected to " + peer));
        }
        return c.newStream(protocolIds);
    }

    /** Opens a stream to the peer at {@code addr}, reusing a connection to its {@code /p2p} id when one is open. */
    public CompletableFuture<Stream> newStream(Multiaddr addr, List<String> protocolIds) {
        PeerId peer;
        try {
            peer = addr.peerId();
        } catch (Libp2pException e) {
            return CompletableFuture.failedFuture(e);
        }
        Connection existing = peer != null ? connection(peer) : null;
        CompletableFuture<Connection> c = existing != null ? CompletableFuture.completedFuture(existing) : connect(addr);
        return c.thenCompose(conn -> conn.newStream(protocolIds));
    }

    /** Pings the peer of {@code connection} over {@code /ipfs/ping/1.0.0}. */
    public CompletableFuture<Duration> ping(Connection connection) {
        return connection.newStream(List.of(Ping.PROTOCOL_ID)).thenCompose(Ping::ping);
    }

    /** Closes every connection and listener and stops the event loops. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Channel c : serverChannels) {
            c.close().awaitUninterruptibly();
        }
        for (ConnectionImpl c : connections) {
            c.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    // ---- connection plumbing ----

    private void initInbound(SocketChannel ch) {
        if (closed || channels.get() >= config.maxConnections()) {
            LOG.info("refusing connection from {}: connection limit {} reached", ch.remoteAddress(), config.maxConnections());
            ch.close();
            return;
        }
        track(ch);
        new Upgrader(this, ch, false, null, new CompletableFuture<>()).install();
    }

    private void track(Channel ch) {
        channels.incrementAndGet();
        ch.closeFuture().addListener(f -> channels.decrementAndGet());
    }

    void onConnected(ConnectionImpl c) {
        connections.add(c);
        LOG.debug("connected to {} at {} ({})", c.remotePeer(), c.remoteAddress(), c.isInitiator() ? "outbound" : "inbound");
        for (ConnectionListener l : listeners) {
            try {
                l.onConnected(c);
            } catch (RuntimeException e) {
                LOG.warn("connection listener failed: {}", e.toString());
            }
        }
        // identify every new connection (both sides do, as Kubo and js-libp2p do)
        c.newStream(List.of(Identify.PROTOCOL_ID))
                .thenCompose(Identify::request)
                .whenComplete((msg, err) -> {
                    if (err != null) {
                        LOG.debug("identify of {} failed: {}", c.remotePeer(), err.toString());
                        c.identifiedFuture().completeExceptionally(err);
                        return;
                    }
                    onIdentified(c, msg);
                });
    }

    private void onIdentified(ConnectionImpl c, IdentifyMessage msg) {
        Connection.PeerInfo info;
        try {
            info = merge(c, c.peerInfo(), msg);
        } catch (Libp2pException e) {
            LOG.debug("identify of {} rejected: {}", c.remotePeer(), e.getMessage());
            c.identifiedFuture().completeExceptionally(e);
            return;
        }
        c.peerInfo(info);
        for (ConnectionListener l : listeners) {
            try {
                l.onIdentified(c, info);
            } catch (RuntimeException e) {
                LOG.warn("connection listener failed: {}", e.toString());
            }
        }
    }

    /** Applies an identify (or push) message: fields it carries replace, missing ones stay. */
    private static Connection.PeerInfo merge(ConnectionImpl c, Connection.PeerInfo old, IdentifyMessage msg) {
        PubKey key = c.remotePublicKey();
        if (msg.publicKey() != null && !PubKey.decode(msg.publicKey()).equals(key)) {
            throw new Libp2pException(Libp2pException.Reason.PEER_MISMATCH, "identify public key does not match the connection's peer");
        }
        boolean first = old == null;
        return new Connection.PeerInfo(c.remotePeer(), key,
                first || !msg.protocols().isEmpty() ? msg.protocols() : old.protocols(),
                first || !msg.listenAddrs().isEmpty() ? msg.listenAddrs() : old.listenAddrs(),
                msg.observedAddr() != null || first ? msg.observedAddr() : old.observedAddr(),
                msg.protocolVersion() != null || first ? msg.protocolVersion() : old.protocolVersion(),
                msg.agentVersion() != null || first ? msg.agentVersion() : old.agentVersion());
    }

    private void receivePush(Stream stream) {
        ConnectionImpl c = (ConnectionImpl) stream.connection();
        Identify.receivePush(stream).whenComplete((msg, err) -> {
            if (err != null) {
                LOG.debug("identify push from {} failed: {}", c.remotePeer(), err.toString());
            } else {
                onIdentified(c, msg);
            }
        });
    }

    void onDisconnected(ConnectionImpl c) {
        if (connections.remove(c)) {
            for (ConnectionListener l : listeners) {
                try {
                    l.onDisconnected(c);
                } catch (RuntimeException e) {
                    LOG.warn("connection listener failed: {}", e.toString());
                }
            }
        }
    }

    void onInboundStream(ConnectionImpl c, YamuxStream s) {
        s.negotiate(MultistreamNegotiation.listener(handlers::containsKey), new YamuxStream.NegotiationCallback() {
            @Override
            public void negotiated(YamuxStream stream, String protocol) {
                ProtocolHandler h = handlers.get(protocol);
                if (h == null) {
                    stream.reset();
                    return;
                }
                try {
                    h.handle(stream);
                } catch (RuntimeException e) {
                    LOG.warn("handler for {} failed on a stream from {}: {}", protocol, c.remotePeer(), e.toString());
                    stream.reset();
                }
            }

            @Override
            public void failed(YamuxStream stream, Libp2pException cause) {
                LOG.debug("inbound stream from {} not negotiated: {}", c.remotePeer(), cause.getMessage());
            }
        });
    }

    private void answerIdentify(Stream stream) {
        Connection c = stream.connection();
        List<Multiaddr> addrs = new ArrayList<>();
        for (Multiaddr a : listenAddrs) {
            if (!isUnspecified(a)) {
                addrs.add(a);
            }
        }
        if (addrs.isEmpty() && !listenAddrs.isEmpty() && c != null) {
            // bound to 0.0.0.0: advertise the address the peer reached us on
            addrs.add(c.localAddress());
        }
        IdentifyMessage m = new IdentifyMessage(Identify.PROTOCOL_VERSION, config.agentVersion(), identity.publicKey().bytes(),
                addrs, c != null ? c.remoteAddress() : null, protocols());
        Identify.respond(stream, m);
    }

    private static boolean isUnspecified(Multiaddr a) {
        String ip4 = a.valueOf(Protocol.IP4);
        String ip6 = a.valueOf(Protocol.IP6);
        return "0.0.0.0".equals(ip4) || "::".equals(ip6);
    }

    @SuppressWarnings("deprecation") // Netty 4.2 deprecates it but has no replacement yet
    private static final ChannelOption<io.netty.channel.RecvByteBufAllocator> READ_ALLOCATOR = ChannelOption.RCVBUF_ALLOCATOR;

    /**
     * Socket reads of up to 1 MiB (Netty's default stops at 64 KiB): a bulk stream then needs a
     * quarter of the read calls and decoder passes. Buffers only grow while reads fill them, and are
     * released after each read, so quiet connections keep small ones.
     */
    static io.netty.channel.RecvByteBufAllocator readAllocator() {
        return new io.netty.channel.AdaptiveRecvByteBufAllocator(512, 64 * 1024, 1024 * 1024);
    }
}
