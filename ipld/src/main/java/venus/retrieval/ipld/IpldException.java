package venus.retrieval.ipld;

/**
 * The one exception type of the {@code ipld} module. Every failure carries a machine-readable
 * {@link Reason} so that callers (CLI, HTTP, protocols) can map it to an exit code or status.
 */
public class IpldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why an IPLD operation failed. */
    public enum Reason {
        /** A varint is not minimally encoded, too long, or truncated. */
        BAD_VARINT,
        /** A multibase string has an unknown prefix or invalid characters. */
        BAD_MULTIBASE,
        /** A multihash is malformed or uses an unsupported function. */
        BAD_MULTIHASH,
        /** A CID is malformed. */
        BAD_CID,
        /** Block bytes do not hash to their CID. */
        HASH_MISMATCH,
        /** Bytes do not decode under the codec that the CID names. */
        BAD_BLOCK,
        /** A CAR file's framing is broken. */
        BAD_CAR,
        /** Input ended early. */
        TRUNCATED,
        /** A size or count exceeds a configured limit. */
        TOO_LARGE,
        /** A UnixFS node is malformed or of an unexpected type. */
        BAD_UNIXFS,
        /** A path does not resolve. */
        NOT_FOUND,
        /** A selector is malformed. */
        BAD_SELECTOR,
        /** A codec or feature this implementation does not support. */
        UNSUPPORTED,
        /** An underlying I/O error. */
        IO
    }

    private final Reason reason;

    /** A failure of kind {@code reason}; the message names what and, where known, the byte offset. */
    public IpldException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** As {@link #IpldException(Reason, String)}, keeping the lower-level cause. */
    public IpldException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The machine-readable reason for this failure. */
    public Reason reason() {
        return reason;
    }
}
