package venus.retrieval.node.daemon;

import java.time.Duration;
import java.util.List;

/**
 * One part of the running daemon (admin API, HTTP gateway, libp2p host, ...). The {@link Daemon}
 * starts services in registration order and stops them in reverse order.
 */
public interface NodeService {
    /**
     * Short name: {@code api}, {@code gateway} and {@code libp2p} fill the matching fields of
     * {@code daemon.json}; other names only appear in logs.
     */
    String name();

    /**
     * Starts serving and returns the addresses actually bound (URLs like {@code http://127.0.0.1:8080}
     * without trailing slash, or multiaddrs for libp2p); empty for a service that does not listen.
     *
     * @throws venus.retrieval.node.NodeException {@code BIND_FAILED} with one line naming the config key
     *     when an address cannot be bound
     */
    List<String> start() throws Exception;

    /**
     * Stops: refuse new work, let in-flight work finish for at most {@code grace}, then cut it. Must
     * return within {@code grace} plus a little; must not throw.
     */
    void stop(Duration grace);

    /** True when the service logs its own listen addresses, so the daemon does not log them twice. */
    default boolean logsListenAddresses() {
        return false;
    }
}
