package venus.retrieval.gateway;

/**
 * The one exception type of the gateway module. Its {@link Reason} maps to the HTTP status the
 * client gets, so handlers throw and the server answers with one short text line.
 */
public class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a request failed, with the status it answers. */
    public enum Reason {
        /** Malformed CID, path, parameter or header. */
        BAD_REQUEST(400),
        /** The content (or a path segment) is not held by this node. */
        NOT_FOUND(404),
        /** Method other than GET, HEAD, OPTIONS. */
        METHOD_NOT_ALLOWED(405),
        /** The requested representation cannot be produced for this content. */
        NOT_ACCEPTABLE(406),
        /** {@code Cache-Control: only-if-cached} and the content is not local. */
        PRECONDITION_FAILED(412),
        /** The Range header asks for bytes beyond the content. */
        RANGE_NOT_SATISFIABLE(416),
        /** The request header section is over the configured limit. */
        HEADERS_TOO_LARGE(431),
        /** A bug or an I/O failure on our side. */
        INTERNAL(500),
        /** A path continues into a node kind that has no links (e.g. a string in dag-cbor). */
        NOT_IMPLEMENTED(501),
        /** Too many requests in flight. */
        UNAVAILABLE(503),
        /** No progress within the request timeout. */
        TIMEOUT(504);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        /** The HTTP status code this reason answers. */
        public int status() {
            return status;
        }
    }

    private final Reason reason;

    public GatewayException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public GatewayException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The machine-readable reason. */
    public Reason reason() {
        return reason;
    }

    /** The HTTP status this failure answers. */
    public int status() {
        return reason.status();
    }
}
