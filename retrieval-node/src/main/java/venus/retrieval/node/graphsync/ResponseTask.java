package venus.retrieval.node.graphsync;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.traversal.DagTraversal;
import venus.retrieval.ipld.traversal.Selector;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.ipld.traversal.Visit;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.node.graphsync.GraphsyncHooks.BlockDecision;
import venus.retrieval.node.graphsync.GraphsyncHooks.OutgoingBlock;
import venus.retrieval.node.graphsync.GraphsyncHooks.RequestDecision;
import venus.retrieval.node.graphsync.GraphsyncHooks.UpdateDecision;

/**
 * One response being served: a state machine advanced in turns on the worker pool. A turn sends at
 * most one message (≈ {@link #MESSAGE_BLOCK_BYTES} of blocks), then yields, so requests share the
 * workers; a paused task, or one whose peer has no room, holds no thread.
 *
 * <p>The walk is the shared {@link DagTraversal} with duplicates on and missing blocks skipped,
 * exactly what go-graphsync's responder walks: every link reached gets a metadata entry in walk
 * order ({@code p} or {@code m}); a block's bytes go out at most once per request, never for the
 * first {@code do-not-send-first-blocks} links or for {@code do-not-send-cids}, and always in the
 * same message as its metadata entry.
 */
final class ResponseTask {
    private static final Logger log = LoggerFactory.getLogger(ResponseTask.class);
    /** Block bytes after which a message is sent (go-graphsync batches ~512 KiB). */
    static final int MESSAGE_BLOCK_BYTES = 512 << 10;

    static final String DO_NOT_SEND_CIDS = Graphsync.DO_NOT_SEND_CIDS;
    static final String DO_NOT_SEND_FIRST_BLOCKS = Graphsync.DO_NOT_SEND_FIRST_BLOCKS;

    private final GraphsyncResponder owner;
    final PeerId peer;
    final GsRequest request;
    private final BlockGetter blocks;
    private final GraphsyncHooks hooks;
    private final PeerSender sender;
    private final Executor workers;

    private final java.util.concurrent.atomic.AtomicBoolean scheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.Queue<java.util.function.Consumer<ResponseTask>> events = new java.util.concurrent.ConcurrentLinkedQueue<>();
    // written in turns only (under this), read from outside without waiting
    private volatile boolean done;
    private volatile boolean paused;
    // guarded by this (turns)
    private boolean started;
    private boolean cancelledByRequester;
    private boolean cancelledByResponder;
    private Throwable networkError;
    private final List<Map<String, Node>> updates = new ArrayList<>();
    private final Map<String, Node> pendingExtensions = new LinkedHashMap<>();
    private Iterator<Visit> walk;
    private final Set<Cid> seen = new HashSet<>();
    private Set<Cid> doNotSend = Set.of();
    /** What loading the next block during a pause threw (null: nothing), rethrown when the walk resumes. */
    private RuntimeException preloadFailure;
    private long skipFirst;
    private long index;
    private long bytesSent;
    private boolean anyMissing;

    ResponseTask(GraphsyncResponder owner, PeerId peer, GsRequest request, BlockGetter blocks, GraphsyncHooks hooks,
                 PeerSender sender, Executor workers) {
        this.owner = owner;
        this.peer = peer;
        this.request = request;
        this.blocks = blocks;
        this.hooks = hooks;
        this.sender = sender;
        this.workers = workers;
    }

    // ---- events from outside (any thread; never wait for a running turn) ----

    void update(Map<String, Node> extensions) {
        event(t -> t.updates.add(extensions));
    }

    boolean unpause(Map<String, Node> extensions) {
        if (done) {
            return false;
        }
        // queued even when not paused yet: a hook may be placing the pause in the running turn
        // (the caller saw it decided); the event runs after that turn, so the unpause is not lost
        event(t -> {
            if (t.paused) {
                t.paused = false;
                t.pendingExtensions.putAll(extensions);
            }
        });
        return true;
    }

    boolean sendExtensions(Map<String, Node> extensions) {
        if (done) {
            return false;
        }
        event(t -> t.pendingExtensions.putAll(extensions));
        return true;
    }

    void cancelByRequester() {
        event(t -> t.cancelledByRequester = true);
    }

    boolean cancelByResponder() {
        if (done) {
            return false;
        }
        event(t -> t.cancelledByResponder = true);
        return true;
    }

    void networkError(Throwable cause) {
        event(t -> t.networkError = cause);
    }

    boolean isPaused() {
        return paused;
    }

    private void event(java.util.function.Consumer<ResponseTask> e) {
        events.add(e);
        schedule();
    }

    void schedule() {
        if (!done && scheduled.compareAndSet(false, true)) {
            try {
                workers.execute(this::turn);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scheduled.set(false); // graphsync is shutting down
            }
        }
    }

