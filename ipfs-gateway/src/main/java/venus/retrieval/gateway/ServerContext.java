package venus.retrieval.gateway;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/** What every connection of one server shares: handler, gate, limits, workers, counters. */
final class ServerContext {
    final GatewayConfig config;
    final GatewayHandler handler;
    final PaymentGate gate;
    final ExecutorService workers;
    final GatewayStats stats;
    final long requestTimeoutNanos;
    final boolean zeroCopy;
    private final AtomicInteger inFlight = new AtomicInteger();

    ServerContext(GatewayConfig config, GatewayHandler handler, PaymentGate gate, ExecutorService workers, GatewayStats stats) {
        this.config = config;
        this.handler = handler;
        this.gate = gate;
        this.workers = workers;
        this.stats = stats;
        this.requestTimeoutNanos = config.requestTimeout().toNanos();
        this.zeroCopy = !config.tls();
    }

    /** Takes one of the {@code maxConcurrentRequests} slots; false when none is free. */
    boolean tryAcquire() {
        if (inFlight.incrementAndGet() > config.maxConcurrentRequests()) {
            inFlight.decrementAndGet();
            return false;
        }
        stats.activeRequests.incrementAndGet();
        return true;
    }

    /** Gives a slot back. */
    void release() {
        inFlight.decrementAndGet();
        stats.activeRequests.decrementAndGet();
    }
}
