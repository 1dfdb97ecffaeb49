package venus.retrieval.node.daemon;

import java.util.Map;
import java.util.UUID;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.node.graphsync.GraphsyncHooks;
import venus.retrieval.node.graphsync.GsRequest;
import venus.retrieval.node.metrics.ServedMeters;

/**
 * Counts graphsync traffic at the daemon's wiring boundary (the graphsync module stays free of
 * metrics): a request per incoming request, block bytes put on the wire; decisions are the
 * wrapped hooks'.
 */
final class CountingGraphsyncHooks implements GraphsyncHooks {
    private final GraphsyncHooks next;
    private final ServedMeters meters;

    CountingGraphsyncHooks(GraphsyncHooks next, ServedMeters meters) {
        this.next = next;
        this.meters = meters;
    }

    @Override
    public RequestDecision onIncomingRequest(PeerId peer, GsRequest request) {
        meters.requests().increment();
        return next.onIncomingRequest(peer, request);
    }

    @Override
    public BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
        BlockDecision d = next.onOutgoingBlock(peer, requestId, block);
        meters.bytes().increment(block.sizeOnWire());
        return d;
    }

    @Override
    public UpdateDecision onRequestUpdated(PeerId peer, UUID requestId, Map<String, Node> extensions) {
        return next.onRequestUpdated(peer, requestId, extensions);
    }

    @Override
    public void onComplete(PeerId peer, UUID requestId, int status) {
        next.onComplete(peer, requestId, status);
    }

    @Override
    public void onCancelled(PeerId peer, UUID requestId) {
        next.onCancelled(peer, requestId);
    }

    @Override
    public void onNetworkError(PeerId peer, UUID requestId, Throwable cause) {
        next.onNetworkError(peer, requestId, cause);
    }
}
