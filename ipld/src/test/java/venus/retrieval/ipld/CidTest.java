package venus.retrieval.ipld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CidTest {
    @Test
    void v0RoundTripsAndConvertsToV1() {
        Cid c = Cid.parse("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
        assertThat(c.version()).isZero();
        assertThat(c.codec()).isEqualTo(Multicodec.DAG_PB);
        assertThat(c.toString()).isEqualTo("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
        assertThat(Cid.decode(c.bytes())).isEqualTo(c);
        assertThat(c.toV1().toString()).startsWith("bafybei");
        assertThat(Cid.parse(c.toV1().toString())).isEqualTo(c.toV1());
    }

    @Test
    void v1InEveryBaseParsesBack() {
        Cid c = Cid.parse("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
        assertThat(c.codec()).isEqualTo(Multicodec.RAW);
        assertThat(Multicodec.name(c.multihash().code())).isEqualTo("sha2-256");
        for (Multibase.Base b : Multibase.Base.values()) {
            assertThat(Cid.parse(c.toString(b))).as(b.name()).isEqualTo(c);
        }
        // sha2-256 of the empty string
        assertThat(c.multihash().matches(new byte[0])).isTrue();
        assertThat(Cid.of(Multicodec.RAW, new byte[0])).isEqualTo(c);
    }

    @Test
    void rejectsGarbageWithBadCid() {
        assertThatThrownBy(() -> Cid.parse("bafy!!")).isInstanceOf(IpldException.class)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(IpldException.Reason.BAD_CID);
        assertThatThrownBy(() -> Cid.parse("")).isInstanceOf(IpldException.class);
        assertThatThrownBy(() -> Cid.parse("Qm123")).isInstanceOf(IpldException.class);
    }

    @Test
    void refusesOverlongStringsBeforeDecoding() {
        String huge = "z" + "2".repeat(Cid.MAX_STRING_LENGTH);
        assertThatThrownBy(() -> Cid.parse(huge)).isInstanceOf(IpldException.class)
                .hasMessageContaining("limit is " + Cid.MAX_STRING_LENGTH);
        // an inline identity CID of 1 KiB is still accepted
        Cid inline = Cid.v1(Multicodec.RAW, Multihash.compute(Multicodec.IDENTITY, new byte[1024]));
        assertThat(inline.toString().length()).isLessThanOrEqualTo(Cid.MAX_STRING_LENGTH);
        assertThat(Cid.parse(inline.toString())).isEqualTo(inline);
    }

    @Test
    void varintIsStrict() {
        assertThat(Varint.decode(new byte[] {(byte) 0x80, 0x01})).isEqualTo(128);
        assertThatThrownBy(() -> Varint.decode(new byte[] {(byte) 0x80, 0x00}))
                .isInstanceOf(IpldException.class).hasMessageContaining("minimally");
        byte[] ten = new byte[10];
        java.util.Arrays.fill(ten, (byte) 0x81);
        assertThatThrownBy(() -> Varint.decode(ten)).isInstanceOf(IpldException.class).hasMessageContaining("9 bytes");
        assertThat(Varint.decode(Varint.encode(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    }
}
