package venus.retrieval.blockstore;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import venus.retrieval.blockstore.commp.Fr32;
import venus.retrieval.blockstore.commp.PieceCids;
import venus.retrieval.ipld.Cid;

/**
 * One piece's record in the piece directory.
 *
 * @param id            internal number, never reused (the key of the piece's index entries)
 * @param pieceCid      piece CID v1; while indexing, the expected CID if one was given, else null
 * @param paddedSize    padded piece size, 0 until known
 * @param payloadSize   bytes of CAR data (without trailing zero padding), 0 until known
 * @param fileSize      bytes of the imported file (what CommP hashed)
 * @param roots         the CAR's roots
 * @param state         indexing, ready or failed
 * @param file          the file blocks are read from (in place or in {@code pieces/}); null when none
 * @param copied        the file is the node's own copy in {@code REPO/pieces/}
 * @param cached        the blocks are in the blockstore ({@code --cache}); the file is not needed
 * @param isPublic      may be served to anyone (IPFS side) rather than only to paying deal clients
 * @param dealIds       storage deal ids of the piece
 * @param minerIds      miner (storage provider) actor ids, e.g. {@code f01234}
 * @param sectorId      sector number, -1 when unknown
 * @param sectorOffset  offset in the sector (padded bytes), -1 when unknown
 * @param fastRetrieval the provider keeps an unsealed copy for fast retrieval
 * @param announced     announced to the network indexer
 * @param blockCount    blocks indexed
 * @param createdAt     when the record was created
 * @param updatedAt     last change
 * @param error         why the piece is failed, else null
 */
public record PieceInfo(long id, Cid pieceCid, long paddedSize, long payloadSize, long fileSize, List<Cid> roots,
                        PieceState state, Path file, boolean copied, boolean cached, boolean isPublic,
                        List<Long> dealIds, List<String> minerIds, long sectorId, long sectorOffset,
                        boolean fastRetrieval, boolean announced, long blockCount, Instant createdAt,
                        Instant updatedAt, String error) {
    public PieceInfo {
        roots = List.copyOf(roots);
        dealIds = List.copyOf(dealIds);
        minerIds = List.copyOf(minerIds);
    }

    /** Piece CID v2 (FRC-0069), when the CID and sizes are known. */
    public Cid pieceCidV2() {
        if (pieceCid == null || paddedSize == 0) {
            return null;
        }
        PieceCids.Parsed p = PieceCids.parse(pieceCid);
        int height = Long.numberOfTrailingZeros(paddedSize) - 5;
        return PieceCids.v2(p.commP(), height, Fr32.unpaddedSize(paddedSize) - payloadSize);
    }

    /** The current time at the precision records keep (milliseconds). */
    public static Instant now() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    /** Whether the piece serves blocks. */
    public boolean isReady() {
        return state == PieceState.READY;
    }

    /** This record in state {@code s} with error {@code err} (null = none), updated at {@code now}. */
    public PieceInfo withState(PieceState s, String err, Instant now) {
        return new PieceInfo(id, pieceCid, paddedSize, payloadSize, fileSize, roots, s, file, copied, cached, isPublic,
                dealIds, minerIds, sectorId, sectorOffset, fastRetrieval, announced, blockCount, createdAt, now, err);
    }

    PieceInfo completed(Cid cid, long padded, long payload, long fileBytes, List<Cid> carRoots, Path servedFrom,
                        long blocks, Instant now) {
        return new PieceInfo(id, cid, padded, payload, fileBytes, carRoots, PieceState.READY, servedFrom, copied, cached,
                isPublic, dealIds, minerIds, sectorId, sectorOffset, fastRetrieval, announced, blocks, createdAt, now, null);
    }
}
