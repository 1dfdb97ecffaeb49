package venus.retrieval.libp2p.yamux;

import io.netty.buffer.ByteBuf;

/**
 * One Yamux frame: the 12-byte header (version 0, type, flags, stream id, length) and, for Data
 * frames, the payload (owned by whoever holds the frame; {@link #release()} frees it).
 */
public final class YamuxFrame {
    public static final int HEADER_LENGTH = 12;
    public static final int TYPE_DATA = 0;
    public static final int TYPE_WINDOW_UPDATE = 1;
    public static final int TYPE_PING = 2;
    public static final int TYPE_GO_AWAY = 3;
    public static final int FLAG_SYN = 1;
    public static final int FLAG_ACK = 2;
    public static final int FLAG_FIN = 4;
    public static final int FLAG_RST = 8;
    public static final int GO_AWAY_NORMAL = 0;
    public static final int GO_AWAY_PROTOCOL_ERROR = 1;
    public static final int GO_AWAY_INTERNAL_ERROR = 2;

    private final int type;
    private final int flags;
    private final int streamId;
    private final int length;
    private final ByteBuf data;

    private YamuxFrame(int type, int flags, int streamId, int length, ByteBuf data) {
        this.type = type;
        this.flags = flags;
        this.streamId = streamId;
        this.length = length;
        this.data = data;
    }

    /** A Data frame carrying {@code data} (ownership passes to the frame). */
    public static YamuxFrame data(int flags, int streamId, ByteBuf data) {
        return new YamuxFrame(TYPE_DATA, flags, streamId, data.readableBytes(), data);
    }

    /** A frame without payload: window update (length = delta), ping (opaque value), go-away (code). */
    public static YamuxFrame control(int type, int flags, int streamId, int length) {
        return new YamuxFrame(type, flags, streamId, length, null);
    }

    public int type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** Stream id (an unsigned 32-bit value held in an int). */
    public int streamId() {
        return streamId;
    }

    /** The length field (unsigned 32-bit held in an int): payload length, window delta, ping value or go-away code. */
    public int length() {
        return length;
    }

    /** The payload of a Data frame, else null. */
    public ByteBuf data() {
        return data;
    }

    /** Releases the payload, if any. */
    public void release() {
        if (data != null) {
            data.release();
        }
    }

    @Override
    public String toString() {
        return "YamuxFrame(type=" + type + ", flags=" + flags + ", stream=" + Integer.toUnsignedString(streamId)
                + ", length=" + Integer.toUnsignedString(length) + ")";
    }
}
