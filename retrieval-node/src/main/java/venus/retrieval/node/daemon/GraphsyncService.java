package venus.retrieval.node.daemon;

import java.time.Duration;
import java.util.List;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.node.graphsync.Graphsync;
import venus.retrieval.node.graphsync.GraphsyncHooks;

/**
 * Graphsync 2.0.0 on the daemon's libp2p host, serving the node's blocks (the one lookup path,
 * {@code store().blockSource()}). The handler is set at construction, before the host starts, so
 * identify advertises the protocol from the first connection. {@code hooks} decide about requests:
 * {@link GraphsyncHooks#FREE} serves everything (what the Filecoin retrieval provider replaces).
 */
public final class GraphsyncService implements NodeService {
    /** Responder worker threads. */
    static final int WORKERS = 4;

    private final Graphsync graphsync;

    public GraphsyncService(Host host, BlockGetter blocks, GraphsyncHooks hooks) {
        this.graphsync = Graphsync.register(host, blocks, hooks, WORKERS);
    }

    /** The graphsync instance (responder for unpause/cancel, requester). */
    public Graphsync graphsync() {
        return graphsync;
    }

    @Override
    public String name() {
        return "graphsync";
    }

    @Override
    public List<String> start() {
        return List.of();
    }

    @Override
    public void stop(Duration grace) {
        graphsync.close();
    }
}
