package venus.retrieval.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.TokenAmount;

/**
 * Vouchers taken and refused by every {@link PaymentReceiver} of the node (paid gateway and
 * retrieval deals): {@code vrn_vouchers_accepted_total} and {@code vrn_vouchers_rejected_total{reason}},
 * reason being the {@link PaychException.Reason} name. Every reason is registered up front so a
 * rate over a reason that has not happened yet reads 0 rather than "no data".
 */
public final class VoucherMeters implements PaymentReceiver.Listener {
    private final Counter accepted;
    private final Map<PaychException.Reason, Counter> rejected = new EnumMap<>(PaychException.Reason.class);

    /** Registers the meters on {@code registry}. */
    public VoucherMeters(MeterRegistry registry) {
        accepted = Counter.builder("vrn.vouchers.accepted")
                .description("vouchers accepted and stored (a resent copy of the stored voucher counts, crediting nothing)")
                .register(registry);
        for (PaychException.Reason r : PaychException.Reason.values()) {
            rejected.put(r, Counter.builder("vrn.vouchers.rejected").tag("reason", r.name())
                    .description("vouchers refused, by reason").register(registry));
        }
    }

    @Override
    public void accepted(Address channel, TokenAmount credit) {
        accepted.increment();
    }

    @Override
    public void rejected(Address channel, PaychException.Reason reason) {
        rejected.get(reason).increment();
    }
}
