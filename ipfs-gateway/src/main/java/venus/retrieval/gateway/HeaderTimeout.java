package venus.retrieval.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long an HTTP/1.1 client may take to send a request's headers once it started
 * (a client that dribbles header bytes defeats an idle timeout). Sits before the HTTP codec, so it
 * sees raw bytes: the first bytes of a request arm a timer, the {@link RequestHandler} disarms it
 * when the headers are complete. On expiry: {@code 408} and close. Leaves the pipeline when the
 * connection switches to HTTP/2 (which has its own frame-level limits).
 */
final class HeaderTimeout extends ChannelDuplexHandler {
    private static final String BODY = "408 Request Timeout: the request headers took too long\n";
    private static final byte[] TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean waitingForRequest = true;

    HeaderTimeout(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (waitingForRequest && timer == null && msg instanceof ByteBuf b && b.isReadable()) {
            timer = ctx.executor().schedule(this::expired, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /** The request handler got a complete request head. */
    void requestStarted() {
        waitingForRequest = false;
        cancel();
    }

    /** The previous response is done: the next bytes start a new request. */
    void requestDone() {
        waitingForRequest = true;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof CleartextHttp2ServerUpgradeHandler.PriorKnowledgeUpgradeEvent
                || evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
            cancel();
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired() {
        timer = null;
        if (waitingForRequest && ctx.channel().isActive()) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
