package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.testing.Vectors;

class AddressTest {
    @Test
    void everyManifestAddressParsesFormatsAndEncodes() {
        int checked = 0;
        for (JsonNode v : Vectors.manifest().get("addresses")) {
            String kind = v.get("kind").asText();
            String s = v.get("address").asText();
            if (kind.equals("bad-checksum")) {
                assertThat(v.get("valid").asBoolean()).isFalse();
                // its last character differs, which also leaves non-zero base32 padding bits
                assertThatThrownBy(() -> Address.parse(s)).isInstanceOf(PaychException.class)
                        .hasMessageContaining(s)
                        .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.BAD_ADDRESS);
                checked++;
                continue;
            }
            Address a = Address.parse(s);
            assertThat(a.toString()).isEqualTo(s);
            assertThat(a.format(Address.Network.TESTNET)).isEqualTo("t" + s.substring(1));
            assertThat(Address.parse("t" + s.substring(1))).isEqualTo(a);
            switch (kind) {
                case "secp256k1": {
                    assertThat(a.protocol()).isEqualTo(Address.Protocol.SECP256K1);
                    assertThat(a.format(Address.Network.TESTNET)).isEqualTo(v.get("testnet").asText());
                    byte[] pub = Multibase.unhex(v.get("publicKeyHex").asText());
                    assertThat(Address.secp256k1(pub)).isEqualTo(a);
                    byte[] priv = Base64.getDecoder().decode(v.get("privateKeyBase64").asText());
                    assertThat(Secp256k1.publicKey(priv)).isEqualTo(pub);
                    assertThat(Secp256k1.address(priv)).isEqualTo(a);
                    assertThat(Address.fromBytes(a.bytes())).isEqualTo(a);
                    break;
                }
                case "id":
                    assertThat(a.protocol()).isEqualTo(Address.Protocol.ID);
                    assertThat(Long.toString(a.id())).isEqualTo(v.get("id").asText());
                    assertThat(Multibase.hex(a.bytes())).isEqualTo(v.get("bytesHex").asText());
                    assertThat(Address.id(Long.parseLong(v.get("id").asText()))).isEqualTo(a);
                    break;
                default:
                    assertThat(a.protocol().name().toLowerCase()).isEqualTo(kind);
                    assertThat(Multibase.hex(a.bytes())).isEqualTo(v.get("bytesHex").asText());
            }
            assertThat(Address.fromBytes(a.bytes()).toString()).isEqualTo(s);
            checked++;
        }
        assertThat(checked).isEqualTo(Vectors.manifest().get("addresses").size()).isGreaterThanOrEqualTo(12);
    }

    @Test
    void specTableAddresses() {
        // filecoin-retrieval.md §10.1 (go-address vectors)
        assertThat(Multibase.hex(Address.parse("t01729").bytes())).isEqualTo("00c10d");
        byte[] pub = Multibase.unhex("049402fac37e6432a416a3a0ca5426b5185ab3b24f6134efa25ce487c82d2e4e13bf452511e0d2245421f8613bc10d72fa216666a96c3bc13920d3ff233fd0bc05");
        assertThat(Address.secp256k1(pub).toString()).isEqualTo("f15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq");
        Address bls = Address.bls(Multibase.unhex("ad58df696e2d4e91ea86c881e938ba4ea81b395e12797b84b9cf314b9546705e839c7a99d606b247ddb4f9ac7a3414dd"));
        assertThat(bls.toString()).isEqualTo("f3vvmn62lofvhjd2ugzca6sof2j2ubwok6cj4xxbfzz4yuxfkgobpihhd2thlanmsh3w2ptld2gqkn2jvlss4a");
        Address f4 = Address.delegated(32, Multibase.unhex("ffffffffff"));
        assertThat(Multibase.hex(f4.bytes())).isEqualTo("0420ffffffffff");
        assertThat(f4.toString()).isEqualTo("f432f77777777x32lpna");
        assertThat(Address.fromBytes(Multibase.unhex("02e69d512597d48b5a5f19ca033703d74d14e58342")).format(Address.Network.TESTNET))
                .isEqualTo("t242ovcjmx2sfvuxyzzibtoa6xjukola2cqjh7k6a");
    }

    @Test
    void badStringsFailWithClearErrors() {
        String good = "f2edcoyjd4utkafphh3ov6ongftldzsqpninngbla";
        assertBad("", "too short");
        assertBad("x2edcoyjd4utkafphh3ov6ongftldzsqpninngbla", "network prefix");
        assertBad("f5edcoyjd4utkafphh3ov6ongftldzsqpninngbla", "unknown protocol");
        assertBad(good.toUpperCase(), "network prefix");
        assertBad("f2EDCOYJD4UTKAFPHH3OV6ONGFTLDZSQPNINNGBLA", "canonical");
        assertBad("f2edcoyjd4utkafphh3ov6ongftldzsqpninngbl1", "base32");
        assertBad("f2" + Multibase.encodeRaw(Multibase.Base.BASE32, new byte[14]), "payload must be 20 bytes");
        assertBad("f2edcoyjd4utkafphh3ov6ongftldzsqpninngbl", "base32");
        assertBad("f0", "too short");
        assertBad("f0-1", "decimal");
        assertBad("f001", "leading zeros");
        assertBad("f09223372036854775808", "2^63-1");
        assertBad("f0123a", "decimal");
        assertBad("f4f77777777x32lpna", "namespace");
        assertBad("f432f77777777y32lpna", "checksum");
        assertBad("f2edcbyjd4utkafphh3ov6ongftldzsqpninngbla", "checksum");
        assertBad("f1d2xrzcslx7xlbbylc5c3d5lvandqw4iwl6epxbb", "base32");
        assertBad("f1" + "a".repeat(120), "at most 115");
    }

    @Test
    void badBytesFail() {
        assertThatThrownBy(() -> Address.fromBytes(new byte[0])).hasMessageContaining("empty");
        assertThatThrownBy(() -> Address.fromBytes(new byte[] {9, 1})).hasMessageContaining("unknown address protocol 9");
        assertThatThrownBy(() -> Address.fromBytes(new byte[] {1, 1, 2})).hasMessageContaining("20 bytes");
        assertThatThrownBy(() -> Address.fromBytes(new byte[] {3, 1})).hasMessageContaining("48 bytes");
        assertThatThrownBy(() -> Address.fromBytes(new byte[] {0, 1, 2})).hasMessageContaining("trailing");
        assertThatThrownBy(() -> Address.fromBytes(new byte[] {0, (byte) 0x80})).hasMessageContaining("varint");
        assertThatThrownBy(() -> Address.fromBytes(Multibase.unhex("00ffffffffffffffffff01"))).isInstanceOf(PaychException.class);
        assertThatThrownBy(() -> Address.delegated(10, new byte[55])).hasMessageContaining("at most 54");
        assertThatThrownBy(() -> Address.secp256k1(new byte[33])).hasMessageContaining("65 bytes");
    }

    @Property(tries = 200, seed = "42")
    void idAddressesRoundTrip(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long id) {
        Address a = Address.id(id);
        assertThat(Address.parse(a.toString())).isEqualTo(a);
        assertThat(Address.fromBytes(a.bytes())).isEqualTo(a);
        assertThat(a.toString()).isEqualTo("f0" + id);
    }

    @Property(tries = 200, seed = "7")
    void actorAndDelegatedAddressesRoundTrip(@ForAll @Size(max = 40) byte[] data,
                                             @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long ns) {
        Address a = Address.actor(data);
        assertThat(Address.parse(a.format(Address.Network.TESTNET))).isEqualTo(a);
        Address d = Address.delegated(ns, data);
        assertThat(Address.parse(d.toString())).isEqualTo(d);
        assertThat(Address.fromBytes(d.bytes())).isEqualTo(d);
    }

    private static void assertBad(String s, String message) {
        assertThatThrownBy(() -> Address.parse(s)).isInstanceOf(PaychException.class).hasMessageContaining(message)
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.BAD_ADDRESS);
    }
}
