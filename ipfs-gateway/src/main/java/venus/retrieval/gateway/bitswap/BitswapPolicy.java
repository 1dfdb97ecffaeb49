package venus.retrieval.gateway.bitswap;

import java.util.Set;
import venus.retrieval.blockstore.BlockLocation;
import venus.retrieval.blockstore.PieceDirectory;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.ipld.Cid;
import venus.retrieval.libp2p.PeerId;

/**
 * Who gets which blocks over Bitswap. A block that is not served is answered exactly like one we
 * do not hold (DONT_HAVE when asked), as boxo does for denied requests.
 *
 * @param scope          every block held, or only blocks of pieces marked public
 * @param allowedPeers   peers that are served; empty = everyone
 * @param bytesPerSecond per-peer rate limit of block bytes; 0 = unlimited
 */
public record BitswapPolicy(Scope scope, Set<PeerId> allowedPeers, long bytesPerSecond) {
    /** Which blocks are offered. */
    public enum Scope {
        /** Every block the node holds. */
        ALL,
        /** Only blocks held by at least one ready piece marked {@code public}. */
        PUBLIC
    }

    public BitswapPolicy {
        allowedPeers = Set.copyOf(allowedPeers);
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bitswap rate limit must be >= 0");
        }
    }

    /** Serve everything held to everyone, unlimited. */
    public static BitswapPolicy serveAll() {
        return new BitswapPolicy(Scope.ALL, Set.of(), 0);
    }

    /** Whether {@code peer} is served at all. */
    public boolean allows(PeerId peer) {
        return allowedPeers.isEmpty() || allowedPeers.contains(peer);
    }

    /**
     * Whether {@code cid} may be offered under this scope ({@code directory} answers for
     * {@link Scope#PUBLIC}; blocks only in the blockstore, outside any piece, are not public).
     */
    public boolean inScope(Cid cid, PieceDirectory directory) {
        if (scope == Scope.ALL) {
            return true;
        }
        for (BlockLocation loc : directory.locations(cid.multihash())) {
            if (directory.piece(loc.pieceId()).map(PieceInfo::isPublic).orElse(false)) {
                return true;
            }
        }
        return false;
    }
}
