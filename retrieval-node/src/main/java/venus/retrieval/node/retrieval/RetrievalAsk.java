package venus.retrieval.node.retrieval;

import java.math.BigInteger;
import java.util.Objects;
import venus.retrieval.paych.Address;

/**
 * One miner's retrieval terms: what a query answers and what a deal proposal must meet.
 *
 * @param pricePerByte            attoFIL per byte sent
 * @param unsealPrice             one-time fee when the piece has no unsealed copy, attoFIL
 * @param paymentInterval         bytes sent before the first payment is asked
 * @param paymentIntervalIncrease growth of the interval after each payment
 * @param paymentAddress          where payment channels must point
 */
public record RetrievalAsk(BigInteger pricePerByte, BigInteger unsealPrice, long paymentInterval,
                           long paymentIntervalIncrease, Address paymentAddress) {
    public RetrievalAsk {
        Objects.requireNonNull(pricePerByte, "pricePerByte");
        Objects.requireNonNull(unsealPrice, "unsealPrice");
        Objects.requireNonNull(paymentAddress, "paymentAddress");
        if (pricePerByte.signum() < 0 || unsealPrice.signum() < 0 || paymentInterval < 0 || paymentIntervalIncrease < 0) {
            throw new IllegalArgumentException("retrieval ask values must be >= 0");
        }
        if (pricePerByte.signum() > 0 && paymentInterval == 0) {
            throw new IllegalArgumentException("a non-zero price needs a payment interval > 0");
        }
    }

    /** Free terms paid to {@code address} (Boost's ask). */
    public static RetrievalAsk free(Address address) {
        return new RetrievalAsk(BigInteger.ZERO, BigInteger.ZERO, 0, 0, address);
    }

    public RetrievalAsk withPaymentAddress(Address a) {
        return new RetrievalAsk(pricePerByte, unsealPrice, paymentInterval, paymentIntervalIncrease, a);
    }
}
