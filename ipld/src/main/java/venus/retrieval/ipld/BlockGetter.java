package venus.retrieval.ipld;

/**
 * The narrowest way to ask for a block by CID. The traversal and the UnixFS reader only need this;
 * the blockstore's {@code BlockSource} extends it.
 *
 * <p>Contract: an identity CID resolves to its inline bytes without any lookup (its "block" is the
 * digest). {@link #inlining} adds that to a plain lookup.
 */
@FunctionalInterface
public interface BlockGetter {
    /** The block's bytes, or {@code null} when absent; identity CIDs answer with their inline bytes. */
    byte[] get(Cid cid);

    /** A getter that answers identity CIDs from the CID itself and asks {@code lookup} for the rest. */
    static BlockGetter inlining(BlockGetter lookup) {
        return cid -> cid.isIdentity() ? cid.identityData() : lookup.get(cid);
    }
}
