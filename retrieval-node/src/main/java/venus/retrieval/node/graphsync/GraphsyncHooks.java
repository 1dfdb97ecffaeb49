package venus.retrieval.node.graphsync;

import java.util.Map;
import java.util.UUID;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.libp2p.PeerId;

/**
 * The seam between the graphsync responder and what decides about requests (data-transfer,
 * payments). Every method has a default, and {@link #FREE} (all defaults) serves every request
 * for free, so graphsync works alone.
 *
 * <p>Calls for one request never overlap and come in order: {@code onIncomingRequest}, then
 * {@code onOutgoingBlock} per present block (and {@code onRequestUpdated} per incoming update,
 * between blocks), then exactly one of {@code onComplete} / {@code onCancelled} /
 * {@code onNetworkError}. They run on a responder worker thread: do not block for long (a slow
 * hook holds up other requests); to wait for something (a payment), pause and later call
 * {@link GraphsyncResponder#unpause}.
 */
public interface GraphsyncHooks {
    /** Serves everything for free. */
    GraphsyncHooks FREE = new GraphsyncHooks() {};

    /** A new request arrived: accept (maybe paused) or reject, and extensions for the first response. */
    default RequestDecision onIncomingRequest(PeerId peer, GsRequest request) {
        return RequestDecision.accept();
    }

    /**
     * A present block was reached by the walk and is about to go out (or was already sent, or is
     * one the requester has: then {@link OutgoingBlock#sizeOnWire()} is 0).
     */
    default BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
        return BlockDecision.CONTINUE;
    }

    /** The requester sent an update (type {@code "u"}) with these extensions. */
    default UpdateDecision onRequestUpdated(PeerId peer, UUID requestId, Map<String, Node> extensions) {
        return UpdateDecision.NONE;
    }

    /** The response ended with {@code status} (20, 21, 30–35), sent to the requester. */
    default void onComplete(PeerId peer, UUID requestId, int status) {}

    /** The requester cancelled (type {@code "c"}); nothing more is sent. */
    default void onCancelled(PeerId peer, UUID requestId) {}

    /** The response could not be delivered (connection or stream lost); it is dropped. */
    default void onNetworkError(PeerId peer, UUID requestId, Throwable cause) {}

    /**
     * One block of the walk.
     *
     * @param cid the block
     * @param size its size in bytes
     * @param sizeOnWire bytes put on the wire for it: {@code size} when sent now, 0 when not resent
     *     (duplicate, do-not-send-cids, do-not-send-first-blocks)
     * @param index its 1-based position in the traversal (counting every link, missing and duplicates too)
     * @param totalBytesSent block bytes sent for this request so far, this one included
     * @param firstVisit the walk reaches this block for the first time in this request (false for a
     *     duplicate); with {@code sizeOnWire} 0 and true, the requester said it holds the block
     */
    record OutgoingBlock(Cid cid, int size, int sizeOnWire, long index, long totalBytesSent, boolean firstVisit) {}

    /**
     * What to do with a new request.
     *
     * @param status 0 to accept, else the terminal status to answer (30 rejected, 31, 32, 33...)
     * @param extensions extensions for the first response (e.g. the data-transfer accept)
     * @param pause accept but send no block until {@link GraphsyncResponder#unpause}; the first
     *     response then carries status 15
     */
    record RequestDecision(int status, Map<String, Node> extensions, boolean pause) {
        public RequestDecision {
            extensions = Map.copyOf(extensions);
            if (status != 0 && !ResponseStatus.isTerminal(status)) {
                throw new IllegalArgumentException("reject with a terminal status, not " + status);
            }
        }

        public static RequestDecision accept() {
            return new RequestDecision(0, Map.of(), false);
        }

        public static RequestDecision accept(Map<String, Node> extensions) {
            return new RequestDecision(0, extensions, false);
        }

        public static RequestDecision acceptPaused(Map<String, Node> extensions) {
            return new RequestDecision(0, extensions, true);
        }

        public static RequestDecision reject(int status, Map<String, Node> extensions) {
            return new RequestDecision(status, extensions, false);
        }

        public boolean accepted() {
            return status == 0;
        }
    }

    /** After a block: go on, or pause right after it (status 15 goes with it); extensions to send with it. */
    record BlockDecision(boolean pause, Map<String, Node> extensions) {
        public static final BlockDecision CONTINUE = new BlockDecision(false, Map.of());

        public BlockDecision {
            extensions = Map.copyOf(extensions);
        }

        public static BlockDecision pauseAfter(Map<String, Node> extensions) {
            return new BlockDecision(true, extensions);
        }
    }

    /** After an update: extensions to answer with, and whether to unpause a paused response. */
    record UpdateDecision(boolean unpause, Map<String, Node> extensions) {
        public static final UpdateDecision NONE = new UpdateDecision(false, Map.of());

        public UpdateDecision {
            extensions = Map.copyOf(extensions);
        }
    }
}
