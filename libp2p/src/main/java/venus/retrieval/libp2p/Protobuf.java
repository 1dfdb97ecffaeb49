package venus.retrieval.libp2p;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few protobuf wire rules libp2p's small messages need (keys, Noise payload, identify):
 * varint and length-delimited fields only. Writing is deterministic (fields in the order the
 * caller writes them, minimal varints). Reading is lenient about varint padding, as protobuf is.
 */
public final class Protobuf {
    /** Wire type of varint fields. */
    public static final int VARINT = 0;
    /** Wire type of length-delimited fields (bytes, strings, messages). */
    public static final int LEN = 2;

    private Protobuf() {}

    /** Builds a message field by field. */
    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** Appends a varint field. */
        public Writer varint(int field, long value) {
            tag(field, VARINT);
            rawVarint(value);
            return this;
        }

        /** Appends a bytes field. */
        public Writer bytes(int field, byte[] value) {
            tag(field, LEN);
            rawVarint(value.length);
            out.write(value, 0, value.length);
            return this;
        }

        /** Appends a UTF-8 string field. */
        public Writer string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        /** The encoded message. */
        public byte[] toByteArray() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            rawVarint(((long) field << 3) | wireType);
        }

        private void rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }

    /** Reads a message field by field: {@code while (r.next()) switch (r.field()) …}. */
    public static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int limit;
        private int field;
        private int wireType;
        private long varint;
        private int valueOffset;
        private int valueLength;

        public Reader(byte[] buf) {
            this(buf, 0, buf.length);
        }

        public Reader(byte[] buf, int offset, int length) {
            this.buf = buf;
            this.pos = offset;
            this.limit = offset + length;
        }

        /** Advances to the next field; false at the end of the message. */
        public boolean next() {
            if (pos >= limit) {
                return false;
            }
            long tag = readVarint();
            field = (int) (tag >>> 3);
            wireType = (int) (tag & 7);
            if (field == 0 || tag >>> 3 > Integer.MAX_VALUE) {
                throw bad("invalid field number");
            }
            switch (wireType) {
                case VARINT:
                    varint = readVarint();
                    break;
                case LEN: {
                    long len = readVarint();
                    if (len < 0 || len > limit - pos) {
                        throw bad("field " + field + " length " + len + " exceeds the message");
                    }
                    valueOffset = pos;
                    valueLength = (int) len;
                    pos += (int) len;
                    break;
                }
                case 1:
                    skip(8);
                    break;
                case 5:
                    skip(4);
                    break;
                default:
                    throw bad("unsupported wire type " + wireType);
            }
            return true;
        }

        /** The current field number. */
        public int field() {
            return field;
        }

        /** The current wire type. */
        public int wireType() {
            return wireType;
        }

        /** The current varint field's value. */
        public long varint() {
            expect(VARINT);
            return varint;
        }

        /** A copy of the current length-delimited field. */
        public byte[] bytes() {
            expect(LEN);
            byte[] out = new byte[valueLength];
            System.arraycopy(buf, valueOffset, out, 0, valueLength);
            return out;
        }

        /** The current length-delimited field as UTF-8. */
        public String string() {
            expect(LEN);
            return new String(buf, valueOffset, valueLength, StandardCharsets.UTF_8);
        }

        private void expect(int wt) {
            if (wireType != wt) {
                throw bad("field " + field + " has wire type " + wireType + ", expected " + wt);
            }
        }

        private void skip(int n) {
            if (limit - pos < n) {
                throw bad("truncated fixed-size field");
            }
            pos += n;
        }

        private long readVarint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= limit) {
                    throw bad("truncated varint");
                }
                int b = buf[pos++] & 0xFF;
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw bad("varint longer than 10 bytes");
        }

        private static Libp2pException bad(String msg) {
            return new Libp2pException(Libp2pException.Reason.BAD_PROTOBUF, msg);
        }
    }
}
