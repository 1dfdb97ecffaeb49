package venus.retrieval.gateway;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of one {@link GatewayServer} (for metrics and tests). */
public final class GatewayStats {
    final AtomicLong openConnections = new AtomicLong();
    final AtomicLong activeRequests = new AtomicLong();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong rejectedBusy = new AtomicLong();
    final AtomicLong writeStalls = new AtomicLong();
    final AtomicLong maxPendingOutboundBytes = new AtomicLong();
    final AtomicLong zeroCopyBytes = new AtomicLong();

    /** Connections open now. */
    public long openConnections() {
        return openConnections.get();
    }

    /** Requests being served now. */
    public long activeRequests() {
        return activeRequests.get();
    }

    /** Requests received since start. */
    public long requests() {
        return requests.get();
    }

    /** Requests answered 503 because the concurrency limit was reached. */
    public long rejectedBusy() {
        return rejectedBusy.get();
    }

    /** Times a body writer waited because a connection could not take more bytes. */
    public long writeStalls() {
        return writeStalls.get();
    }

    /** The most bytes ever queued on one connection and not yet written to the socket. */
    public long maxPendingOutboundBytes() {
        return maxPendingOutboundBytes.get();
    }

    /** Body bytes sent with zero-copy file transfer. */
    public long zeroCopyBytes() {
        return zeroCopyBytes.get();
    }

    void notePending(long pending) {
        maxPendingOutboundBytes.accumulateAndGet(pending, Math::max);
    }
}
