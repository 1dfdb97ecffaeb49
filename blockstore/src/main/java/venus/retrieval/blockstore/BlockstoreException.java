package venus.retrieval.blockstore;

/**
 * The one exception type of the {@code blockstore} module. Every failure carries a
 * machine-readable {@link Reason} that the CLI and the protocols map to an exit code or status.
 */
public class BlockstoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a blockstore, piece directory, import or CommP operation failed. */
    public enum Reason {
        /** Input bytes are not a valid CAR / piece file, or a block does not hash to its CID. */
        BAD_INPUT,
        /** A given piece CID does not match the computed one. */
        PIECE_MISMATCH,
        /** A piece or block is not known. */
        NOT_FOUND,
        /** The LMDB map reached its configured maximum size (or the disk is full). */
        FULL,
        /** The on-disk data was written by an incompatible version or is damaged. */
        INCOMPATIBLE,
        /** The store is opened read-only and a write was attempted. */
        READ_ONLY,
        /** An argument is outside what is supported (bad piece CID, bad size...). */
        INVALID_ARGUMENT,
        /** The operation conflicts with the piece's current state (e.g. removing a piece being imported). */
        CONFLICT,
        /** An underlying I/O or LMDB failure. */
        IO
    }

    private final Reason reason;

    public BlockstoreException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BlockstoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The machine-readable reason for this failure. */
    public Reason reason() {
        return reason;
    }
}
