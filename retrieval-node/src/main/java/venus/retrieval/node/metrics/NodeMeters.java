package venus.retrieval.node.metrics;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigInteger;
import java.util.function.Supplier;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.VoucherStore;

/**
 * Meters read from the node's stores at scrape time: block lookups and hot-cache hits, pieces
 * held, payment channels and attoFIL received in vouchers.
 */
public final class NodeMeters {
    private NodeMeters() {
    }

    /** Registers the meters on {@code registry}; {@code vouchers} answers null while payments are off. */
    public static void bind(MeterRegistry registry, PieceStore store, Supplier<VoucherStore> vouchers) {
        FunctionCounter.builder("vrn.blocks.lookups", store, s -> s.cacheStats().requestCount())
                .description("block lookups through the one lookup path (cache, blockstore, piece files)").register(registry);
        FunctionCounter.builder("vrn.blocks.cache_hits", store, s -> s.cacheStats().hitCount())
                .description("lookups the hot-block cache answered").register(registry);
        Gauge.builder("vrn.blocks.cache_hit_ratio", store, s -> {
            CacheStats c = s.cacheStats();
            return c.requestCount() == 0 ? 0 : c.hitRate();
        }).description("hot-block cache hits / lookups since start").register(registry);
        FunctionCounter.builder("vrn.blocks.read_mismatches", store, PieceStore::fileReadMismatches)
                .description("blocks refused because their piece-file bytes no longer hash to their CID (blockstore.verify_reads)")
                .register(registry);
        Gauge.builder("vrn.pieces", store, s -> s.directory().pieces().size()).description("piece records").register(registry);
        Gauge.builder("vrn.paych.channels", vouchers, v -> v.get() == null ? 0 : v.get().receivedChannels().size())
                .description("payment channels that paid this node").register(registry);
        Gauge.builder("vrn.paych.received_attofil", vouchers, v -> received(v.get()).doubleValue())
                .description("attoFIL received in vouchers over every channel (best voucher per lane)").register(registry);
    }

    private static BigInteger received(VoucherStore s) {
        if (s == null) {
            return BigInteger.ZERO;
        }
        BigInteger sum = BigInteger.ZERO;
        for (Address ch : s.receivedChannels()) {
            sum = sum.add(s.receivedTotal(ch).atto());
        }
        return sum;
    }
}
