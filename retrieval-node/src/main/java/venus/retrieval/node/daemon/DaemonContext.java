package venus.retrieval.node.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.node.api.ApiTokens;
import venus.retrieval.node.api.RpcDispatcher;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.metrics.NodeMetrics;
import venus.retrieval.node.repo.Repo;

/**
 * What every service of a running daemon shares: the repository, the validated config, the peer
 * identity, the storage ({@link PieceStore}), metrics, the admin API dispatcher (register API interfaces on it) and the list of
 * resources to close after every service stopped (LMDB environments, stores).
 */
public final class DaemonContext {
    private final Repo repo;
    private final NodeConfig config;
    private final PeerIdentity identity;
    private final ApiTokens tokens;
    private final PieceStore store;
    private final NodeMetrics metrics = new NodeMetrics();
    private final ObjectMapper json = new ObjectMapper();
    private final RpcDispatcher rpc = new RpcDispatcher(json);
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Map<String, List<String>> bound = new LinkedHashMap<>();
    private volatile Runnable shutdownRequest = () -> { };

    /**
     * @param store the node's storage, opened writable under the repository's writer lock; closed
     *     after every service stopped
     */
    public DaemonContext(Repo repo, NodeConfig config, PeerIdentity identity, ApiTokens tokens, PieceStore store) {
        this.repo = repo;
        this.config = config;
        this.identity = identity;
        this.tokens = tokens;
        this.store = store;
        closeOnShutdown(store);
    }

    public Repo repo() {
        return repo;
    }

    public NodeConfig config() {
        return config;
    }

    public PeerIdentity identity() {
        return identity;
    }

    public ApiTokens tokens() {
        return tokens;
    }

    /** Blocks, pieces, the piece directory and the one lookup path ({@code store().blockSource()}). */
    public PieceStore store() {
        return store;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    /** The shared JSON mapper. */
    public ObjectMapper json() {
        return json;
    }

    /** Register admin API interfaces here. */
    public RpcDispatcher rpc() {
        return rpc;
    }

    /**
     * An extra JSON-RPC endpoint on the admin API (e.g. {@code /rpc/v1}, the Lotus-compatible chain
     * API a devnet node serves): the admin API authenticates the bearer token, asks
     * {@code needsWrite(method)} and then hands the raw body to {@code handler}.
     */
    public record RawRpcEndpoint(java.util.function.Predicate<String> needsWrite, java.util.function.UnaryOperator<byte[]> handler) {}

    private final Map<String, RawRpcEndpoint> rawEndpoints = new LinkedHashMap<>();

    /** Registers an extra endpoint before the admin API starts (services start before it). */
    public synchronized void registerRawRpc(String path, RawRpcEndpoint endpoint) {
        rawEndpoints.put(path, endpoint);
    }

    /** The extra endpoints by path. */
    public synchronized Map<String, RawRpcEndpoint> rawRpcEndpoints() {
        return Map.copyOf(rawEndpoints);
    }

    /** Closes {@code resource} after every service stopped, in reverse order of registration. */
    public synchronized <T extends AutoCloseable> T closeOnShutdown(T resource) {
        resources.push(resource);
        return resource;
    }

    synchronized Deque<AutoCloseable> takeResources() {
        Deque<AutoCloseable> out = new ArrayDeque<>(resources);
        resources.clear();
        return out;
    }

    /** Addresses each started service bound, by service name. */
    public synchronized Map<String, List<String>> boundAddresses() {
        return Map.copyOf(bound);
    }

    synchronized void bound(String service, List<String> addresses) {
        bound.put(service, List.copyOf(addresses));
    }

    /** Asks the daemon to stop (as SIGTERM does); returns at once. */
    public void requestShutdown() {
        shutdownRequest.run();
    }

    void onShutdownRequest(Runnable r) {
        shutdownRequest = r;
    }
}
