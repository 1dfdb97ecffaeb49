package venus.retrieval.blockstore;

/** Where a piece is in its life. Only {@link #READY} pieces serve blocks. */
public enum PieceState {
    /** Being imported (or an import was interrupted: its entries are not served). */
    INDEXING,
    /** Fully indexed, CommP verified: its blocks are served. */
    READY,
    /** Being removed, or its import failed and is being cleaned up; never served. */
    FAILED
}
