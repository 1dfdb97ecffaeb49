package venus.retrieval.libp2p;

/**
 * Serves one application protocol (e.g. {@code /ipfs/bitswap/1.2.0}) on streams that peers open
 * to us. Registered on the host with a protocol id; called on the stream's event loop right
 * after negotiation, it must {@link Stream#setListener set a listener} (bytes the peer pipelined
 * after the negotiation are delivered then).
 */
@FunctionalInterface
public interface ProtocolHandler {
    /** A peer opened {@code stream} for this handler's protocol. */
    void handle(Stream stream);
}
