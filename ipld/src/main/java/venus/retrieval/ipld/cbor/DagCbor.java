package venus.retrieval.ipld.cbor;

import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Node;

/**
 * The dag-cbor codec (multicodec 0x71) between bytes and {@link Node}s.
 *
 * <p>The encoder is canonical: shortest-form integers and lengths, definite lengths, map keys
 * sorted shorter-first then bytewise, floats always 64-bit, tag 42 for links and nothing else
 * (integers beyond CBOR's 64-bit range, which dag-cbor cannot express, become tag 2/3 bignums).
 * The decoder is lenient where real peers are (see {@link CborReader}) and strict about the rest.
 */
public final class DagCbor {
    private DagCbor() {}

    /**
     * Decoder limits. Lengths are never trusted beyond the bytes that remain, so allocation is
     * always proportional to the input; these bound nesting (stack) and single collections.
     */
    public record Limits(int maxDepth, int maxCollectionLength) {
        /** 512 levels, 4 Mi items per list or map. */
        public static final Limits DEFAULT = new Limits(512, 4 << 20);

        public Limits {
            if (maxDepth < 1 || maxCollectionLength < 0) {
                throw new IllegalArgumentException("bad limits " + maxDepth + ", " + maxCollectionLength);
            }
        }
    }

    /** Canonical dag-cbor bytes of {@code node}. */
    public static byte[] encode(Node node) {
        return new CborWriter(128).writeNode(node).toByteArray();
    }

    /** Decodes {@code bytes}, which must be exactly one item. */
    public static Node decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length, Limits.DEFAULT);
    }

    /** Decodes {@code bytes[off, off+len)}, which must be exactly one item. */
    public static Node decode(byte[] bytes, int off, int len, Limits limits) {
        CborReader r = new CborReader(bytes, off, len, limits);
        if (!r.hasRemaining()) {
            throw new IpldException(IpldException.Reason.TRUNCATED, "empty dag-cbor block");
        }
        Node n = r.readNode();
        r.expectEnd();
        return n;
    }
}
