package venus.retrieval.libp2p.yamux;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Streams counted over every {@link YamuxSession} that shares this object (one per host): how
 * many are open now and how many were opened each way. A stream counts as open from its SYN until
 * the session drops it (both halves closed, reset, or the connection gone), exactly once each way.
 * Safe to read from any thread.
 */
public final class StreamCounters {
    private final AtomicLong open = new AtomicLong();
    private final LongAdder openedInbound = new LongAdder();
    private final LongAdder openedOutbound = new LongAdder();

    /** Streams open now. */
    public long open() {
        return open.get();
    }

    /** Streams the peers opened since start. */
    public long openedInbound() {
        return openedInbound.sum();
    }

    /** Streams this side opened since start. */
    public long openedOutbound() {
        return openedOutbound.sum();
    }

    void opened(boolean outbound) {
        (outbound ? openedOutbound : openedInbound).increment();
        open.incrementAndGet();
    }

    void ended(int count) {
        open.addAndGet(-count);
    }
}
