package venus.retrieval.libp2p.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Runs one {@link MultistreamNegotiation} on a channel. When a protocol is agreed it calls
 * {@code onSelected} (which installs the next stage behind this handler) and removes itself;
 * {@link ByteToMessageDecoder} then hands any bytes that came after the deciding message to
 * that next stage, so pipelined negotiation loses nothing.
 */
public final class MultistreamHandler extends ByteToMessageDecoder {
    private final MultistreamNegotiation negotiation;
    private final BiConsumer<ChannelHandlerContext, String> onSelected;
    private boolean done;

    public MultistreamHandler(MultistreamNegotiation negotiation, BiConsumer<ChannelHandlerContext, String> onSelected) {
        this.negotiation = negotiation;
        this.onSelected = onSelected;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    private boolean started;

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        ByteBuf out = ctx.alloc().buffer(64);
        negotiation.start(out);
        ctx.writeAndFlush(out);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (done) {
            in.skipBytes(in.readableBytes()); // failed earlier: the connection is closing
            return;
        }
        ByteBuf reply = ctx.alloc().buffer(64);
        String selected;
        try {
            selected = negotiation.onInbound(in, reply);
        } catch (RuntimeException e) {
            done = true;
            in.skipBytes(in.readableBytes());
            throw e;
        } finally {
            if (reply.isReadable()) {
                ctx.writeAndFlush(reply);
            } else {
                reply.release();
            }
        }
        if (selected != null) {
            done = true;
            onSelected.accept(ctx, selected);
            ctx.pipeline().remove(this);
        }
    }
}
