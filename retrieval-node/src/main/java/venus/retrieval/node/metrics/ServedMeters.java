package venus.retrieval.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Bytes served and requests per protocol, the same two meters for every protocol:
 * {@code vrn_served_bytes_total{protocol}} and {@code vrn_served_requests_total{protocol}}.
 * Protocols: {@code gateway} (HTTP), {@code graphsync}, {@code bitswap}.
 */
public record ServedMeters(Counter bytes, Counter requests) {
    /** The meters of one protocol (registered once; later calls return the same meters). */
    public static ServedMeters of(MeterRegistry registry, String protocol) {
        return new ServedMeters(
                Counter.builder("vrn.served.bytes").tag("protocol", protocol).baseUnit("bytes")
                        .description("block or body bytes sent, by protocol").register(registry),
                Counter.builder("vrn.served.requests").tag("protocol", protocol)
                        .description("requests received, by protocol").register(registry));
    }
}
