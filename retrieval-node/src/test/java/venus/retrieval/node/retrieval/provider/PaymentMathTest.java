package venus.retrieval.node.retrieval.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** The worked example of filecoin-retrieval.md §3.6 and edge cases. */
class PaymentMathTest {
    static final long MIB = 1 << 20;
    final PaymentMath m = new PaymentMath(BigInteger.TWO, MIB, MIB, BigInteger.ZERO);

    @Test
    void workedExample() {
        assertThat(m.nextInterval(0)).isEqualTo(1_048_576);
        assertThat(m.nextInterval(1_048_576)).isEqualTo(3_145_728);
        assertThat(m.nextInterval(3_145_728)).isEqualTo(6_291_456);
        assertThat(m.dataLimit(BigInteger.ZERO)).isEqualTo(1_048_576);
        assertThat(m.outstanding(BigInteger.ZERO, 1_100_000, false)).isEqualTo(2_097_152);
        assertThat(m.outstanding(BigInteger.valueOf(2_200_000), 1_100_000, false)).isZero();
        assertThat(m.dataLimit(BigInteger.valueOf(2_200_000))).isEqualTo(3_145_728);
        assertThat(m.outstanding(BigInteger.valueOf(2_200_000), 1_500_000, true)).isEqualTo(800_000);
        assertThat(m.intervalLowerBound(1_048_575)).isZero();
        assertThat(m.intervalLowerBound(3_145_728)).isEqualTo(3_145_728);
    }

    @Test
    void unsealPriceComesFirstAndFreeIsUnlimited() {
        PaymentMath u = new PaymentMath(BigInteger.TWO, 100, 0, BigInteger.valueOf(50));
        assertThat(u.outstanding(BigInteger.ZERO, 0, false)).isEqualTo(50);
        assertThat(u.outstanding(BigInteger.valueOf(50), 0, false)).isZero();
        assertThat(u.dataLimit(BigInteger.valueOf(50))).isEqualTo(100);
        assertThat(u.dataLimit(BigInteger.valueOf(250))).isEqualTo(200);
        PaymentMath free = new PaymentMath(BigInteger.ZERO, 0, 0, BigInteger.ZERO);
        assertThat(free.dataLimit(BigInteger.ZERO)).isZero();
        assertThat(free.outstanding(BigInteger.ZERO, 1 << 30, true)).isZero();
    }
}
