package venus.retrieval.node.graphsync;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Splits a stream's bytes into varint-length-prefixed message bodies. A frame over
 * {@link GraphsyncCodec#MAX_MESSAGE} or a malformed length throws {@code BAD_MESSAGE}; the
 * caller then resets the stream. Not thread-safe: used on the stream's event loop only.
 *
 * <p>Each body is copied once, from the received buffers into its array: the pieces of an
 * unfinished body are kept as retained slices (so memory held is what arrived, whatever length
 * the prefix claims) and copied when the last piece arrives.
 */
final class GraphsyncFrameDecoder {
    private final ArrayDeque<ByteBuf> pieces = new ArrayDeque<>();
    private int have;
    private int need = -1; // body length once the prefix is complete
    private long len; // the prefix read so far
    private int shift;

    /** Takes ownership of {@code data}; hands every complete body to {@code out}. */
    void feed(ByteBuf data, Consumer<byte[]> out) {
        try {
            while (data.isReadable() || need == 0) {
                if (need < 0) {
                    int b = data.readByte() & 0xFF;
                    len |= (long) (b & 0x7F) << shift;
                    if ((b & 0x80) != 0) {
                        shift += 7;
                        if (shift > 28) {
                            throw GraphsyncCodec.bad("message length varint too long");
                        }
                        continue;
                    }
                    if (len > GraphsyncCodec.MAX_MESSAGE) {
                        throw GraphsyncCodec.bad("message of " + len + " bytes exceeds " + GraphsyncCodec.MAX_MESSAGE);
                    }
                    need = (int) len;
                    len = 0;
                    shift = 0;
                }
                int n = Math.min(data.readableBytes(), need - have);
                if (have + n < need) {
                    pieces.add(data.readRetainedSlice(n));
                    have += n;
                    continue;
                }
                byte[] body = new byte[need];
                int o = 0;
                for (ByteBuf p; (p = pieces.poll()) != null; ) {
                    int k = p.readableBytes();
                    p.readBytes(body, o, k);
                    p.release();
                    o += k;
                }
                data.readBytes(body, o, n);
                have = 0;
                need = -1;
                out.accept(body);
            }
        } finally {
            data.release();
        }
    }

    /** Bytes of an unfinished frame are left over. */
    boolean hasPartial() {
        return need >= 0 || shift > 0 || len != 0;
    }

    /** Drops the pieces of an unfinished body. */
    void release() {
        for (ByteBuf p; (p = pieces.poll()) != null; ) {
            p.release();
        }
        have = 0;
        need = -1;
    }
}
