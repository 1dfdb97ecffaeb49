package venus.retrieval.gateway;

/**
 * Answers one request. Runs on a worker thread (it may block on storage), never on an event loop.
 * Throw {@link GatewayException} for a clean error status.
 */
@FunctionalInterface
public interface GatewayHandler {
    GatewayResponse handle(GatewayRequest request);
}
