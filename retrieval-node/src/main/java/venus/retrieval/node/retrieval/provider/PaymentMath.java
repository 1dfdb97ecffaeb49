package venus.retrieval.node.retrieval.provider;

import java.math.BigInteger;

/**
 * Payment arithmetic of go-fil-markets {@code retrievalmarket/types.go} (filecoin-retrieval.md
 * §3.6), bit for bit, because the client runs the same formulas. Interval boundaries are
 * cumulative byte counts {@code B1 = I0, B2 = B1 + (I0 + d), B3 = B2 + (I0 + 2d), ...}.
 *
 * @param pricePerByte p
 * @param interval     I0
 * @param increase     d
 * @param unsealPrice  U
 */
public record PaymentMath(BigInteger pricePerByte, long interval, long increase, BigInteger unsealPrice) {
    public PaymentMath {
        if (pricePerByte.signum() > 0 && interval <= 0) {
            throw new IllegalArgumentException("a non-zero price needs a payment interval > 0");
        }
    }

    /** Smallest boundary strictly greater than {@code x}. */
    public long nextInterval(long x) {
        long bound = interval;
        long step = interval;
        while (bound <= x) {
            step += increase;
            bound = Math.addExact(bound, step);
        }
        return bound;
    }

    /** Largest boundary at most {@code sent} (0 below the first). */
    public long intervalLowerBound(long sent) {
        long bound = 0;
        long step = interval;
        while (step > 0 && bound + step <= sent) {
            bound += step;
            step += increase;
        }
        return bound;
    }

    /** The data limit the funds pay for: 0 (unlimited) when free. */
    public long dataLimit(BigInteger funds) {
        if (pricePerByte.signum() == 0) {
            return 0;
        }
        BigInteger f = funds.subtract(unsealPrice);
        long paidBytes = f.signum() <= 0 ? 0 : f.divide(pricePerByte).min(BigInteger.valueOf(Long.MAX_VALUE / 2)).longValue();
        return nextInterval(paidBytes);
    }

    /** What is owed now, given {@code funds} received and {@code sent} bytes. */
    public BigInteger outstanding(BigInteger funds, long sent, boolean inFinalization) {
        if (funds.compareTo(unsealPrice) < 0) {
            return unsealPrice.subtract(funds);
        }
        if (pricePerByte.signum() == 0) {
            return BigInteger.ZERO;
        }
        long due = inFinalization ? sent : intervalLowerBound(sent);
        BigInteger owed = BigInteger.valueOf(due).multiply(pricePerByte).subtract(funds.subtract(unsealPrice));
        return owed.max(BigInteger.ZERO);
    }
}
