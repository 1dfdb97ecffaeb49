package venus.retrieval.node.graphsync;

import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.Varint;

/**
 * A block on the wire: the CID prefix (varints version, codec, multihash code, digest length)
 * and the data. The receiver rebuilds the CID by hashing the data ({@link #cid()}).
 */
public record GsBlock(byte[] prefix, byte[] data) {
    /** The block for {@code cid} with {@code data}. */
    public static GsBlock of(Cid cid, byte[] data) {
        Multihash mh = cid.multihash();
        int digestLength = mh.digestLength();
        byte[] p = new byte[Varint.size(cid.version()) + Varint.size(cid.codec()) + Varint.size(mh.code()) + Varint.size(digestLength)];
        int o = Varint.write(cid.version(), p, 0);
        o += Varint.write(cid.codec(), p, o);
        o += Varint.write(mh.code(), p, o);
        Varint.write(digestLength, p, o);
        return new GsBlock(p, data);
    }

    /**
     * The CID these bytes hash to under the prefix; {@code IpldException} if the prefix is malformed,
     * the hash function unsupported or the digest length not the function's.
     */
    public Cid cid() {
        long[] v = new long[4];
        int o = 0;
        for (int i = 0; i < 4; i++) {
            if (o >= prefix.length) {
                throw new IpldException(IpldException.Reason.BAD_CID, "block prefix too short");
            }
            v[i] = Varint.decode(prefix, o, prefix.length);
            o += Varint.size(v[i]);
        }
        if (o != prefix.length) {
            throw new IpldException(IpldException.Reason.BAD_CID, "bytes after the block prefix");
        }
        if (!Multihash.isSupported(v[2])) {
            throw new IpldException(IpldException.Reason.BAD_MULTIHASH, "unsupported hash function 0x" + Long.toHexString(v[2]));
        }
        Multihash mh = Multihash.compute(v[2], data);
        if (mh.digestLength() != v[3]) {
            throw new IpldException(IpldException.Reason.BAD_CID, "prefix digest length " + v[3] + " for a " + mh.digestLength() + "-byte digest");
        }
        if (v[0] == 0) {
            if (v[1] != 0x70 || v[2] != 0x12) {
                throw new IpldException(IpldException.Reason.BAD_CID, "CIDv0 prefix must be dag-pb sha2-256");
            }
            return Cid.v0(mh);
        }
        if (v[0] != 1) {
            throw new IpldException(IpldException.Reason.BAD_CID, "unknown CID version " + v[0]);
        }
        return Cid.v1(v[1], mh);
    }
}
