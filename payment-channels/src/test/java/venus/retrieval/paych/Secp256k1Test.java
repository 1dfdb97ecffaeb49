package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.testing.Vectors;

class Secp256k1Test {
    /** Private keys of the manifest's secp256k1 addresses, by f1 address. */
    static Map<Address, byte[]> manifestKeys() {
        Map<Address, byte[]> keys = new HashMap<>();
        for (JsonNode v : Vectors.manifest().get("addresses")) {
            if (v.get("kind").asText().equals("secp256k1")) {
                keys.put(Address.parse(v.get("address").asText()), Base64.getDecoder().decode(v.get("privateKeyBase64").asText()));
            }
        }
        return keys;
    }

    @Test
    void signingTheManifestVouchersReproducesTheirSignaturesAndRecoversTheSigner() {
        Map<Address, byte[]> keys = manifestKeys();
        int checked = 0;
        for (JsonNode v : Vectors.manifest().get("vouchers")) {
            if (!v.has("unsignedCborBase64")) {
                continue;
            }
            byte[] signingBytes = Base64.getDecoder().decode(v.get("unsignedCborBase64").asText());
            byte[] expected = Base64.getDecoder().decode(v.get("decoded").get("Signature").get("Data").asText());
            Address signer = Address.parse(v.get("signer").asText());
            // RFC 6979 nonces + low S: the same key signs the same bytes to the same signature.
            assertThat(Secp256k1.sign(keys.get(signer), signingBytes)).as(v.get("name").asText()).isEqualTo(expected);
            assertThat(Secp256k1.recoverAddress(signingBytes, expected)).isEqualTo(signer);
            for (Map.Entry<Address, byte[]> other : keys.entrySet()) {
                if (!other.getKey().equals(signer)) {
                    assertThat(Secp256k1.recoverAddress(signingBytes, Secp256k1.sign(other.getValue(), signingBytes))).isNotEqualTo(signer);
                }
            }
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(3);
    }

    @Test
    void tamperedManifestVoucherRecoversAnotherAddress() {
        for (JsonNode v : Vectors.manifest().get("vouchers")) {
            if (v.has("valid") && !v.get("valid").asBoolean()) {
                byte[] signed = Multibase.unhex(v.get("signedCborHex").asText());
                // the tuple ends with the signature element: 0x58 0x42 0x01 ‖ 65 bytes
                byte[] sig = Arrays.copyOfRange(signed, signed.length - 65, signed.length);
                byte[] signing = Arrays.copyOf(signed, signed.length - 68 + 1);
                signing[signing.length - 1] = (byte) 0xf6;
                assertThat(Secp256k1.recoverAddress(signing, sig)).isNotEqualTo(Address.parse(v.get("signer").asText()));
                return;
            }
        }
        throw new AssertionError("no tampered voucher in the manifest");
    }

    @Test
    void lotusCliVoucherFromTheSpecRecovers() {
        // filecoin-retrieval.md §10.2 V3: signing bytes and signature of a real lotus CLI voucher
        byte[] signing = Multibase.unhex("8b5502e69d512597d48b5a5f19ca033703d74d14e58342000040f6000245003b9aca000080f6");
        byte[] sig = Multibase.unhex("87695b1729214a2ce6e7c8e0c0cbaaf8d5e521f02ae38e11f07eb9a0dea88247"
                + "3ed9e1d80f5d437a902fb1ac0d0c4c0cff0c5f43cdcbd17a471a0bd00a82413e00");
        assertThat(Multibase.hex(Secp256k1.recoverPublicKey(signing, sig))).isEqualTo(
                "042ab13c6761197b5eb71376b54143de3a84dbec01506fc4ebc24c07d688bf5d1b6c9d83bd90ce177dd158890bff2246a8755592f2456fc326a71645457499a915");
        assertThat(Secp256k1.recoverAddress(signing, sig).format(Address.Network.TESTNET)).isEqualTo("t14hsid4nwp724r6dxwgue5kvvzjqjrd6y4lalecq");
    }

    @Test
    void freshKeysSignAndRecover() {
        byte[] key = Secp256k1.generatePrivateKey();
        byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] sig = Secp256k1.sign(key, msg);
        assertThat(sig).hasSize(65);
        assertThat(sig[64]).isBetween((byte) 0, (byte) 1);
        assertThat(Secp256k1.recoverAddress(msg, sig)).isEqualTo(Secp256k1.address(key));
        assertThat(Secp256k1.recoverAddress("hellp".getBytes(StandardCharsets.UTF_8), sig)).isNotEqualTo(Secp256k1.address(key));
    }

