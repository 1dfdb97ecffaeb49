package venus.retrieval.ipld.pb;

import java.util.Arrays;

/**
 * A growable protobuf wire writer (keys, 64-bit varints, length-delimited bytes). Values are
 * written as given: callers emit fields in the order their format requires.
 */
public final class ProtoWriter {
    private byte[] buf;
    private int size;

    /** A writer with a small initial buffer. */
    public ProtoWriter() {
        this(64);
    }

    /** A writer with {@code capacity} bytes reserved. */
    public ProtoWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    /** Number of bytes a varint of the unsigned 64-bit {@code value} takes. */
    public static int varintSize(long value) {
        int n = 1;
        while ((value & ~0x7FL) != 0) {
            n++;
            value >>>= 7;
        }
        return n;
    }

    /** Writes an unsigned 64-bit varint. */
    public ProtoWriter varint(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            buf[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buf[size++] = (byte) value;
        return this;
    }

    /** Writes a field key. */
    public ProtoWriter key(int field, int wireType) {
        return varint(((long) field << 3) | wireType);
    }

    /** Writes a varint field. */
    public ProtoWriter uint64(int field, long value) {
        return key(field, ProtoReader.VARINT).varint(value);
    }

    /** Writes a little-endian fixed32 field. */
    public ProtoWriter fixed32(int field, int value) {
        key(field, ProtoReader.I32);
        ensure(4);
        buf[size++] = (byte) value;
        buf[size++] = (byte) (value >>> 8);
        buf[size++] = (byte) (value >>> 16);
        buf[size++] = (byte) (value >>> 24);
        return this;
    }

    /** Writes a length-delimited field. */
    public ProtoWriter bytes(int field, byte[] value) {
        return bytes(field, value, 0, value.length);
    }

    /** Writes a length-delimited field from a slice. */
    public ProtoWriter bytes(int field, byte[] value, int off, int len) {
        key(field, ProtoReader.LEN).varint(len);
        ensure(len);
        System.arraycopy(value, off, buf, size, len);
        size += len;
        return this;
    }

    /** Bytes written so far. */
    public int size() {
        return size;
    }

    /** A copy of the bytes written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int n) {
        if (buf.length - size < n) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }
    }
}
