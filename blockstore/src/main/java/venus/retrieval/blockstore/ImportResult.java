package venus.retrieval.blockstore;

import venus.retrieval.blockstore.commp.PieceCommitment;

/**
 * What an import did.
 *
 * @param piece          the ready piece record
 * @param alreadyPresent the piece was already ready; nothing was added
 * @param commitment     the computed commitment (null when the import was skipped as already present)
 */
public record ImportResult(PieceInfo piece, boolean alreadyPresent, PieceCommitment commitment) {}
