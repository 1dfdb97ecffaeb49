package venus.retrieval.node.graphsync;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * Splits a stream's bytes into varint-length-prefixed message bodies. A frame over
 * {@link GraphsyncCodec#MAX_MESSAGE} or a malformed length throws {@code BAD_MESSAGE}; the
 * caller then resets the stream. Not thread-safe: used on the stream's event loop only.
 */
final class GraphsyncFrameDecoder {
    private final ByteBufAllocator alloc;
    private ByteBuf cum;

    GraphsyncFrameDecoder(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Takes ownership of {@code data}; hands every complete body to {@code out}. */
    void feed(ByteBuf data, Consumer<byte[]> out) {
        if (cum == null) {
            cum = alloc.buffer(Math.max(256, data.readableBytes()));
        }
        try {
            cum.writeBytes(data);
        } finally {
            data.release();
        }
        while (true) {
            int start = cum.readerIndex();
            long len = 0;
            int shift = 0;
            int i = start;
            boolean complete = false;
            while (i < cum.writerIndex()) {
                int b = cum.getByte(i++) & 0xFF;
                len |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    complete = true;
                    break;
                }
                shift += 7;
                if (shift > 28) {
                    throw GraphsyncCodec.bad("message length varint too long");
                }
            }
            if (!complete) {
                break;
            }
            if (len > GraphsyncCodec.MAX_MESSAGE) {
                throw GraphsyncCodec.bad("message of " + len + " bytes exceeds " + GraphsyncCodec.MAX_MESSAGE);
            }
            if (cum.writerIndex() - i < len) {
                break;
            }
            byte[] body = new byte[(int) len];
            cum.getBytes(i, body);
            cum.readerIndex(i + (int) len);
            out.accept(body);
        }
        cum.discardReadBytes();
    }

    /** Bytes of an unfinished frame are left over. */
    boolean hasPartial() {
        return cum != null && cum.isReadable();
    }

    void release() {
        if (cum != null) {
            cum.release();
            cum = null;
        }
    }
}
