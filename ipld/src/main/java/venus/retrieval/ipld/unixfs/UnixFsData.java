package venus.retrieval.ipld.unixfs;

import java.util.Arrays;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.pb.ProtoReader;
import venus.retrieval.ipld.pb.ProtoWriter;

/**
 * The UnixFS {@code Data} message carried in a dag-pb node's Data field.
 *
 * @param type       the node type
 * @param data       file bytes (File/Raw), symlink target, HAMT bitfield; null when absent
 * @param filesize   total file length, or null when absent
 * @param blocksizes per-link byte counts of file data (never null; empty when none)
 * @param hashType   HAMT hash function code, or null
 * @param fanout     HAMT width, or null
 * @param mode       permission bits (UnixFS 1.5), or null
 * @param mtime      modification time (UnixFS 1.5), or null
 */
public record UnixFsData(Type type, byte[] data, Long filesize, long[] blocksizes, Long hashType, Long fanout,
        Integer mode, UnixTime mtime) {

    /** UnixFS node types with their protobuf enum values. */
    public enum Type {
        RAW(0), DIRECTORY(1), FILE(2), METADATA(3), SYMLINK(4), HAMT_SHARD(5);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        /** The protobuf enum value. */
        public int code() {
            return code;
        }

        static Type of(long code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new IpldException(IpldException.Reason.BAD_UNIXFS, "UnixFS Data: unknown Type " + Long.toUnsignedString(code));
        }
    }

    /**
     * A UnixFS modification time.
     *
     * @param seconds seconds since the epoch (may be negative)
     * @param nanos   fractional nanoseconds in [1, 999999999], or null when absent
     */
    public record UnixTime(long seconds, Integer nanos) {
        public UnixTime {
            if (nanos != null && (nanos < 1 || nanos > 999_999_999)) {
                throw new IpldException(IpldException.Reason.BAD_UNIXFS, "UnixFS mtime nanoseconds out of range: " + nanos);
            }
        }
    }

    public UnixFsData {
        java.util.Objects.requireNonNull(type, "type");
        blocksizes = blocksizes == null ? new long[0] : blocksizes;
    }

    /** A File node's Data: inline bytes (may be null), blocksizes of its children. */
    public static UnixFsData file(byte[] data, long[] blocksizes) {
        long size = data == null ? 0 : data.length;
        for (long b : blocksizes) {
            size += b;
        }
        return new UnixFsData(Type.FILE, data, size, blocksizes, null, null, null, null);
    }

    /** A plain directory's Data. */
    public static UnixFsData directory() {
        return new UnixFsData(Type.DIRECTORY, null, null, null, null, null, null, null);
    }

    /** A symlink's Data. */
    public static UnixFsData symlink(byte[] target) {
        return new UnixFsData(Type.SYMLINK, target, null, null, null, null, null, null);
    }

    /** A HAMT shard's Data: bitfield, murmur3 hash type, fanout. */
    public static UnixFsData hamtShard(byte[] bitfield, long fanout) {
        return new UnixFsData(Type.HAMT_SHARD, bitfield, null, null, Hamt.MURMUR3_X64_64, fanout, null, null);
    }

    /** File length: the filesize field, or inline bytes plus blocksizes when the field is absent. */
    public long fileSize() {
        if (filesize != null) {
            return filesize;
        }
        return contentSize();
    }

    /**
     * Inline data length plus the sum of blocksizes.
     *
     * @throws IpldException BAD_UNIXFS when the sum passes 2^63−1 (it would wrap to a wrong, even
     *     negative, size)
     */
    public long contentSize() {
        long size = data == null ? 0 : data.length;
        try {
            for (long b : blocksizes) {
                size = Math.addExact(size, b);
            }
        } catch (ArithmeticException e) {
            throw new IpldException(IpldException.Reason.BAD_UNIXFS, "UnixFS blocksizes add up past 2^63-1");
        }
        return size;
    }

    /** Permission bits as interpreted (mask 07777), or null. */
    public Integer permissions() {
        return mode == null ? null : mode & 07777;
    }

    /**
     * Decodes a Data message. Malformed protobuf, a missing or unknown Type, wrong wire types,
     * duplicated singular fields or out-of-range values fail with BAD_UNIXFS. Unknown fields with a
     * valid wire type are skipped (protobuf rules; later UnixFS versions may add fields).
     */
    public static UnixFsData decode(byte[] bytes) {
        if (bytes == null) {
            throw new IpldException(IpldException.Reason.BAD_UNIXFS, "dag-pb node has no UnixFS Data");
        }
        ProtoReader r = new ProtoReader(bytes, 0, bytes.length, IpldException.Reason.BAD_UNIXFS, "UnixFS Data");
        Type type = null;
        byte[] data = null;
        Long filesize = null;
        long[] blocksizes = new long[0];
        int nBlocksizes = 0;
        Long hashType = null;
        Long fanout = null;
        Integer mode = null;
        UnixTime mtime = null;
        long seen = 0;
        while (r.hasMore()) {
            int key = r.key();
            int field = ProtoReader.field(key);
            int wire = ProtoReader.wireType(key);
            if (field >= 1 && field <= 8 && field != 4) {
                if ((seen & (1L << field)) != 0) {
                    throw r.error("duplicate field " + field);
                }
                seen |= 1L << field;
            }
            switch (field) {
                case 1 -> type = Type.of(varint(r, wire, field));
                case 2 -> {
                    expect(r, wire, ProtoReader.LEN, field);
                    data = r.bytes();
                }
                case 3 -> filesize = nonNegative(r, varint(r, wire, field), "filesize");
                case 4 -> {
                    if (wire == ProtoReader.LEN) { // packed
                        int start = r.lengthDelimited();
                        ProtoReader p = new ProtoReader(bytes, start, r.position(), IpldException.Reason.BAD_UNIXFS, "UnixFS blocksizes");
                        while (p.hasMore()) {
                            blocksizes = append(blocksizes, nBlocksizes++, nonNegative(r, p.varint(), "blocksize"));
                        }
                    } else {
                        blocksizes = append(blocksizes, nBlocksizes++, nonNegative(r, varint(r, wire, field), "blocksize"));
                    }
                }
                case 5 -> hashType = varint(r, wire, field);
                case 6 -> fanout = varint(r, wire, field);
                case 7 -> {
                    long m = varint(r, wire, field);
                    if (m < 0 || m > 0xFFFF_FFFFL) {
                        throw r.error("mode exceeds uint32");
                    }
                    mode = (int) m;
                }
                case 8 -> {
                    expect(r, wire, ProtoReader.LEN, field);
                    int start = r.lengthDelimited();
                    mtime = unixTime(bytes, start, r.position());
                }
                default -> skip(r, wire);
            }
        }
        if (type == null) {
            throw r.error("missing Type");
        }
        return new UnixFsData(type, data, filesize, Arrays.copyOf(blocksizes, nBlocksizes), hashType, fanout, mode, mtime);
    }

    /** Encodes in the field order of ipfs-unixfs (Type, Data, filesize, blocksizes unpacked, ...). */
    public byte[] encode() {
        ProtoWriter w = new ProtoWriter(16 + (data == null ? 0 : data.length) + 10 * blocksizes.length);
        w.uint64(1, type.code());
        if (data != null && data.length > 0) { // the importer never writes an empty Data field
            w.bytes(2, data);
        }
        if (filesize != null) {
            w.uint64(3, filesize);
        }
        for (long b : blocksizes) {
            w.uint64(4, b);
        }
        if (hashType != null) {
            w.uint64(5, hashType);
        }
        if (fanout != null) {
            w.uint64(6, fanout);
        }
        if (mode != null) {
            w.uint64(7, mode & 0xFFFFFFFFL);
        }
        if (mtime != null) {
            ProtoWriter t = new ProtoWriter(16);
            t.uint64(1, mtime.seconds());
            if (mtime.nanos() != null) {
                t.fixed32(2, mtime.nanos());
            }
            w.bytes(8, t.toByteArray());
        }
        return w.toByteArray();
    }

    private static UnixTime unixTime(byte[] bytes, int from, int to) {
        ProtoReader r = new ProtoReader(bytes, from, to, IpldException.Reason.BAD_UNIXFS, "UnixFS mtime");
        long seconds = 0;
        Integer nanos = null;
        int last = 0;
        while (r.hasMore()) {
            int key = r.key();
            int field = ProtoReader.field(key);
            if (field == last) {
                throw r.error("duplicate field " + field);
            }
            last = field;
            if (field == 1) {
                seconds = varint(r, ProtoReader.wireType(key), field); // int64: two's complement
            } else if (field == 2) {
                expect(r, ProtoReader.wireType(key), ProtoReader.I32, field);
                int n = r.fixed32();
                if (n < 1 || n > 999_999_999) {
                    throw r.error("FractionalNanoseconds out of range: " + Integer.toUnsignedString(n));
                }
                nanos = n;
            } else {
                skip(r, ProtoReader.wireType(key));
            }
        }
        return new UnixTime(seconds, nanos);
    }

    private static long varint(ProtoReader r, int wire, int field) {
        expect(r, wire, ProtoReader.VARINT, field);
        return r.varint();
    }

    private static void expect(ProtoReader r, int wire, int want, int field) {
        if (wire != want) {
            throw r.error("wrong wire type " + wire + " for field " + field);
        }
    }

    private static long nonNegative(ProtoReader r, long v, String what) {
        if (v < 0) {
            throw r.error(what + " exceeds 2^63-1");
        }
        return v;
    }

    private static void skip(ProtoReader r, int wire) {
        switch (wire) {
            case ProtoReader.VARINT -> r.varint();
            case ProtoReader.LEN -> r.lengthDelimited();
            case ProtoReader.I32 -> r.fixed32();
            case ProtoReader.I64 -> {
                r.fixed32();
                r.fixed32();
            }
            default -> throw r.error("unsupported wire type " + wire);
        }
    }

    private static long[] append(long[] a, int n, long v) {
        if (n == a.length) {
            a = Arrays.copyOf(a, Math.max(8, n * 2));
        }
        a[n] = v;
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof UnixFsData d && type == d.type && Arrays.equals(data, d.data)
                && java.util.Objects.equals(filesize, d.filesize) && Arrays.equals(blocksizes, d.blocksizes)
                && java.util.Objects.equals(hashType, d.hashType) && java.util.Objects.equals(fanout, d.fanout)
                && java.util.Objects.equals(mode, d.mode) && java.util.Objects.equals(mtime, d.mtime));
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, Arrays.hashCode(data), filesize, Arrays.hashCode(blocksizes), hashType, fanout, mode, mtime);
    }

    @Override
    public String toString() {
        return "UnixFsData[" + type + ", data=" + (data == null ? "absent" : data.length + " bytes") + ", filesize=" + filesize
                + ", blocksizes=" + blocksizes.length + ", fanout=" + fanout + ", mode=" + mode + ", mtime=" + mtime + "]";
    }
}
