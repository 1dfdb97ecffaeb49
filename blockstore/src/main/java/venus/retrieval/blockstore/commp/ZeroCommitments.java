package venus.retrieval.blockstore.commp;

/**
 * The commitment of an all-zero subtree at every level (level 0 = one zero node of 32 bytes),
 * computed once: padding a piece up to its power-of-two size never hashes zeros.
 */
final class ZeroCommitments {
    /** Levels 0..63 cover every padded size up to 2^68 bytes. */
    static final int LEVELS = 64;
    private static final byte[][] BY_LEVEL = new byte[LEVELS][];

    static {
        NodeHasher h = new NodeHasher();
        BY_LEVEL[0] = new byte[32];
        for (int i = 1; i < LEVELS; i++) {
            BY_LEVEL[i] = h.hash(BY_LEVEL[i - 1], BY_LEVEL[i - 1]);
        }
    }

    private ZeroCommitments() {}

    /** The zero commitment at {@code level}; callers must not modify it. */
    static byte[] at(int level) {
        return BY_LEVEL[level];
    }
}
