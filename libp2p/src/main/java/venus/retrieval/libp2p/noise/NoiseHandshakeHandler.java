package venus.retrieval.libp2p.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.BiConsumer;

/**
 * Drives a {@link NoiseHandshake} over the frames of a {@link NoiseFrameDecoder} placed before
 * it. When the handshake completes it replaces itself with a {@link NoiseTransportHandler} and
 * calls {@code onSecured}, which installs the next stage behind it.
 */
public final class NoiseHandshakeHandler extends ChannelInboundHandlerAdapter {
    private final NoiseHandshake handshake;
    private final BiConsumer<ChannelHandlerContext, NoiseHandshake> onSecured;
    private boolean started;

    public NoiseHandshakeHandler(NoiseHandshake handshake, BiConsumer<ChannelHandlerContext, NoiseHandshake> onSecured) {
        this.handshake = handshake;
        this.onSecured = onSecured;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        if (handshake.isInitiator()) {
            writeFrame(ctx, handshake.firstMessage());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        byte[] frame;
        ByteBuf buf = (ByteBuf) msg;
        try {
            frame = ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
        if (handshake.isComplete()) {
            throw new IllegalStateException("frame after handshake reached the handshake handler");
        }
        byte[] reply = handshake.onMessage(frame);
        if (reply != null) {
            writeFrame(ctx, reply);
        }
        if (handshake.isComplete()) {
            CipherState[] cs = handshake.split();
            ctx.pipeline().replace(this, ctx.name(), new NoiseTransportHandler(cs[0], cs[1]));
            onSecured.accept(ctx, handshake);
        }
    }

    private static void writeFrame(ChannelHandlerContext ctx, byte[] msg) {
        ByteBuf out = ctx.alloc().buffer(2 + msg.length);
        out.writeShort(msg.length);
        out.writeBytes(msg);
        ctx.writeAndFlush(out);
    }
}
