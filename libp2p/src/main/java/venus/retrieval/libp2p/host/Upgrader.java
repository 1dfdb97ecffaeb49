package venus.retrieval.libp2p.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.libp2p.multistream.MultistreamHandler;
import venus.retrieval.libp2p.multistream.MultistreamNegotiation;
import venus.retrieval.libp2p.noise.NoiseFrameDecoder;
import venus.retrieval.libp2p.noise.NoiseHandshake;
import venus.retrieval.libp2p.noise.NoiseHandshakeHandler;
import venus.retrieval.libp2p.yamux.YamuxFrameDecoder;
import venus.retrieval.libp2p.yamux.YamuxFrameEncoder;
import venus.retrieval.libp2p.yamux.YamuxSession;

/**
 * Upgrades one TCP channel: multistream-select {@code /noise} → Noise XX → multistream-select
 * {@code /yamux/1.0.0} → Yamux session. Each stage installs the next behind itself, so the
 * pipeline ends as
 * {@code noise-frames → noise → yamux-decoder → yamux-encoder → yamux → errors}.
 * The whole upgrade must finish within the handshake timeout.
 */
final class Upgrader {
    static final String YAMUX = "/yamux/1.0.0";

    private final Host host;
    private final Channel channel;
    private final boolean initiator;
    private final PeerId expected;
    private final CompletableFuture<Connection> result;
    private ScheduledFuture<?> timeout;
    private NoiseHandshake secured;
    private ConnectionImpl connection;

    Upgrader(Host host, Channel channel, boolean initiator, PeerId expected, CompletableFuture<Connection> result) {
        this.host = host;
        this.channel = channel;
        this.initiator = initiator;
        this.expected = expected;
        this.result = result;
    }

    void install() {
        ChannelPipeline p = channel.pipeline();
        MultistreamNegotiation ms = initiator
                ? MultistreamNegotiation.dialer(List.of(NoiseHandshake.PROTOCOL_ID))
                : MultistreamNegotiation.listener(NoiseHandshake.PROTOCOL_ID::equals);
        p.addLast("ms-security", new MultistreamHandler(ms, this::onSecurityProtocol));
        p.addLast("errors", new ConnectionErrorHandler(this));
        long ms2 = host.config().handshakeTimeout().toMillis();
        timeout = channel.eventLoop().schedule(() -> {
            if (connection == null && channel.isActive()) {
                fail(new Libp2pException(Libp2pException.Reason.TIMEOUT, "connection upgrade did not finish within " + ms2 + " ms"));
            }
        }, ms2, TimeUnit.MILLISECONDS);
    }

    private void onSecurityProtocol(ChannelHandlerContext ctx, String protocol) {
        NoiseHandshake hs = new NoiseHandshake(initiator, host.identity().privateKey(), expected);
        ctx.pipeline().addAfter(ctx.name(), "noise-frames", new NoiseFrameDecoder());
        ctx.pipeline().addAfter("noise-frames", "noise", new NoiseHandshakeHandler(hs, this::onSecured));
    }

    private void onSecured(ChannelHandlerContext ctx, NoiseHandshake hs) {
        secured = hs;
        MultistreamNegotiation ms = initiator
                ? MultistreamNegotiation.dialer(List.of(YAMUX))
                : MultistreamNegotiation.listener(YAMUX::equals);
        ctx.pipeline().addAfter("noise", "ms-muxer", new MultistreamHandler(ms, this::onMuxer));
    }

    private void onMuxer(ChannelHandlerContext ctx, String protocol) {
        YamuxSession session = new YamuxSession(initiator, host.config().yamux(), s -> host.onInboundStream(connection, s), host.streams());
        ChannelPipeline p = ctx.pipeline();
        p.addAfter(ctx.name(), "yamux-decoder", new YamuxFrameDecoder(host.config().maxReceiveWindow()));
        p.addAfter("yamux-decoder", "yamux-encoder", new YamuxFrameEncoder());
        connection = new ConnectionImpl(channel, session, secured.remotePeer(), secured.remoteKey(), initiator,
                Multiaddr.fromSocketAddress((InetSocketAddress) channel.remoteAddress()),
                Multiaddr.fromSocketAddress((InetSocketAddress) channel.localAddress()));
        session.setConnection(connection);
        p.addAfter("yamux-encoder", "yamux", session);
        timeout.cancel(false);
        host.onConnected(connection);
        result.complete(connection);
    }

    /** The finished connection, or null while upgrading. */
    ConnectionImpl connection() {
        return connection;
    }

    /** The peer, once Noise verified it. */
    PeerId remotePeer() {
        return secured != null ? secured.remotePeer() : null;
    }

    Channel channel() {
        return channel;
    }

    Host host() {
        return host;
    }

    /** Ends the connection for {@code cause} (logged once by the error handler). */
    void fail(Libp2pException cause) {
        ConnectionErrorHandler h = channel.pipeline().get(ConnectionErrorHandler.class);
        if (h != null) {
            h.closeWith(cause);
        } else {
            channel.close();
        }
        result.completeExceptionally(cause);
    }

    void closed() {
        if (timeout != null) {
            timeout.cancel(false);
        }
        result.completeExceptionally(new Libp2pException(Libp2pException.Reason.CLOSED, "connection closed during its upgrade"));
        if (connection != null) {
            host.onDisconnected(connection);
        }
    }

    void failed(Libp2pException cause) {
        result.completeExceptionally(cause);
    }
}