    // ---- one turn on a worker ----

    private synchronized void turn() {
        scheduled.set(false);
        if (done) {
            events.clear();
            return;
        }
        for (java.util.function.Consumer<ResponseTask> e; (e = events.poll()) != null; ) {
            e.accept(this);
        }
        try {
            if (networkError != null) {
                finishSilently();
                hooks.onNetworkError(peer, request.id(), networkError);
                return;
            }
            if (cancelledByRequester) {
                finishSilently();
                hooks.onCancelled(peer, request.id());
                return;
            }
            if (!started) {
                started = true;
                if (!start()) {
                    return;
                }
            }
            processUpdates();
            if (cancelledByResponder) {
                finish(ResponseStatus.REQUEST_CANCELLED, List.of(), List.of());
                return;
            }
            if (paused) {
                if (!pendingExtensions.isEmpty()) {
                    send(ResponseStatus.PARTIAL_RESPONSE, List.of(), List.of()); // go's SendUpdates
                }
                return;
            }
            if (!sender.hasRoom()) {
                sender.whenRoom(this::schedule);
                return;
            }
            if (sender.isDead()) {
                return; // the failure callback ends us
            }
            step();
            if (!done && !paused) {
                schedule();
            }
        } catch (RuntimeException e) {
            log.warn("graphsync: request {} from {} failed: {}", request.id(), peer, e.toString());
            if (!done) {
                finish(ResponseStatus.REQUEST_FAILED_UNKNOWN, List.of(), List.of());
            }
        }
    }

    /** Hooks, selector, extensions; false when the request ended right there. */
    private boolean start() {
        RequestDecision d = hooks.onIncomingRequest(peer, request);
        pendingExtensions.putAll(d.extensions());
        if (!d.accepted()) {
            finish(d.status(), List.of(), List.of());
            return false;
        }
        Selector selector;
        try {
            selector = Selectors.parse(request.selector());
            doNotSend = doNotSendCids(request.extensions().get(DO_NOT_SEND_CIDS));
            skipFirst = doNotSendFirst(request.extensions().get(DO_NOT_SEND_FIRST_BLOCKS));
        } catch (IpldException | venus.retrieval.node.NodeException e) {
            log.info("graphsync: request {} from {} refused: {}", request.id(), peer, e.getMessage());
            finish(ResponseStatus.REQUEST_FAILED_UNKNOWN, List.of(), List.of());
            return false;
        }
        walk = DagTraversal.over(BlockGetter.inlining(blocks)).withDups(true)
                .withMissing(DagTraversal.MissingBlocks.SKIP).withSelector(selector).iterator(request.root());
        if (d.pause()) {
            paused = true;
            send(ResponseStatus.REQUEST_PAUSED, List.of(), List.of());
        }
        return true;
    }

    private void processUpdates() {
        for (Map<String, Node> ext : updates) {
            UpdateDecision u = hooks.onRequestUpdated(peer, request.id(), ext);
            pendingExtensions.putAll(u.extensions());
            if (u.unpause() && paused) {
                paused = false;
                    }
        }
        updates.clear();
    }

