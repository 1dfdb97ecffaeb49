package venus.retrieval.gateway.bitswap;

import java.util.List;

/** The Bitswap protocol ids we serve; the version decides how blocks and presences are sent. */
public enum BitswapProtocol {
    /** Want-have, HAVE/DONT_HAVE presences, blocks with CID prefixes (Helia speaks only this one). */
    V1_2_0("/ipfs/bitswap/1.2.0"),
    /** CIDv1 wants; blocks with CID prefixes; no presences. */
    V1_1_0("/ipfs/bitswap/1.1.0"),
    /** CIDv0 only; blocks as bare bytes. */
    V1_0_0("/ipfs/bitswap/1.0.0"),
    /** The un-versioned id of 1.0.0. */
    LEGACY("/ipfs/bitswap");

    /** Every id, newest first (the order a dialer proposes them). */
    public static final List<String> IDS = List.of(V1_2_0.id, V1_1_0.id, V1_0_0.id, LEGACY.id);

    private final String id;

    BitswapProtocol(String id) {
        this.id = id;
    }

    /** The multistream protocol id. */
    public String id() {
        return id;
    }

    /** Whether peers on this version ask for and understand HAVE / DONT_HAVE. */
    public boolean supportsHave() {
        return this == V1_2_0;
    }

    /** Whether blocks travel in {@code payload} with a CID prefix (1.1+), not as bare bytes. */
    public boolean usesPayload() {
        return this == V1_2_0 || this == V1_1_0;
    }

    /** The version for a negotiated id. */
    public static BitswapProtocol of(String id) {
        for (BitswapProtocol p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("not a bitswap protocol id: " + id);
    }
}
