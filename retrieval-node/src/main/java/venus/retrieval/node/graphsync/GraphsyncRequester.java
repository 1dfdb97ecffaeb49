package venus.retrieval.node.graphsync;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.node.NodeException;

/**
 * Sends graphsync requests and verifies the responses against the selector walk
 * ({@link OutgoingRequest}). The peer must already be connected (dial it on the host first);
 * responses arrive on the stream the responder opens back to us.
 */
public final class GraphsyncRequester {
    private static final Logger log = LoggerFactory.getLogger(GraphsyncRequester.class);

    private record Key(PeerId peer, UUID id) {}

    private final Function<PeerId, PeerSender> senders;
    private final Map<Key, OutgoingRequest> requests = new ConcurrentHashMap<>();

    GraphsyncRequester(Function<PeerId, PeerSender> senders) {
        this.senders = senders;
    }

    /**
     * Sends a new request for the DAG at {@code root} under {@code selector} (a selector node, see
     * {@code Selectors}), with {@code extensions}. Blocks are verified, stored in {@code store}
     * and handed to {@code listener} in walk order.
     *
     * @throws IpldException {@code BAD_SELECTOR} when the selector does not parse
     */
    public OutgoingRequest request(PeerId peer, Cid root, Node selector, Map<String, Node> extensions,
                                   ReceivedBlocks store, OutgoingRequest.Listener listener) {
        return request(peer, root, selector, extensions, store, listener, 0);
    }

    /**
     * Restarts a request that was cut off after {@code linksVerified} links of the walk (its
     * {@link OutgoingRequest#linksVerified()}): a new request asking the responder not to send the
     * first {@code linksVerified} blocks ({@code graphsync/do-not-send-first-blocks}); their bytes
     * come from {@code store}, which must hold every block the earlier request verified. The
     * listener hears only about the links after them, so it sees each link once across both.
     */
    public OutgoingRequest restart(PeerId peer, Cid root, Node selector, Map<String, Node> extensions,
                                   ReceivedBlocks store, OutgoingRequest.Listener listener, long linksVerified) {
        if (linksVerified < 0) {
            throw new IllegalArgumentException("linksVerified < 0");
        }
        Map<String, Node> ext = new java.util.LinkedHashMap<>(extensions);
        if (linksVerified > 0) {
            ext.put(ResponseTask.DO_NOT_SEND_FIRST_BLOCKS, Node.integer(linksVerified));
        }
        return request(peer, root, selector, ext, store, listener, linksVerified);
    }

    private OutgoingRequest request(PeerId peer, Cid root, Node selector, Map<String, Node> extensions,
                                    ReceivedBlocks store, OutgoingRequest.Listener listener, long alreadyHave) {
        // walk the selector as the responder will see it: canonical dag-cbor orders ExploreFields'
        // keys, and that order is the walk order
        Node sent = venus.retrieval.ipld.cbor.DagCbor.decode(venus.retrieval.ipld.cbor.DagCbor.encode(selector));
        UUID id = UUID.randomUUID();
        OutgoingRequest r = new OutgoingRequest(this, peer, id, root, sent, store, listener, alreadyHave);
        requests.put(new Key(peer, id), r);
        send(peer, GsRequest.newRequest(id, root, sent, extensions));
        return r;
    }

    void send(PeerId peer, GsRequest r) {
        senders.apply(peer).send(GsMessage.ofRequests(r));
    }

    void remove(OutgoingRequest r) {
        requests.remove(new Key(r.peer(), r.id()), r);
    }

    /** Responses and blocks from {@code peer}. */
    void onMessage(PeerId peer, GsMessage m) {
        if (m.responses().isEmpty()) {
            return;
        }
        Map<Cid, byte[]> blocks = new HashMap<>();
        for (GsBlock b : m.blocks()) {
            try {
                blocks.put(b.cid(), b.data());
            } catch (IpldException e) {
                throw GraphsyncCodec.bad("block: " + e.getMessage());
            }
        }
        for (GsResponse r : m.responses()) {
            OutgoingRequest o = requests.get(new Key(peer, r.requestId()));
            if (o == null) {
                log.debug("graphsync: response from {} for unknown request {}", peer, r.requestId());
                continue;
            }
            o.onResponse(r, blocks);
        }
    }

    /** The connection to {@code peer} is gone: its requests fail. */
    void peerFailed(PeerId peer, Throwable cause) {
        for (OutgoingRequest o : List.copyOf(requests.values())) {
            if (o.peer().equals(peer)) {
                o.fail(new NodeException(NodeException.Reason.RETRIEVAL_FAILED,
                        "graphsync: connection to " + peer + " lost: " + cause.getMessage()), true);
            }
        }
    }
}
