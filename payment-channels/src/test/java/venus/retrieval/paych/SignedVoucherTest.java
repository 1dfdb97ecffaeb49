package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.testing.Vectors;

class SignedVoucherTest {
    @Test
    void everyManifestVoucherDecodesReencodesAndVerifiesToItsSigner() throws Exception {
        Map<Address, byte[]> keys = Secp256k1Test.manifestKeys();
        int checked = 0;
        for (JsonNode v : Vectors.manifest().get("vouchers")) {
            byte[] cbor = Base64.getDecoder().decode(v.get("signedCborBase64").asText());
            assertThat(Multibase.hex(cbor)).isEqualTo(v.get("signedCborHex").asText());
            SignedVoucher sv = SignedVoucher.fromCbor(cbor);
            assertThat(sv.toCbor()).as("byte-identical re-encoding").isEqualTo(cbor);
            Address signer = Address.parse(v.get("signer").asText());
            if (v.has("valid") && !v.get("valid").asBoolean()) {
                assertThatThrownBy(() -> sv.verify(signer, SignatureVerifier.offline()))
                        .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.SIGNATURE_INVALID);
                checked++;
                continue;
            }
            String name = v.get("name").asText();
            assertThat(sv.channel()).isEqualTo(Address.parse(v.get("channel").asText()));
            assertThat(sv.lane()).isEqualTo(v.get("lane").asLong());
            assertThat(sv.nonce()).isEqualTo(v.get("nonce").asLong());
            assertThat(sv.amount().toAttoString()).isEqualTo(v.get("amount").asText());
            assertThat(sv.timeLockMin()).isEqualTo(v.get("tmin").asLong());
            assertThat(sv.timeLockMax()).isEqualTo(v.get("tmax").asLong());
            assertThat(sv.minSettleHeight()).isEqualTo(v.get("msh").asLong());
            assertThat(sv.signingBytes()).as(name).isEqualTo(Base64.getDecoder().decode(v.get("unsignedCborBase64").asText()));
            assertThat(v.get("verifiesWithSigner").asBoolean()).isTrue();
            assertThatCode(() -> sv.verify(signer, SignatureVerifier.offline())).doesNotThrowAnyException();
            assertThat(sv.recoverSigner()).isEqualTo(signer);
            // the other-key case: every other manifest key is refused
            for (Address other : keys.keySet()) {
                if (!other.equals(signer)) {
                    assertThatThrownBy(() -> sv.verify(other, SignatureVerifier.offline()))
                            .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.SIGNATURE_INVALID);
                }
            }
            // signing the unsigned voucher with the signer's key gives the published bytes
            assertThat(sv.withSignature(null).withSignature(new Signature(Signature.Type.SECP256K1,
                    Secp256k1.sign(keys.get(signer), sv.signingBytes()))).toCbor()).isEqualTo(cbor);
            // Lotus JSON: same as the vector's decoded form, whose generator names SecretHash "SecretPreImage"
            ObjectNode expected = ((ObjectNode) v.get("decoded")).deepCopy();
            expected.set("SecretHash", expected.remove("SecretPreImage"));
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(sv.toLotusJson().toString())).as(name).isEqualTo(expected);
            checked++;
        }
        assertThat(checked).isEqualTo(Vectors.manifest().get("vouchers").size()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void specVouchersFromLotusAndZondax() {
        // filecoin-retrieval.md §10.2 V1 (standard base64) and V3 (lotus CLI, unpadded base64url)
        SignedVoucher v1 = SignedVoucher.fromBase64("i0MA8gcAAED2AAFEAAGGoACAWEIBayRmYQQCatrELBc2rwfu0jJk0EmVr+eVccDsThtM1ZVzkrC53a6qVgrgFkB8OHoiZSlNmW/nmCU7G2POhEeo2gE=");
        assertThat(v1.channel()).isEqualTo(Address.id(1010));
        assertThat(v1.amount()).isEqualTo(TokenAmount.ofAtto(100000));
        assertThat(v1.recoverSigner().format(Address.Network.TESTNET)).isEqualTo("t1d2xrzcslx7xlbbylc5c3d5lvandqw4iwl6epxba");
        SignedVoucher v3 = SignedVoucher.fromBase64("i1UC5p1RJZfUi1pfGcoDNwPXTRTlg0IAAED2AAJFADuaygAAgFhCAYdpWxcpIUos5ufI4MDLqvjV5SHwKuOOEfB-uaDeqIJHPtnh2A9dQ3qQL7GsDQxMDP8MX0PNy9F6RxoL0AqCQT4A");
        assertThat(v3.nonce()).isEqualTo(2);
        assertThat(v3.amount()).isEqualTo(TokenAmount.ofAtto(1_000_000_000));
        assertThat(v3.recoverSigner().format(Address.Network.TESTNET)).isEqualTo("t14hsid4nwp724r6dxwgue5kvvzjqjrd6y4lalecq");
        assertThat(v3.toBase64Url()).isEqualTo("i1UC5p1RJZfUi1pfGcoDNwPXTRTlg0IAAED2AAJFADuaygAAgFhCAYdpWxcpIUos5ufI4MDLqvjV5SHwKuOOEfB-uaDeqIJHPtnh2A9dQ3qQL7GsDQxMDP8MX0PNy9F6RxoL0AqCQT4A");
        // unpadded standard base64 is accepted too
        String padded = Base64.getEncoder().encodeToString(v3.toCbor());
        assertThat(SignedVoucher.fromBase64(padded.replace("=", ""))).isEqualTo(v3);
    }

    @Test
    void allFieldsRoundTrip() {
        SignedVoucher sv = new SignedVoucher(Address.id(7), -5, 900, new byte[32],
                new SignedVoucher.ModVerifyParams(Address.id(8), 3, new byte[] {1, 2}), 4, 9,
                TokenAmount.ofAtto(-12), 1200, List.of(new SignedVoucher.Merge(1, 2), new SignedVoucher.Merge(3, 4)), null);
        SignedVoucher back = SignedVoucher.fromCbor(sv.toCbor());
        assertThat(back).isEqualTo(sv);
        assertThat(back.extra()).isEqualTo(sv.extra());
        assertThat(back.merges()).containsExactly(new SignedVoucher.Merge(1, 2), new SignedVoucher.Merge(3, 4));
        assertThat(back.timeLockMin()).isEqualTo(-5);
        assertThat(back.amount().atto()).isEqualTo(BigInteger.valueOf(-12));
        assertThat(back.toLotusJson().get("Extra").get("Actor").asText()).isEqualTo("f08");
        assertThat(sv.signingBytes()).isEqualTo(sv.toCbor()); // unsigned: same bytes
    }

    @Property(tries = 200, seed = "3")
    void plainVouchersRoundTripAndVerify(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long lane,
                                         @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long nonce,
                                         @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long amount) {
        byte[] key = Base64.getDecoder().decode("gMVudS/90G4+DZUW5mLnuog5gkBARaLC1MvnyH5sZv4=");
        SignedVoucher sv = SignedVoucher.of(Address.id(1010), lane, nonce, TokenAmount.ofAtto(amount));
        SignedVoucher signed = sv.withSignature(new Signature(Signature.Type.SECP256K1, Secp256k1.sign(key, sv.signingBytes())));
        SignedVoucher back = SignedVoucher.fromBase64(signed.toBase64Url());
        assertThat(back.toCbor()).isEqualTo(signed.toCbor());
        assertThat(back.recoverSigner()).isEqualTo(Secp256k1.address(key));
    }

    @Test
    void malformedVouchersFailClearly() {
        assertBad("80", "11 elements, got 0");
        assertBad("8a" + "00".repeat(10), "11 elements, got 10");
        // 11 elements but the channel address is empty
        assertBad("8b40000040f6000140008080f6", "address");
        byte[] good = SignedVoucher.of(Address.id(1), 0, 1, TokenAmount.ofAtto(5)).toCbor();
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> SignedVoucher.fromCbor(trailing)).hasMessageContaining("not valid CBOR");
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        assertThatThrownBy(() -> SignedVoucher.fromCbor(truncated)).hasMessageContaining("not valid CBOR");
        assertThatThrownBy(() -> SignedVoucher.fromBase64("***")).hasMessageContaining("base64");
        // lane 2^63 is refused
        String hugeLane = "8b420001000040f61b8000000000000000014200058080f6";
        assertBad(hugeLane, "Lane exceeds");
        // signature with an unknown type byte
        String sig9 = Multibase.hex(good).substring(0, Multibase.hex(good).length() - 2) + "4209ff";
        assertBad(sig9, "signature type 9");
        assertThatThrownBy(() -> SignedVoucher.of(Address.id(1), 0, 1, TokenAmount.ZERO).verify(Address.id(1), SignatureVerifier.offline()))
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.UNSIGNED);
    }

    private static void assertBad(String hex, String message) {
        assertThatThrownBy(() -> SignedVoucher.fromCbor(Multibase.unhex(hex))).isInstanceOf(PaychException.class)
                .hasMessageContaining(message)
                .extracting(e -> ((PaychException) e).reason()).isEqualTo(PaychException.Reason.BAD_VOUCHER);
    }
}