    /**
     * The signer reads the recovery id off the nonce point; the reference here is the textbook
     * construction (BouncyCastle's ECDSASigner, low S, then the recovery id that recovers the
     * signer's key). Both must give the same 65 bytes, for v = 0 and v = 1 alike.
     */
    @Test
    void signingMatchesEcdsaSignerWithTrialRecovery() {
        var curve = org.bouncycastle.crypto.ec.CustomNamedCurves.getByName("secp256k1");
        var domain = new org.bouncycastle.crypto.params.ECDomainParameters(curve.getCurve(), curve.getG(), curve.getN(), curve.getH());
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        int[] seen = new int[2];
        for (int i = 0; i < 200; i++) {
            byte[] key = new byte[32];
            rnd.nextBytes(key);
            key[0] &= 0x7f; // below n
            key[31] |= 1; // not zero
            byte[] msg = new byte[1 + rnd.nextInt(300)];
            rnd.nextBytes(msg);
            var signer = new org.bouncycastle.crypto.signers.ECDSASigner(
                    new org.bouncycastle.crypto.signers.HMacDSAKCalculator(new org.bouncycastle.crypto.digests.SHA256Digest()));
            signer.init(true, new org.bouncycastle.crypto.params.ECPrivateKeyParameters(new java.math.BigInteger(1, key), domain));
            java.math.BigInteger[] rs = signer.generateSignature(Blake2b.sum256(msg));
            java.math.BigInteger s = rs[1].compareTo(curve.getN().shiftRight(1)) > 0 ? curve.getN().subtract(rs[1]) : rs[1];
            byte[] expected = new byte[65];
            System.arraycopy(org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, rs[0]), 0, expected, 0, 32);
            System.arraycopy(org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, s), 0, expected, 32, 32);
            byte[] pub = Secp256k1.publicKey(key);
            expected[64] = 0;
            if (!Arrays.equals(Secp256k1.recoverPublicKey(msg, expected), pub)) {
                expected[64] = 1;
            }
            assertThat(Secp256k1.recoverPublicKey(msg, expected)).isEqualTo(pub);
            assertThat(Secp256k1.sign(key, msg)).isEqualTo(expected);
            seen[expected[64]]++;
        }
        assertThat(seen[0]).isPositive();
        assertThat(seen[1]).isPositive();
    }

    @Test
    void malformedInputIsRefused() {
        assertThatThrownBy(() -> Secp256k1.publicKey(new byte[31])).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> Secp256k1.publicKey(new byte[32])).hasMessageContaining("out of range");
        byte[] ff = new byte[32];
        Arrays.fill(ff, (byte) 0xff);
        assertThatThrownBy(() -> Secp256k1.publicKey(ff)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Secp256k1.recoverPublicKey(new byte[1], new byte[64])).hasMessageContaining("65 bytes");
        assertThatThrownBy(() -> Secp256k1.recoverPublicKey(new byte[1], new byte[65])).hasMessageContaining("out of range");
        byte[] sig = Secp256k1.sign(Secp256k1.generatePrivateKey(), new byte[1]);
        sig[64] = 27;
        assertThatThrownBy(() -> Secp256k1.recoverPublicKey(new byte[1], sig)).hasMessageContaining("recovery id");
    }
}
