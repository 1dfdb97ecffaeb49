package venus.retrieval.node.graphsync;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.traversal.DagTraversal;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.ipld.traversal.Visit;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.node.NodeException;

/**
 * A request we sent, verified as responses arrive: we run the same selector walk as the
 * responder; each metadata entry must name the link our walk reaches next, each block marked
 * present must have arrived (in that message or earlier) and hash to its CID. Anything else fails
 * the request ({@code RETRIEVAL_FAILED}) and cancels it at the responder.
 */
public final class OutgoingRequest {
    /** Hears about a request's progress, on the thread that received the message. */
    public interface Listener {
        /** A verified block in walk order; {@code firstTime} false when the walk reached it before. */
        default void onBlock(Cid cid, byte[] data, boolean firstTime) {}

        /** Extensions arrived with a response (also kept in {@link #extensionsReceived()}). */
        default void onExtensions(Map<String, Node> extensions) {}

        /** A response status arrived (14, 15, then a terminal one). */
        default void onStatus(int status) {}
    }

    private final GraphsyncRequester owner;
    private final PeerId peer;
    private final UUID id;
    private final ReceivedBlocks store;
    private final Listener listener;
    private final CompletableFuture<Integer> completion = new CompletableFuture<>();
    private final List<Map<String, Node>> extensionsReceived = new ArrayList<>();
    private final Set<Cid> delivered = new HashSet<>();
    private final Iterator<Visit> walk;
    /** Links of the walk the listener already saw in an earlier request (a restart): verified, not reported. */
    private final long alreadyHave;
    private GsResponse.Metadatum current;
    private Map<Cid, byte[]> messageBlocks = Map.of();
    private long blocksReceived;
    private long bytesReceived;
    private long linksVerified;
    private long blocksOnWire;
    private long bytesOnWire;
    private volatile boolean connectionLost;

    OutgoingRequest(GraphsyncRequester owner, PeerId peer, UUID id, Cid root, Node selector, ReceivedBlocks store, Listener listener,
                    long alreadyHave) {
        this.owner = owner;
        this.peer = peer;
        this.id = id;
        this.store = store;
        this.listener = listener;
        this.alreadyHave = alreadyHave;
        BlockGetter expected = this::expectedBlock;
        this.walk = DagTraversal.over(expected).withDups(true).withMissing(DagTraversal.MissingBlocks.SKIP)
                .withSelector(Selectors.parse(selector)).iterator(root);
    }

    /** The request id. */
    public UUID id() {
        return id;
    }

    /** The responder. */
    public PeerId peer() {
        return peer;
    }

    /**
     * Completes with the terminal status (20, 21, 30–35; 35 too after our own {@link #cancel}),
     * or exceptionally with {@code RETRIEVAL_FAILED} when the response breaks the walk or the
     * connection is lost.
     */
    public CompletableFuture<Integer> completion() {
        return completion;
    }

    /** Every extension map received so far, in order. */
    public synchronized List<Map<String, Node>> extensionsReceived() {
        return List.copyOf(extensionsReceived);
    }

    /** Distinct blocks received and verified so far. */
    public synchronized long blocksReceived() {
        return blocksReceived;
    }

    /** Bytes of distinct blocks received so far. */
    public synchronized long bytesReceived() {
        return bytesReceived;
    }

    /**
     * Links of the selector walk verified so far (metadata entries, missing ones and duplicates
     * included), counting those skipped at the start of a restart: what a restart sends as
     * {@code graphsync/do-not-send-first-blocks}. Stable once {@link #completion()} is done.
     */
    public synchronized long linksVerified() {
        return linksVerified;
    }

    /** Blocks whose bytes arrived in this request's messages (not re-read from the store). */
    public synchronized long blocksOnWire() {
        return blocksOnWire;
    }

    /** Bytes of the blocks that arrived in this request's messages. */
    public synchronized long bytesOnWire() {
        return bytesOnWire;
    }

    /** Whether the request failed because the connection to the responder was lost (a restart may resume it). */
    public boolean connectionLost() {
        return connectionLost;
    }

    /** Sends a cancel; completes {@link #completion()} with 35. */
    public void cancel() {
        if (completion.complete(ResponseStatus.REQUEST_CANCELLED)) {
            owner.send(peer, GsRequest.cancel(id));
            owner.remove(this);
        }
    }

    /** Sends an update with {@code extensions} (e.g. a data-transfer message). */
    public void update(Map<String, Node> extensions) {
        if (!completion.isDone()) {
            owner.send(peer, GsRequest.update(id, extensions));
        }
    }

    /** One response of a message; {@code blocks} are the message's blocks, already hash-checked. */
    synchronized void onResponse(GsResponse r, Map<Cid, byte[]> blocks) {
        if (completion.isDone()) {
            return;
        }
        try {
            messageBlocks = blocks;
            for (GsResponse.Metadatum m : r.metadata()) {
                if (completion.isDone()) {
                    return; // failed meanwhile (connection lost): linksVerified stays what the listener saw
                }
                current = m;
                if (!walk.hasNext()) {
                    throw failure("responder announced " + m.link() + " after the selector walk ended");
                }
                Visit v = walk.next();
                if (!v.cid().equals(m.link())) {
                    throw failure("responder announced " + m.link() + " where the selector walk reaches " + v.cid());
                }
                linksVerified++;
                if (!v.missing()) {
                    boolean first = delivered.add(v.cid());
                    if (linksVerified <= alreadyHave) {
                        continue; // the listener had it before the restart
                    }
                    if (first) {
                        blocksReceived++;
                        bytesReceived += v.data().length;
                    }
                    listener.onBlock(v.cid(), v.data(), first);
                }
            }
            current = null;
            messageBlocks = Map.of();
            if (!r.extensions().isEmpty()) {
                extensionsReceived.add(r.extensions());
                listener.onExtensions(r.extensions());
            }
            listener.onStatus(r.status());
            if (ResponseStatus.isTerminal(r.status())) {
                if (ResponseStatus.isSuccess(r.status()) && walk.hasNext()) {
                    throw failure("response ended before the selector walk did");
                }
                owner.remove(this);
                completion.complete(r.status());
            }
        } catch (NodeException | IpldException e) {
            current = null;
            messageBlocks = Map.of();
            fail(e instanceof NodeException ne ? ne : failure(e.getMessage()));
            owner.send(peer, GsRequest.cancel(id));
        }
    }

    /** What our walk asks for: must be the announced link; its bytes from this message or the store. */
    private byte[] expectedBlock(Cid cid) {
        GsResponse.Metadatum m = current;
        if (m == null) {
            throw failure("the selector walk expects " + cid + " but the responder announced nothing more");
        }
        if (!m.link().equals(cid)) {
            throw failure("responder announced " + m.link() + " where the selector walk reaches " + cid);
        }
        if (m.action() == LinkAction.MISSING) {
            return null;
        }
        byte[] d = messageBlocks.get(cid);
        if (d != null) {
            store.put(cid, d);
            blocksOnWire++;
            bytesOnWire += d.length;
            return d;
        }
        d = store.get(cid);
        if (d == null) {
            throw failure("responder announced " + cid + " as present but never sent it");
        }
        return d;
    }

    void fail(NodeException e, boolean lost) {
        connectionLost = lost;
        fail(e);
    }

    void fail(NodeException e) {
        owner.remove(this);
        completion.completeExceptionally(e);
    }

    private static NodeException failure(String msg) {
        return new NodeException(NodeException.Reason.RETRIEVAL_FAILED, "graphsync: " + msg);
    }
}
