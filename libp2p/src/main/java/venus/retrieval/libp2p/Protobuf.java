package venus.retrieval.libp2p;

import java.nio.charset.StandardCharsets;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.pb.ProtoReader;
import venus.retrieval.ipld.pb.ProtoWriter;

/**
 * libp2p's small protobuf messages (keys, Noise payload, identify) over the project's one wire
 * reader/writer ({@code venus.retrieval.ipld.pb}): a field-at-a-time reader that skips unknown
 * fields and reports {@link Libp2pException.Reason#BAD_PROTOBUF}.
 */
public final class Protobuf {
    /** Wire type of varint fields. */
    public static final int VARINT = ProtoReader.VARINT;
    /** Wire type of length-delimited fields. */
    public static final int LEN = ProtoReader.LEN;

    private Protobuf() {}

    /** Builds a message field by field (deterministic: the caller's field order, minimal varints). */
    public static final class Writer {
        private final ProtoWriter w = new ProtoWriter();

        /** Appends a varint field. */
        public Writer varint(int field, long value) {
            w.uint64(field, value);
            return this;
        }

        /** Appends a bytes field. */
        public Writer bytes(int field, byte[] value) {
            w.bytes(field, value);
            return this;
        }

        /** Appends a UTF-8 string field. */
        public Writer string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        /** The encoded message. */
        public byte[] toByteArray() {
            return w.toByteArray();
        }
    }

    /** Reads a message field by field: {@code while (r.next()) switch (r.field()) …}. */
    public static final class Reader {
        private final ProtoReader r;
        private int field;
        private int wireType;
        private long varint;
        private byte[] bytes;

        public Reader(byte[] buf) {
            r = new ProtoReader(buf, 0, buf.length, IpldException.Reason.BAD_BLOCK, "protobuf");
        }

        /** Advances to the next field (unknown wire types 1 and 5 are skipped over); false at the end. */
        public boolean next() {
            try {
                if (!r.hasMore()) {
                    return false;
                }
                int key = r.key();
                field = ProtoReader.field(key);
                wireType = ProtoReader.wireType(key);
                switch (wireType) {
                    case ProtoReader.VARINT: varint = r.varint(); break;
                    case ProtoReader.LEN: bytes = r.bytes(); break;
                    case ProtoReader.I32: r.fixed32(); break;
                    case ProtoReader.I64: r.fixed32(); r.fixed32(); break;
                    default: throw new Libp2pException(Libp2pException.Reason.BAD_PROTOBUF, "unsupported wire type " + wireType);
                }
                return true;
            } catch (IpldException e) {
                throw new Libp2pException(Libp2pException.Reason.BAD_PROTOBUF, e.getMessage(), e);
            }
        }

        /** The current field number. */
        public int field() {
            return field;
        }

        /** The current varint field's value. */
        public long varint() {
            expect(ProtoReader.VARINT);
            return varint;
        }

        /** The current length-delimited field. */
        public byte[] bytes() {
            expect(ProtoReader.LEN);
            return bytes;
        }

        /** The current length-delimited field as UTF-8. */
        public String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        private void expect(int wt) {
            if (wireType != wt) {
                throw new Libp2pException(Libp2pException.Reason.BAD_PROTOBUF, "field " + field + " has wire type " + wireType + ", expected " + wt);
            }
        }
    }
}
