package venus.retrieval.node;

/**
 * The retrieval-node module's one exception type. The message is the single line the CLI prints;
 * {@link #reason()} lets callers branch without parsing text.
 */
public class NodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, machine-readable. Add reasons here rather than new exception types. */
    public enum Reason {
        /** No repository at the given directory. */
        REPO_MISSING,
        /** The repository was written by another repo format. */
        REPO_VERSION,
        /** {@code vrn init} refused a directory that is neither empty nor a repository. */
        REPO_NOT_EMPTY,
        /** Another process holds the repository's writer lock. */
        REPO_IN_USE,
        /** A configuration key is unknown or its value is invalid. */
        CONFIG_INVALID,
        /** A listener could not bind its address (port in use, address not local). */
        BIND_FAILED,
        /** A node service failed to start or stop. */
        SERVICE_FAILED,
        /** A file in the repository could not be read or written. */
        IO,
        /** What a request names (a piece, a channel...) does not exist. */
        NOT_FOUND,
        /** A peer sent a malformed or out-of-protocol message (graphsync, data-transfer...). */
        BAD_MESSAGE,
        /** A retrieval did not complete: the provider refused, failed, or sent blocks the selector walk does not expect. */
        RETRIEVAL_FAILED
    }

    private final Reason reason;

    public NodeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public NodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the operation failed. */
    public Reason reason() {
        return reason;
    }
}