    /** Walks until a message's worth of blocks, a pause or the end; sends that message. */
    private void step() {
        List<GsResponse.Metadatum> meta = new ArrayList<>();
        List<GsBlock> out = new ArrayList<>();
        long bytes = 0;
        int status = ResponseStatus.PARTIAL_RESPONSE;
        try {
            if (preloadFailure != null) {
                RuntimeException e = preloadFailure;
                preloadFailure = null;
                throw e;
            }
            while (bytes < MESSAGE_BLOCK_BYTES) {
                if (!walk.hasNext()) {
                    finish(anyMissing ? ResponseStatus.REQUEST_COMPLETED_PARTIAL : ResponseStatus.REQUEST_COMPLETED_FULL, meta, out);
                    return;
                }
                Visit v = walk.next();
                index++;
                if (v.missing()) {
                    meta.add(new GsResponse.Metadatum(v.cid(), LinkAction.MISSING));
                    anyMissing = true;
                    if (index == 1) {
                        finish(ResponseStatus.REQUEST_FAILED_CONTENT_NOT_FOUND, meta, out);
                        return;
                    }
                    continue;
                }
                boolean unique = seen.add(v.cid());
                boolean send = unique && index > skipFirst && !doNotSend.contains(v.cid());
                meta.add(new GsResponse.Metadatum(v.cid(), LinkAction.PRESENT));
                int onWire = 0;
                if (send) {
                    out.add(GsBlock.of(v.cid(), v.data()));
                    onWire = v.data().length;
                    bytes += onWire;
                    bytesSent += onWire;
                }
                BlockDecision d = hooks.onOutgoingBlock(peer, request.id(),
                        new OutgoingBlock(v.cid(), v.data().length, onWire, index, bytesSent, unique));
                if (!java.util.Collections.disjoint(pendingExtensions.keySet(), d.extensions().keySet())) {
                    // one key, two values (e.g. a resume's data-transfer message, then this block's
                    // pause): the earlier value goes out first, in a message of its own with what
                    // came before this block, so neither is lost
                    GsResponse.Metadatum mine = meta.remove(meta.size() - 1);
                    GsBlock mineBlock = send ? out.remove(out.size() - 1) : null;
                    send(ResponseStatus.PARTIAL_RESPONSE, meta, out);
                    meta = new ArrayList<>(List.of(mine));
                    out = mineBlock == null ? new ArrayList<>() : new ArrayList<>(List.of(mineBlock));
                    bytes = onWire;
                }
                pendingExtensions.putAll(d.extensions());
                if (d.pause()) {
                    paused = true;
                    status = ResponseStatus.REQUEST_PAUSED;
                    break;
                }
            }
        } catch (IpldException e) {
            // a corrupt block or a selector that blew up: go-graphsync answers RequestFailedUnknown
            log.info("graphsync: request {} from {}: walk failed: {}", request.id(), peer, e.getMessage());
            finish(ResponseStatus.REQUEST_FAILED_UNKNOWN, meta, out);
            return;
        }
        send(status, meta, out);
        if (paused) {
            preload();
        }
    }

    /**
     * Loads the walk's next block while a hook's pause (a payment round) is in place, so that the
     * read and its checks are not on the path between the unpause and the next block going out.
     * Nothing is sent or counted: the block stays in the walk until the response resumes. A
     * failure is kept for then, where it ends the response as any walk failure does.
     */
    private void preload() {
        try {
            walk.hasNext();
        } catch (RuntimeException e) {
            preloadFailure = e;
        }
    }

    private void send(int status, List<GsResponse.Metadatum> meta, List<GsBlock> out) {
        Map<String, Node> ext = Map.copyOf(pendingExtensions);
        pendingExtensions.clear();
        GsResponse r = new GsResponse(request.id(), status, meta, ext);
        sender.send(new GsMessage(List.of(), List.of(r), out));
    }

    /**
     * Sends the final message. As go-graphsync, the response has completed only once that message
     * was sent: the hooks hear {@code onComplete} then, or {@code onNetworkError} when the
     * connection failed first (a provider must not count a transfer the client never got as done).
     */
    private void finish(int status, List<GsResponse.Metadatum> meta, List<GsBlock> out) {
        Map<String, Node> ext = Map.copyOf(pendingExtensions);
        pendingExtensions.clear();
        java.util.concurrent.CompletableFuture<Void> sent =
                sender.sendTracked(new GsMessage(List.of(), List.of(new GsResponse(request.id(), status, meta, ext)), out));
        done = true;
        walk = null;
        owner.remove(this);
        sent.whenCompleteAsync((v, e) -> {
            if (e == null) {
                hooks.onComplete(peer, request.id(), status);
            } else {
                hooks.onNetworkError(peer, request.id(), e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e);
            }
        }, this::onWorker);
    }

    /** Runs a completion hook on a worker (not the connection's event loop); dropped once graphsync is closed. */
    private void onWorker(Runnable r) {
        try {
            workers.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("graphsync: closed before request {} from {} reported its end", request.id(), peer);
        }
    }

    private void finishSilently() {
        done = true;
        walk = null;
        pendingExtensions.clear();
        owner.remove(this);
    }

    /** {@code graphsync/do-not-send-cids}: a list of links (go-graphsync {@code cidset}). */
    static Set<Cid> doNotSendCids(Node n) {
        if (n == null) {
            return Set.of();
        }
        if (n.kind() != Kind.LIST) {
            throw GraphsyncCodec.bad(DO_NOT_SEND_CIDS + " must be a list of links");
        }
        Set<Cid> out = new HashSet<>();
        for (Node e : n.elements()) {
            if (e.kind() != Kind.LINK) {
                throw GraphsyncCodec.bad(DO_NOT_SEND_CIDS + " must be a list of links");
            }
            out.add(e.asCid());
        }
        return out;
    }

    /** {@code graphsync/do-not-send-first-blocks}: an int. */
    static long doNotSendFirst(Node n) {
        if (n == null) {
            return 0;
        }
        if (n.kind() != Kind.INT || !n.fitsLong()) {
            throw GraphsyncCodec.bad(DO_NOT_SEND_FIRST_BLOCKS + " must be an integer");
        }
        return n.asLong();
    }
}
