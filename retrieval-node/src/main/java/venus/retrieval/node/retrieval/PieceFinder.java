package venus.retrieval.node.retrieval;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import venus.retrieval.blockstore.BlockLocation;
import venus.retrieval.blockstore.PieceDirectory;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.ipld.Cid;

/**
 * Finds the piece a retrieval is served from: the named piece when a PieceCID is given (it must be
 * ready and hold the payload's root block), otherwise the cheapest ready piece holding it —
 * unsealed ones (unseal price 0) first, then the lowest price per byte, then the oldest.
 */
public final class PieceFinder {
    /** A piece chosen for a payload, with the terms that apply to it. */
    public record Match(PieceInfo piece, RetrievalAsk ask, BigInteger unsealPrice) {}

    private final PieceDirectory directory;
    private final RetrievalAsks asks;

    public PieceFinder(PieceDirectory directory, RetrievalAsks asks) {
        this.directory = directory;
        this.asks = asks;
    }

    public RetrievalAsks asks() {
        return asks;
    }

    /** The ready pieces that hold {@code payload}'s root block, in id order. */
    public List<PieceInfo> piecesWith(Cid payload) {
        Set<Long> ids = new LinkedHashSet<>();
        for (BlockLocation l : directory.locations(payload.multihash())) {
            ids.add(l.pieceId());
        }
        List<PieceInfo> out = new ArrayList<>();
        for (long id : ids) {
            directory.piece(id).filter(PieceInfo::isReady).ifPresent(out::add);
        }
        out.sort(Comparator.comparingLong(PieceInfo::id));
        return out;
    }

    /** The piece to serve {@code payload} from, restricted to {@code pieceCid} when not null. */
    public Optional<Match> find(Cid payload, Cid pieceCid) {
        List<PieceInfo> candidates = piecesWith(payload);
        if (pieceCid != null) {
            candidates.removeIf(p -> !pieceCid.equals(p.pieceCid()) && !pieceCid.equals(p.pieceCidV2()));
        }
        return candidates.stream()
                .map(p -> new Match(p, asks.forPiece(p), asks.unsealPrice(p)))
                .min(Comparator.comparing(Match::unsealPrice)
                        .thenComparing(m -> m.ask().pricePerByte())
                        .thenComparingLong(m -> m.piece().id()));
    }
}
