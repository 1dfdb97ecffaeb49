package venus.retrieval.libp2p;

/**
 * The one exception type of the {@code libp2p} module. The {@link Reason} says what went wrong in
 * machine-readable form; a misbehaving peer's connection is closed with exactly one of these.
 */
public class Libp2pException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a libp2p operation failed. */
    public enum Reason {
        /** A key is malformed or of an unsupported type. */
        BAD_KEY,
        /** A signature does not verify. */
        BAD_SIGNATURE,
        /** A peer ID is malformed. */
        BAD_PEER_ID,
        /** The remote peer is not the one we dialed. */
        PEER_MISMATCH,
        /** A multiaddr is malformed or uses an unsupported protocol. */
        BAD_MULTIADDR,
        /** A protobuf message is malformed. */
        BAD_PROTOBUF,
        /** The peer broke a wire protocol (multistream, Noise, Yamux, identify, ping). */
        PROTOCOL_VIOLATION,
        /** No protocol both sides support. */
        NEGOTIATION_FAILED,
        /** The Noise handshake failed. */
        HANDSHAKE_FAILED,
        /** A frame could not be authenticated. */
        DECRYPT_FAILED,
        /** A frame or message is larger than allowed. */
        FRAME_TOO_LARGE,
        /** The peer sent more than the flow-control window allowed. */
        FLOW_CONTROL,
        /** A configured resource limit was reached. */
        LIMIT_EXCEEDED,
        /** Something did not happen in time. */
        TIMEOUT,
        /** The stream or connection was reset by the peer. */
        RESET,
        /** The stream, connection or host is closed. */
        CLOSED,
        /** The key store or a socket failed. */
        IO,
        /** A feature this implementation does not support. */
        UNSUPPORTED
    }

    private final Reason reason;

    public Libp2pException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Libp2pException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The machine-readable reason. */
    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return reason + ": " + getMessage();
    }
}
