package venus.retrieval.blockstore;

import java.util.List;

/**
 * How to import one piece.
 *
 * @param pieceCid      the expected piece CID (v1 or v2), or null to accept whatever the file hashes to
 * @param copy          copy the file into {@code REPO/pieces/} and serve from the copy
 * @param cache         copy the blocks into the blockstore (the file is then not needed to serve)
 * @param isPublic      may be served to anyone
 * @param dealIds       deal ids to record
 * @param minerIds      miner ids to record ({@code f0…})
 * @param fastRetrieval the provider keeps an unsealed copy
 * @param sectorId      sector number, -1 when unknown
 * @param sectorOffset  offset in the sector, -1 when unknown
 * @param skipCommP     trust {@code pieceCid} (required) instead of computing the commitment; block
 *                      hashes are still verified (for pieces whose CommP the sealer already computed)
 */
public record ImportOptions(String pieceCid, boolean copy, boolean cache, boolean isPublic, List<Long> dealIds,
                            List<String> minerIds, boolean fastRetrieval, long sectorId, long sectorOffset, boolean skipCommP) {
    public ImportOptions {
        if (skipCommP && pieceCid == null) {
            throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT, "skipping CommP needs the piece CID");
        }
        dealIds = List.copyOf(dealIds);
        minerIds = List.copyOf(minerIds);
        for (String m : minerIds) {
            if (!m.matches("[ft]0[0-9]{1,19}")) {
                throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT,
                        "miner id must be an actor id like f01234, got \"" + m + "\"");
            }
        }
        for (long d : dealIds) {
            if (d < 0) {
                throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT, "deal id must be >= 0, got " + d);
            }
        }
    }

    /** Served in place from the file, no expected CID, no metadata. */
    public static ImportOptions defaults() {
        return new ImportOptions(null, false, false, false, List.of(), List.of(), false, -1, -1, false);
    }

    public ImportOptions withPieceCid(String v) {
        return new ImportOptions(v, copy, cache, isPublic, dealIds, minerIds, fastRetrieval, sectorId, sectorOffset, skipCommP);
    }

    public ImportOptions withCopy(boolean v) {
        return new ImportOptions(pieceCid, v, cache, isPublic, dealIds, minerIds, fastRetrieval, sectorId, sectorOffset, skipCommP);
    }

    public ImportOptions withCache(boolean v) {
        return new ImportOptions(pieceCid, copy, v, isPublic, dealIds, minerIds, fastRetrieval, sectorId, sectorOffset, skipCommP);
    }

    public ImportOptions withPublic(boolean v) {
        return new ImportOptions(pieceCid, copy, cache, v, dealIds, minerIds, fastRetrieval, sectorId, sectorOffset, skipCommP);
    }

    public ImportOptions withDeals(List<Long> v) {
        return new ImportOptions(pieceCid, copy, cache, isPublic, v, minerIds, fastRetrieval, sectorId, sectorOffset, skipCommP);
    }

    public ImportOptions withMiners(List<String> v) {
        return new ImportOptions(pieceCid, copy, cache, isPublic, dealIds, v, fastRetrieval, sectorId, sectorOffset, skipCommP);
    }

    public ImportOptions withSkipCommP(boolean v) {
        return new ImportOptions(pieceCid, copy, cache, isPublic, dealIds, minerIds, fastRetrieval, sectorId, sectorOffset, v);
    }
}
