package venus.retrieval.libp2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** {@link YamuxFrame} → header bytes (+ the payload, passed on without copying). */
public final class YamuxFrameEncoder extends MessageToMessageEncoder<YamuxFrame> {
    public YamuxFrameEncoder() {
        super(YamuxFrame.class);
    }

    /** Writes the 12-byte header of {@code f} into {@code out}. */
    public static void encodeHeader(YamuxFrame f, ByteBuf out) {
        out.writeByte(0);
        out.writeByte(f.type());
        out.writeShort(f.flags());
        out.writeInt(f.streamId());
        out.writeInt(f.length());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, YamuxFrame f, List<Object> out) {
        ByteBuf header = ctx.alloc().buffer(YamuxFrame.HEADER_LENGTH);
        encodeHeader(f, header);
        out.add(header);
        if (f.data() != null) {
            out.add(f.data()); // ownership moves on; the frame itself is not reference-counted
        }
    }
}
