package venus.retrieval.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP server on Netty. One port speaks, in cleartext, HTTP/1.1 (keep-alive,
 * pipelining) and h2c (prior knowledge or {@code Upgrade: h2c}); with a certificate it speaks TLS
 * with ALPN ({@code h2}, {@code http/1.1}). Requests go to a {@link GatewayHandler} on a worker
 * pool; {@link #close()} stops everything. Embeddable: {@code new GatewayServer(config.withListen("127.0.0.1", 0), …).start()}
 * then {@link #port()}.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    private final GatewayConfig config;
    private final GatewayStats stats = new GatewayStats();
    private final ServerContext context;
    private final ThreadPoolExecutor workers;
    private final SslContext ssl;
    private EventLoopGroup boss;
    private EventLoopGroup io;
    private Channel listener;

    /** A server answering with {@code handler}, every response passing {@code gate}. Call {@link #start()}. */
    public GatewayServer(GatewayConfig config, GatewayHandler handler, PaymentGate gate) {
        this.config = config;
        // Threads start on demand. Twice the request limit: an asynchronous payment decision hands the
        // response to a second task while the first one is still returning.
        this.workers = new ThreadPoolExecutor(0, 2 * config.maxConcurrentRequests() + 2, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemonThreads("vrn-gateway-worker"));
        this.context = new ServerContext(config, handler, gate, workers, stats);
        this.ssl = config.tls() ? sslContext(config) : null;
    }

    /** A server for the IPFS gateway routes ({@code /ipfs/}, {@code /piece/}) over {@code backend}. */
    public static GatewayServer forBackend(GatewayConfig config, GatewayBackend backend, PaymentGate gate) {
        return new GatewayServer(config, new GatewayRoutes(backend), gate);
    }

    private static SslContext sslContext(GatewayConfig config) {
        try {
            return SslContextBuilder.forServer(config.tlsCertificate().toFile(), config.tlsKey().toFile())
                    .sslProvider(SslProvider.JDK)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new GatewayException(GatewayException.Reason.INTERNAL,
                    "cannot load gateway TLS certificate " + config.tlsCertificate() + " / key " + config.tlsKey() + ": " + e.getMessage(), e);
        }
    }

    /** Binds and starts serving; returns this. */
    public synchronized GatewayServer start() {
        if (listener != null) {
            throw new IllegalStateException("already started");
        }
        boss = new MultiThreadIoEventLoopGroup(1, daemonThreads("vrn-gateway-accept"), NioIoHandler.newFactory());
        io = new MultiThreadIoEventLoopGroup(0, daemonThreads("vrn-gateway-io"), NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initConnection(ch);
                    }
                });
        io.netty.channel.ChannelFuture bound = b.bind(config.host(), config.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutdownGroups();
            Throwable e = bound.cause();
            throw new GatewayException(GatewayException.Reason.INTERNAL,
                    "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        listener = bound.channel();
        LOG.info("gateway listening on {}://{}:{}", config.tls() ? "https" : "http", config.host(), port());
        return this;
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The base URL ({@code http://host:port}, no trailing slash). */
    public String url() {
        String h = config.host();
        if ("0.0.0.0".equals(h)) {
            h = "127.0.0.1";
        } else if (h.contains(":")) {
            h = "[" + h + "]";
        }
        return (config.tls() ? "https" : "http") + "://" + h + ":" + port();
    }

    /** Live counters. */
    public GatewayStats stats() {
        return stats;
    }

    /** The configuration this server runs with. */
    public GatewayConfig config() {
        return config;
    }

    /** Stops listening, closes every connection and the worker pool. Idempotent. */
    @Override
    public synchronized void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        shutdownGroups();
        workers.shutdownNow();
    }

    private void shutdownGroups() {
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (io != null) {
            io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private void initConnection(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast("conn", new ConnectionTracker(stats));
        if (ssl != null) {
            p.addLast("tls", ssl.newHandler(ch.alloc()));
            p.addLast("alpn", new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                @Override
                protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                        ctx.pipeline().addLast(http2FrameCodec(), new Http2MultiplexHandler(streamInitializer("h2")));
                    } else {
                        ctx.pipeline().addLast(new HeaderTimeout(context.requestTimeoutNanos), httpCodec(), new RequestHandler(context, "http/1.1"));
                    }
                }
            });
            return;
        }
        HttpServerCodec codec = httpCodec();
        HttpServerUpgradeHandler.UpgradeCodecFactory upgrades = protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(http2FrameCodec(), new Http2MultiplexHandler(streamInitializer("h2c")))
                        : null;
        HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec, upgrades, 16 * 1024);
        // Installs the HTTP/2 handlers where it stands (before the HTTP/1 request handler), then leaves.
        ChannelHandlerAdapter priorKnowledge = new ChannelHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                ctx.pipeline().addAfter(ctx.name(), "h2-codec", http2FrameCodec());
                ctx.pipeline().addAfter("h2-codec", "h2-mux", new Http2MultiplexHandler(streamInitializer("h2c")));
                ctx.pipeline().remove(this);
            }
        };
        p.addLast("headers", new HeaderTimeout(context.requestTimeoutNanos));
        p.addLast("h2c", new CleartextHttp2ServerUpgradeHandler(codec, upgrade, priorKnowledge));
        p.addLast("http", new RequestHandler(context, "http/1.1"));
    }

    private HttpServerCodec httpCodec() {
        return new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(config.maxHeaderBytes())
                .setMaxChunkSize(16 * 1024));
    }

    private Http2FrameCodec http2FrameCodec() {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(config.maxHttp2Streams())
                        .maxHeaderListSize(config.maxHeaderBytes()))
                .validateHeaders(true)
                .build();
    }

    private ChannelInitializer<Channel> streamInitializer(String protocol) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new RequestHandler(context, protocol));
            }
        };
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Counts connections and closes one that stayed idle with no request in flight. */
    private static final class ConnectionTracker extends ChannelDuplexHandler {
        private final GatewayStats stats;

        ConnectionTracker(GatewayStats stats) {
            this.stats = stats;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            stats.openConnections.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stats.openConnections.decrementAndGet();
            ctx.fireChannelInactive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent e && e.state() == IdleState.ALL_IDLE) {
                // A request in flight has its own (progress) timeout; idle means nothing in flight and nothing moved.
                LOG.debug("idle connection {} with {} requests in flight", ctx.channel().remoteAddress(), RequestHandler.inFlight(ctx.channel()).get());
                if (RequestHandler.inFlight(ctx.channel()).get() == 0) {
                    ctx.close();
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
