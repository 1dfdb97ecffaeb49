package venus.retrieval.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An HTTP/2 cleartext client with prior knowledge (no upgrade), on Netty: what {@code curl --http2-prior-knowledge} does. */
final class H2Client implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    record Response(int status, Map<String, String> headers, byte[] body) {}

    H2Client(int port) throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                    }
                                }));
                    }
                }).connect("127.0.0.1", port).sync().channel();
    }

    /** One request on a new stream; the response aggregated. */
    Response request(String method, String path, Map<String, String> headers) throws Exception {
        return send(method, path, headers);
    }

    /**
     * Sends a request on a stream that does not read: no DATA is consumed, so no WINDOW_UPDATE goes
     * back and the server runs out of flow-control window. {@code drain.run()} starts reading.
     */
    CompletableFuture<Response> requestWithoutReading(String path, Runnable[] drain) throws Exception {
        CompletableFuture<Response> result = new CompletableFuture<>();
        Channel[] stream = new Channel[1];
        drain[0] = () -> stream[0].eventLoop().execute(() -> {
            stream[0].config().setAutoRead(true);
            stream[0].read();
        });
        stream[0] = open(result, false);
        write(stream[0], "GET", path, Map.of());
        return result;
    }

    private Response send(String method, String path, Map<String, String> headers) throws Exception {
        CompletableFuture<Response> result = new CompletableFuture<>();
        Channel stream = open(result, true);
        write(stream, method, path, headers);
        return result.get(30, TimeUnit.SECONDS);
    }

    private static void write(Channel stream, String method, String path, Map<String, String> headers) {
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), path, Unpooled.EMPTY_BUFFER);
        req.headers().set("host", "127.0.0.1");
        req.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "http");
        headers.forEach(req.headers()::set);
        stream.writeAndFlush(req);
    }

    private Channel open(CompletableFuture<Response> result, boolean autoRead) throws Exception {
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(64 << 20),
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                Map<String, String> h = new LinkedHashMap<>();
                                r.headers().forEach(e -> h.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
                                result.complete(new Response(r.status().code(), h, ByteBufUtil.getBytes(r.content())));
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                result.completeExceptionally(cause);
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                result.completeExceptionally(new IllegalStateException("stream closed without a response"));
                            }
                        });
            }
        }).option(io.netty.channel.ChannelOption.AUTO_READ, autoRead).open().sync().getNow();
        return stream;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
