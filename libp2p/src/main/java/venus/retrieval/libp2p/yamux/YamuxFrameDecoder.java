package venus.retrieval.libp2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import venus.retrieval.libp2p.Libp2pException;

/** Bytes → {@link YamuxFrame}s. Rejects unknown versions and types, and Data frames over {@code maxDataLength}. */
public final class YamuxFrameDecoder extends ByteToMessageDecoder {
    private final int maxDataLength;
    private boolean failed;

    public YamuxFrameDecoder(int maxDataLength) {
        this.maxDataLength = maxDataLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes()); // the connection is closing; report the first error only
            return;
        }
        try {
            YamuxFrame f;
            while ((f = decode(in, maxDataLength)) != null) {
                out.add(f);
            }
        } catch (Libp2pException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /**
     * Reads one frame from {@code in}, or returns null (consuming nothing) when it is incomplete.
     *
     * @throws Libp2pException PROTOCOL_VIOLATION or FRAME_TOO_LARGE
     */
    public static YamuxFrame decode(ByteBuf in, int maxDataLength) {
        if (in.readableBytes() < YamuxFrame.HEADER_LENGTH) {
            return null;
        }
        int p = in.readerIndex();
        int version = in.getUnsignedByte(p);
        int type = in.getUnsignedByte(p + 1);
        int flags = in.getUnsignedShort(p + 2);
        int streamId = in.getInt(p + 4);
        int length = in.getInt(p + 8);
        if (version != 0) {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "Yamux version " + version + " is not 0");
        }
        if (type > YamuxFrame.TYPE_GO_AWAY) {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "unknown Yamux frame type " + type);
        }
        if (type != YamuxFrame.TYPE_DATA) {
            in.skipBytes(YamuxFrame.HEADER_LENGTH);
            return YamuxFrame.control(type, flags, streamId, length);
        }
        if (length < 0 || length > maxDataLength) {
            throw new Libp2pException(Libp2pException.Reason.FRAME_TOO_LARGE, "Yamux data frame of " + Integer.toUnsignedString(length) + " bytes exceeds " + maxDataLength);
        }
        if (in.readableBytes() < YamuxFrame.HEADER_LENGTH + length) {
            return null;
        }
        in.skipBytes(YamuxFrame.HEADER_LENGTH);
        return YamuxFrame.data(flags, streamId, in.readRetainedSlice(length));
    }
}
