package venus.retrieval.libp2p.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into Noise messages: {@code uint16 big-endian length ‖ message}. The
 * 16-bit length caps messages at 65,535 bytes by construction; each message is emitted as one
 * {@link ByteBuf} (the next handler releases it).
 */
public final class NoiseFrameDecoder extends ByteToMessageDecoder {
    /** The largest Noise message. */
    public static final int MAX_MESSAGE = 65535;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 2) {
            int len = in.getUnsignedShort(in.readerIndex());
            if (in.readableBytes() < 2 + len) {
                return;
            }
            in.skipBytes(2);
            out.add(in.readRetainedSlice(len));
        }
    }
}
