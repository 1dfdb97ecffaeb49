package venus.retrieval.gateway.bitswap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one inbound stream's bytes into messages: {@code uvarint(length) ‖ message}, any number
 * per stream. Holds at most one message's bytes (the limit plus the prefix); a longer length
 * prefix fails at once, before its bytes arrive. Not thread-safe (one stream, one event loop).
 */
final class BitswapFrameDecoder {
    private final int maxMessage;
    private final ByteBuf pending;
    private boolean failed;

    BitswapFrameDecoder(ByteBufAllocator alloc, int maxMessage) {
        this.maxMessage = maxMessage;
        this.pending = alloc.buffer(256);
    }

    /**
     * Consumes {@code data} (and releases it); returns the messages completed by it.
     *
     * @throws venus.retrieval.gateway.GatewayException for an oversized or malformed message;
     *     the decoder then refuses further input
     */
    List<BitswapMessage> decode(ByteBuf data) {
        try {
            if (failed) {
                throw BitswapCodec.bad("stream already failed");
            }
            pending.writeBytes(data);
        } finally {
            data.release();
        }
        List<BitswapMessage> out = new ArrayList<>(1);
        try {
            while (true) {
                int start = pending.readerIndex();
                long len = readVarint();
                if (len < 0) {
                    pending.readerIndex(start);
                    break;
                }
                if (len > maxMessage) {
                    throw BitswapCodec.bad("message of " + len + " bytes exceeds the " + maxMessage + "-byte limit");
                }
                if (pending.readableBytes() < len) {
                    pending.readerIndex(start);
                    break;
                }
                byte[] msg = new byte[(int) len];
                pending.readBytes(msg);
                out.add(BitswapCodec.decode(msg));
            }
            pending.discardReadBytes();
            return out;
        } catch (RuntimeException e) {
            failed = true;
            pending.clear();
            throw e;
        }
    }

    /** The varint at the reader index, or -1 when incomplete. */
    private long readVarint() {
        long v = 0;
        for (int i = 0; i < 10; i++) {
            if (!pending.isReadable()) {
                return -1;
            }
            int b = pending.readUnsignedByte();
            v |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (i >= 5 || v < 0) {
                    throw BitswapCodec.bad("message length prefix out of range");
                }
                return v;
            }
        }
        throw BitswapCodec.bad("message length prefix longer than 10 bytes");
    }

    /** Releases what is buffered (the stream ended). */
    void release() {
        if (pending.refCnt() > 0) {
            pending.release();
        }
    }
}
