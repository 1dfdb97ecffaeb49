package venus.retrieval.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the requests of one HTTP/1.1 connection (one at a time, pipelined ones queued) or of one
 * HTTP/2 stream. Parsing is the codec's job; this handler only sequences requests, enforces the
 * limits and moves work to the worker pool, where the {@link GatewayHandler}, the
 * {@link PaymentGate} and the body writer run.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);
    private static final int MAX_PIPELINED = 16;
    private static final io.netty.util.AttributeKey<java.util.concurrent.atomic.AtomicInteger> IN_FLIGHT =
            io.netty.util.AttributeKey.valueOf("vrn.gateway.inFlight");

    /** Requests in flight on a connection (all its HTTP/2 streams included). */
    static java.util.concurrent.atomic.AtomicInteger inFlight(Channel connection) {
        java.util.concurrent.atomic.AtomicInteger n = connection.attr(IN_FLIGHT).get();
        if (n == null) {
            n = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger prev = connection.attr(IN_FLIGHT).setIfAbsent(n);
            if (prev != null) {
                n = prev;
            }
        }
        return n;
    }

    /** The TCP connection: an HTTP/2 stream's parent, else the channel itself (whose parent is the listener). */
    private static Channel connection(Channel ch) {
        return ch instanceof io.netty.handler.codec.http2.Http2StreamChannel ? ch.parent() : ch;
    }

    private final ServerContext server;
    private final String protocol;
    private final boolean http2;
    private final ArrayDeque<HttpRequest> queue = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean busy;
    private volatile ChannelBodySink sink;

    RequestHandler(ServerContext server, String protocol) {
        this.server = server;
        this.protocol = protocol;
        this.http2 = !"http/1.1".equals(protocol);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            HeaderTimeout headers = ctx.pipeline().get(HeaderTimeout.class);
            if (headers != null) {
                headers.requestStarted();
            }
            try {
                if (!req.decoderResult().isSuccess()) {
                    rejectMalformed(req.decoderResult().cause());
                    return;
                }
                if (busy) {
                    if (queue.size() >= MAX_PIPELINED) {
                        ctx.close();
                        return;
                    }
                    queue.add(copyHead(req));
                    return;
                }
                start(copyHead(req));
            } finally {
                ReferenceCountUtil.release(msg);
            }
        } else {
            // Request bodies are never used (GET/HEAD/OPTIONS only): drop them.
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ChannelBodySink s = sink;
        if (s != null) {
            s.signal();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ChannelBodySink s = sink;
        if (s != null) {
            s.signal();
        }
        queue.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            LOG.debug("gateway connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString(), cause);
        }
        ctx.close();
    }

    private static HttpRequest copyHead(HttpRequest req) {
        // Keep only method, target, version and headers (a FullHttpRequest's body is released by the caller).
        return new io.netty.handler.codec.http.DefaultHttpRequest(req.protocolVersion(), req.method(), req.uri(), req.headers().copy());
    }

    private void rejectMalformed(Throwable cause) {
        HttpResponseStatus status;
        if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        } else if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
        }
        FullHttpResponse r = simple(status, status.reasonPhrase());
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        busy = true;
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private static FullHttpResponse simple(HttpResponseStatus status, String text) {
        byte[] body = (status.code() + " " + text + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        Cors.apply(r.headers());
        return r;
    }

    private void start(HttpRequest req) {
        busy = true;
        if (!http2) {
            ctx.channel().config().setAutoRead(false);
        }
        server.stats.requests.incrementAndGet();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!server.tryAcquire()) {
            server.stats.rejectedBusy.incrementAndGet();
            FullHttpResponse r = simple(HttpResponseStatus.SERVICE_UNAVAILABLE, "too many requests in flight, retry later");
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            writeSimple(r, keepAlive);
            return;
        }
        Exchange ex = new Exchange(req, keepAlive);
        inFlight(connection(ctx.channel())).incrementAndGet();
        ex.timeout = ctx.executor().schedule(ex::timedOut, server.requestTimeoutNanos, TimeUnit.NANOSECONDS);
        try {
            server.workers.execute(ex::run);
        } catch (RejectedExecutionException e) {
            ex.timeout.cancel(false);
            server.release();
            inFlight(connection(ctx.channel())).decrementAndGet();
            server.stats.rejectedBusy.incrementAndGet();
            FullHttpResponse r = simple(HttpResponseStatus.SERVICE_UNAVAILABLE, "server is shutting down or overloaded");
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            writeSimple(r, keepAlive);
        }
    }

    private void writeSimple(FullHttpResponse r, boolean keepAlive) {
        if (!keepAlive && !http2) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(r).addListener(f -> done(keepAlive && f.isSuccess()));
    }

    /** Called on the event loop when a response has been fully written (or abandoned). */
    private void done(boolean keepAlive) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> done(keepAlive));
            return;
        }
        sink = null;
        if (!keepAlive || http2) {
            if (!http2) {
                ctx.close();
            }
            return;
        }
        busy = false;
        HeaderTimeout headers = ctx.pipeline().get(HeaderTimeout.class);
        if (headers != null) {
            headers.requestDone();
        }
        HttpRequest next = queue.poll();
        if (next != null) {
            start(next);
        } else {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
    }

    /** One request in flight: runs on a worker thread, except {@link #timedOut()}. */
    private final class Exchange {
        private final HttpRequest req;
        private final boolean keepAlive;
        private final AtomicBoolean started = new AtomicBoolean();
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile int status;
        ScheduledFuture<?> timeout;

        Exchange(HttpRequest req, boolean keepAlive) {
            this.req = req;
            this.keepAlive = keepAlive;
        }

        void run() {
            Channel ch = ctx.channel();
            GatewayRequest request = GatewayRequest.of(req.method().name(), req.uri(), req.headers(), remote(ch), protocol);
            GatewayResponse response;
            try {
                response = server.handler.handle(request);
            } catch (GatewayException e) {
                response = GatewayResponse.text(e.status(), e.status() + " " + HttpResponseStatus.valueOf(e.status()).reasonPhrase() + ": " + e.getMessage());
            } catch (RuntimeException | Error e) {
                LOG.warn("gateway request {} {} failed: {}", req.method(), req.uri(), e.toString(), e);
                response = GatewayResponse.text(500, "500 Internal Server Error: " + e);
            }
            if (response.paidContent() == null || response.status() >= 300) {
                send(request, response, null);
                return;
            }
            PaymentRequest pr = new PaymentRequest(request, response.paidContent(), response.kind(), response.body());
            GatewayResponse r = response;
            CompletionStage<PaymentDecision> decision;
            try {
                decision = server.gate.decide(pr);
            } catch (RuntimeException e) {
                LOG.warn("payment gate failed for {}: {}", req.uri(), e.toString());
                send(request, GatewayResponse.text(500, "500 Internal Server Error: payment gate failed"), null);
                return;
            }
            decision.whenCompleteAsync((d, err) -> {
                if (err != null || d == null) {
                    LOG.warn("payment gate failed for {}: {}", req.uri(), String.valueOf(err));
                    send(request, GatewayResponse.text(500, "500 Internal Server Error: payment gate failed"), null);
                } else if (d instanceof PaymentDecision.Refuse refuse) {
                    GatewayResponse x = new GatewayResponse(refuse.status()).body(ResponseBody.of(refuse.body()));
                    x.header(HttpHeaderNames.CONTENT_TYPE, refuse.contentType());
                    refuse.headers().forEach(x::header);
                    send(request, x, null);
                } else {
                    for (Map.Entry<String, String> h : ((PaymentDecision.Allow) d).headers().entrySet()) {
                        r.header(h.getKey(), h.getValue());
                    }
                    send(request, r, pr);
                }
            }, server.workers);
        }

        private void send(GatewayRequest request, GatewayResponse response, PaymentRequest paid) {
            long sent = 0;
            boolean complete = false;
            boolean reportLater = false;
            try {
                if (!started.compareAndSet(false, true)) {
                    return; // the timeout answered already
                }
                timeout.cancel(false);
                Channel ch = ctx.channel();
                ResponseBody body = response.body();
                long length = body == null ? 0 : body.length();
                boolean keep = keepAlive;
                status = response.status();
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()));
                head.headers().set(response.headers());
                Cors.apply(head.headers());
                if (response.status() == 304) {
                    length = 0; // no body, and no Content-Length that would describe an empty representation
                } else if (length >= 0) {
                    head.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
                } else if (!http2) {
                    if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                        keep = false; // HTTP/1.0 has no chunked framing: the close ends the body
                    } else {
                        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                    }
                }
                if (!keep && !http2) {
                    head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
                boolean withBody = body != null && !request.head() && response.status() != 304 && response.status() != 204;
                if (!withBody) {
                    ch.write(head);
                    boolean k = keep;
                    ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> finish(k && f.isSuccess()));
                    complete = true;
                    return;
                }
                ChannelBodySink s = new ChannelBodySink(ch, server.zeroCopy && !http2, server.requestTimeoutNanos, server.stats);
                sink = s;
                ch.write(head);
                try {
                    body.writeTo(s);
                    s.finish();
                } catch (IOException | RuntimeException e) {
                    s.discard();
                    if (e instanceof IOException) {
                        LOG.debug("gateway response {} aborted after {} bytes: {}", request.uri(), s.written(), e.toString());
                    } else {
                        LOG.warn("gateway response {} failed after {} bytes: {}", request.uri(), s.written(), e.toString(), e);
                    }
                    ChannelFuture last = s.lastWrite();
                    // The status line is out: a truncated body (connection/stream closed) is the only signal left.
                    ch.close();
                    finish(false);
                    if (paid != null && last != null) {
                        // writes settle in order: once the last has (written, or failed by the close), the count is final
                        last.addListener(f -> report(paid, request, s.delivered(), false));
                        reportLater = true;
                    }
                    return;
                }
                boolean k = keep;
                ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> {
                    if (paid != null) {
                        // charged: what the transport wrote, complete only if the end of the body went out too
                        report(paid, request, s.delivered(), f.isSuccess());
                    }
                    finish(k && f.isSuccess());
                });
                reportLater = paid != null;
            } finally {
                if (paid != null && !reportLater) {
                    report(paid, request, sent, complete);
                }
            }
        }

        /** Tells the payment gate how many body bytes went out (exactly once per paid response). */
        private void report(PaymentRequest paid, GatewayRequest request, long sent, boolean complete) {
            try {
                server.gate.delivered(paid, sent, complete);
            } catch (RuntimeException e) {
                LOG.warn("payment gate delivery report failed for {}: {}", request.uri(), e.toString());
            }
        }

        /** On the event loop: no response started within the request timeout. */
        void timedOut() {
            if (!started.compareAndSet(false, true)) {
                return;
            }
            status = 504;
            FullHttpResponse r = simple(HttpResponseStatus.GATEWAY_TIMEOUT, "no response within the request timeout");
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            // The worker may still be busy with this request: close so the connection is not reused.
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            finish(false);
        }

        private void finish(boolean keep) {
            if (finished.compareAndSet(false, true)) {
                inFlight(connection(ctx.channel())).decrementAndGet();
                if (LOG.isDebugEnabled()) {
                    LOG.debug("{} {} {} {} {}", remote(ctx.channel()), protocol, req.method(), req.uri(), status);
                }
                server.release();
                done(keep);
            }
        }
    }

    private static java.net.SocketAddress remote(Channel ch) {
        return connection(ch).remoteAddress();
    }
}
