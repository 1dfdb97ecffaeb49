package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import org.junit.jupiter.api.Test;

class TokenAmountTest {
    @Test
    void formatsLikeLotus() {
        assertThat(TokenAmount.parse("1.5").toString()).isEqualTo("1.5 FIL");
        assertThat(TokenAmount.ofAtto(1000).toString()).isEqualTo("0.000000000000001 FIL");
        assertThat(TokenAmount.ofAtto(1).toString()).isEqualTo("0.000000000000000001 FIL");
        assertThat(TokenAmount.ZERO.toString()).isEqualTo("0 FIL");
        assertThat(TokenAmount.ofFil(3).toString()).isEqualTo("3 FIL");
        assertThat(TokenAmount.ofFil(10).toString()).isEqualTo("10 FIL");
        assertThat(TokenAmount.ofAtto("250000000000000000").toString()).isEqualTo("0.25 FIL");
        assertThat(TokenAmount.ofAtto(-1_500_000_000_000_000_000L).toString()).isEqualTo("-1.5 FIL");
        assertThat(TokenAmount.ofFil(2).toAttoString()).isEqualTo("2000000000000000000");
    }

    @Test
    void parsesLikeLotus() {
        assertThat(TokenAmount.parse("1.5 FIL").atto()).isEqualTo(new BigInteger("1500000000000000000"));
        assertThat(TokenAmount.parse("1.5fil").atto()).isEqualTo(new BigInteger("1500000000000000000"));
        assertThat(TokenAmount.parse("0.000000000000001 FIL")).isEqualTo(TokenAmount.ofAtto(1000));
        assertThat(TokenAmount.parse("1000 attoFIL")).isEqualTo(TokenAmount.ofAtto(1000));
        assertThat(TokenAmount.parse("7afil")).isEqualTo(TokenAmount.ofAtto(7));
        assertThat(TokenAmount.parse(".5")).isEqualTo(TokenAmount.parse("0.5 FIL"));
        assertThat(TokenAmount.parse("2")).isEqualTo(TokenAmount.ofFil(2));
    }

    @Test
    void refusesBadInput() {
        assertBad("", "not a decimal");
        assertBad("FIL", "not a decimal");
        assertBad("1.2.3", "not a decimal");
        assertBad("-1", "unrecognized unit");
        assertBad("1 BTC", "unrecognized unit");
        assertBad("0.0000000000000000001", "at most 18 decimals");
        assertBad("1.5 attoFIL", "attoFIL must be whole");
        assertBad("1".repeat(51), "too long");
        assertThatThrownBy(() -> TokenAmount.ofAtto("12x")).hasMessageContaining("not an attoFIL integer");
        assertThatThrownBy(() -> new TokenAmount(BigInteger.TWO.pow(1016))).hasMessageContaining("limit");
    }

    @Property(tries = 300, seed = "11")
    void formatThenParseIsIdentity(@ForAll @BigRange(min = "0", max = "100000000000000000000000000000") BigInteger atto) {
        TokenAmount t = new TokenAmount(atto);
        assertThat(TokenAmount.parse(t.toString())).isEqualTo(t);
        assertThat(TokenAmount.parse(t.toAttoString() + " attoFIL")).isEqualTo(t);
    }

    private static void assertBad(String s, String message) {
        assertThatThrownBy(() -> TokenAmount.parse(s)).isInstanceOf(PaychException.class).hasMessageContaining(message)
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.BAD_AMOUNT);
    }
}
