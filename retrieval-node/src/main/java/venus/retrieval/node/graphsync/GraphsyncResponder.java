package venus.retrieval.node.graphsync;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.libp2p.PeerId;

/**
 * Serves graphsync requests from the blocks of a {@link BlockGetter} (the node's
 * {@code BlockSource}), asking {@link GraphsyncHooks} what to do. Responses go on our own
 * outbound stream to the requester. {@link #unpause}, {@link #cancel} and
 * {@link #sendExtensions} let the data-transfer layer drive a request from its own streams.
 */
public final class GraphsyncResponder {
    private static final Logger log = LoggerFactory.getLogger(GraphsyncResponder.class);
    /** Requests one peer may have in progress; more are answered 31 (RequestFailedBusy). */
    public static final int MAX_REQUESTS_PER_PEER = 64;

    private record Key(PeerId peer, UUID id) {}

    private final BlockGetter blocks;
    private final GraphsyncHooks hooks;
    private final Executor workers;
    private final Function<PeerId, PeerSender> senders;
    private final Map<Key, ResponseTask> tasks = new ConcurrentHashMap<>();

    GraphsyncResponder(BlockGetter blocks, GraphsyncHooks hooks, Executor workers, Function<PeerId, PeerSender> senders) {
        this.blocks = blocks;
        this.hooks = hooks;
        this.workers = workers;
        this.senders = senders;
    }

    /** A request from {@code peer} arrived (called by the inbound stream). */
    void onRequest(PeerId peer, GsRequest r) {
        Key k = new Key(peer, r.id());
        switch (r.type()) {
            case NEW -> {
                if (tasks.containsKey(k)) {
                    log.info("graphsync: {} reused request id {}; ignored", peer, r.id());
                    return;
                }
                PeerSender sender = senders.apply(peer);
                if (tasks.keySet().stream().filter(x -> x.peer().equals(peer)).count() >= MAX_REQUESTS_PER_PEER) {
                    sender.send(new GsMessage(java.util.List.of(), java.util.List.of(
                            new GsResponse(r.id(), ResponseStatus.REQUEST_FAILED_BUSY, java.util.List.of(), Map.of())), java.util.List.of()));
                    return;
                }
                ResponseTask t = new ResponseTask(this, peer, r, blocks, hooks, sender, workers);
                tasks.put(k, t);
                t.schedule();
            }
            case CANCEL -> {
                ResponseTask t = tasks.get(k);
                if (t != null) {
                    t.cancelByRequester();
                }
            }
            case UPDATE -> {
                ResponseTask t = tasks.get(k);
                if (t != null) {
                    t.update(r.extensions());
                }
            }
        }
    }

    /**
     * Resumes a paused response; {@code extensions} go out with the next message (status 14).
     * A pause that a hook is returning right now is resumed once it is in place; a response that
     * is not paused then is left alone. False when no such request is running.
     */
    public boolean unpause(PeerId peer, UUID requestId, Map<String, Node> extensions) {
        ResponseTask t = tasks.get(new Key(peer, requestId));
        return t != null && t.unpause(extensions);
    }

    /** Ends a response with status 35 (RequestCancelled). False when no such request is running. */
    public boolean cancel(PeerId peer, UUID requestId) {
        ResponseTask t = tasks.get(new Key(peer, requestId));
        return t != null && t.cancelByResponder();
    }

    /** Sends extensions on a running (or paused) response, with status 14 as go-graphsync does. */
    public boolean sendExtensions(PeerId peer, UUID requestId, Map<String, Node> extensions) {
        ResponseTask t = tasks.get(new Key(peer, requestId));
        return t != null && t.sendExtensions(extensions);
    }

    /** Whether the response is paused. */
    public boolean isPaused(PeerId peer, UUID requestId) {
        ResponseTask t = tasks.get(new Key(peer, requestId));
        return t != null && t.isPaused();
    }

    /** Responses in progress (including paused ones). */
    public int activeRequests() {
        return tasks.size();
    }

    void remove(ResponseTask t) {
        tasks.remove(new Key(t.peer, t.request.id()), t);
    }

    /** The peer's connection is gone: its responses are dropped (hooks hear {@code onNetworkError}). */
    void peerFailed(PeerId peer, Throwable cause) {
        for (ResponseTask t : tasks.values()) {
            if (t.peer.equals(peer)) {
                t.networkError(cause);
            }
        }
    }
}
