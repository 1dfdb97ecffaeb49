package venus.retrieval.gateway.bitswap;

import java.util.List;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.Varint;

/**
 * One Bitswap message (boxo's {@code message.proto} field numbers): a wantlist, blocks (bare bytes
 * for 1.0, {@code payload} with a CID prefix for 1.1+), block presences (1.2) and pending bytes.
 *
 * @param wantlist     wantlist entries (field 1.1)
 * @param full         the wantlist replaces the sender's previous one (field 1.2)
 * @param rawBlocks    1.0 blocks, bare bytes (field 2)
 * @param blocks       1.1+ blocks with their CID prefix (field 3)
 * @param presences    HAVE / DONT_HAVE (field 4)
 * @param pendingBytes bytes still queued for the receiver (field 5, informative)
 */
public record BitswapMessage(List<Entry> wantlist, boolean full, List<byte[]> rawBlocks, List<Block> blocks,
                             List<Presence> presences, int pendingBytes) {
    public BitswapMessage {
        wantlist = List.copyOf(wantlist);
        rawBlocks = List.copyOf(rawBlocks);
        blocks = List.copyOf(blocks);
        presences = List.copyOf(presences);
    }

    /** A message that only carries wantlist entries (what a client sends). */
    public static BitswapMessage wants(List<Entry> entries, boolean full) {
        return new BitswapMessage(entries, full, List.of(), List.of(), List.of(), 0);
    }

    /** What is asked for: the block itself or only whether we have it. */
    public enum WantType { BLOCK, HAVE }

    /** What a presence says. */
    public enum PresenceType { HAVE, DONT_HAVE }

    /**
     * One wantlist entry.
     *
     * @param cid          the wanted block
     * @param priority     higher first
     * @param cancel       revokes an earlier want for {@code cid}
     * @param type         block or have
     * @param sendDontHave answer DONT_HAVE when the block is not served
     */
    public record Entry(Cid cid, int priority, boolean cancel, WantType type, boolean sendDontHave) {
        /** A want-block with priority 1 asking for DONT_HAVE (what Helia sends). */
        public static Entry wantBlock(Cid cid) {
            return new Entry(cid, 1, false, WantType.BLOCK, true);
        }

        /** A want-have with priority 1 asking for DONT_HAVE. */
        public static Entry wantHave(Cid cid) {
            return new Entry(cid, 1, false, WantType.HAVE, true);
        }

        /** A cancel for {@code cid}. */
        public static Entry cancel(Cid cid) {
            return new Entry(cid, 0, true, WantType.BLOCK, false);
        }
    }

    /**
     * A 1.1+ block: the CID prefix (version, codec, multihash code, digest length) and the bytes.
     */
    public record Block(byte[] prefix, byte[] data) {
        /** The block of {@code cid}: its prefix and {@code data}. */
        public static Block of(Cid cid, byte[] data) {
            return new Block(prefix(cid), data);
        }

        /** The prefix of {@code cid}: four varints, no digest. */
        public static byte[] prefix(Cid cid) {
            Multihash mh = cid.multihash();
            long codec = cid.version() == 0 ? Multicodec.DAG_PB : cid.codec();
            int n = Varint.size(cid.version()) + Varint.size(codec) + Varint.size(mh.code()) + Varint.size(mh.digestLength());
            byte[] out = new byte[n];
            int off = Varint.write(cid.version(), out, 0);
            off += Varint.write(codec, out, off);
            off += Varint.write(mh.code(), out, off);
            Varint.write(mh.digestLength(), out, off);
            return out;
        }

        /**
         * The CID the receiver rebuilds: hashes {@code data} with the prefix's function.
         *
         * @throws venus.retrieval.ipld.IpldException when the prefix is malformed or the hash unsupported
         */
        public Cid cid() {
            long[] p = new long[4];
            int off = 0;
            for (int i = 0; i < 4; i++) {
                p[i] = Varint.decode(prefix, off, prefix.length);
                off += Varint.size(p[i]);
            }
            Multihash mh = Multihash.compute(p[2], data);
            if (mh.digestLength() != p[3]) {
                mh = Multihash.of(p[2], java.util.Arrays.copyOf(mh.digest(), (int) p[3]));
            }
            return p[0] == 0 ? Cid.v0(mh) : Cid.v1(p[1], mh);
        }
    }

    /** A HAVE or DONT_HAVE for one CID. */
    public record Presence(Cid cid, PresenceType type) {}
}
