package venus.retrieval.libp2p.multistream;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import venus.retrieval.libp2p.Libp2pException;

/**
 * multistream-select 1.0 messages: {@code uvarint(len) ‖ UTF-8 text ‖ '\n'}, the length counting
 * the newline. Pure functions over {@link ByteBuf}s.
 */
public final class MultistreamCodec {
    /** The protocol's own id, which both sides send first. */
    public static final String PROTOCOL_ID = "/multistream/1.0.0";
    /** The refusal. */
    public static final String NA = "na";
    /** The optional listing request. */
    public static final String LS = "ls";
    /** Longest message accepted, newline included (go and js use 1024 for protocol ids). */
    public static final int MAX_MESSAGE = 1024;

    private MultistreamCodec() {}

    /** Appends one message. */
    public static void encode(String text, ByteBuf out) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int len = b.length + 1;
        if (len > MAX_MESSAGE) {
            throw new Libp2pException(Libp2pException.Reason.FRAME_TOO_LARGE, "multistream message longer than " + MAX_MESSAGE + " bytes");
        }
        if (len < 0x80) {
            out.writeByte(len);
        } else {
            out.writeByte((len & 0x7F) | 0x80);
            out.writeByte(len >>> 7);
        }
        out.writeBytes(b);
        out.writeByte('\n');
    }

    /**
     * Reads one message (without its newline) from {@code in}, or returns null and consumes
     * nothing when the message is not complete yet.
     *
     * @throws Libp2pException PROTOCOL_VIOLATION or FRAME_TOO_LARGE for malformed input
     */
    public static String decode(ByteBuf in) {
        int start = in.readerIndex();
        int avail = in.readableBytes();
        if (avail < 1) {
            return null;
        }
        int b0 = in.getUnsignedByte(start);
        int len;
        int header;
        if ((b0 & 0x80) == 0) {
            len = b0;
            header = 1;
        } else {
            if (avail < 2) {
                return null;
            }
            int b1 = in.getUnsignedByte(start + 1);
            if ((b1 & 0x80) != 0) {
                throw new Libp2pException(Libp2pException.Reason.FRAME_TOO_LARGE, "multistream message length varint longer than 2 bytes");
            }
            if (b1 == 0) {
                throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "multistream length varint is not minimal");
            }
            len = (b0 & 0x7F) | (b1 << 7);
            header = 2;
        }
        if (len > MAX_MESSAGE) {
            throw new Libp2pException(Libp2pException.Reason.FRAME_TOO_LARGE, "multistream message of " + len + " bytes exceeds " + MAX_MESSAGE);
        }
        if (len == 0) {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "empty multistream message");
        }
        if (avail < header + len) {
            return null;
        }
        if (in.getByte(start + header + len - 1) != '\n') {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "multistream message does not end with a newline");
        }
        ByteBuffer text = in.nioBuffer(start + header, len - 1);
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(text).toString();
        } catch (CharacterCodingException e) {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "multistream message is not UTF-8");
        }
        in.skipBytes(header + len);
        return s;
    }
}
