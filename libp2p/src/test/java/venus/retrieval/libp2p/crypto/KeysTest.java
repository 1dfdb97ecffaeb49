package venus.retrieval.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerId;

class KeysTest {
    // Key vectors from libp2p/specs peer-ids/peer-ids.md ("Test vectors").
    static final String ED_PRIV = "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    static final String ED_PUB = "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    static final String SECP_PUB = "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99";
    static final String ECDSA_PUB = "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36ae0e8f5d530899d83abab44abf3161f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e9f77c409e62";
    static final String RSA_PUB = "080012a60430820222300d06092a864886f70d01010105000382020f003082020a0282020100e1beab071d08200bde24eef00d049449b07770ff9910257b2d7d5dda242ce8f0e2f12e1af4b32d9efd2c090f66b0f29986dbb645dae9880089704a94e5066d594162ae6ee8892e6ec70701db0a6c445c04778eb3de1293aa1a23c3825b85c6620a2bc3f82f9b0c309bc0ab3aeb1873282bebd3da03c33e76c21e9beb172fd44c9e43be32e2c99827033cf8d0f0c606f4579326c930eb4e854395ad941256542c793902185153c474bed109d6ff5141ebf9cd256cf58893a37f83729f97e7cb435ec679d2e33901d27bb35aa0d7e20561da08885ef0abbf8e2fb48d6a5487047a9ecb1ad41fa7ed84f6e3e8ecd5d98b3982d2a901b4454991766da295ab78822add5612a2df83bcee814cf50973e80d7ef38111b1bd87da2ae92438a2c8cbcc70b31ee319939a3b9c761dbc13b5c086d6b64bf7ae7dacc14622375d92a8ff9af7eb962162bbddebf90acb32adb5e4e4029f1c96019949ecfbfeffd7ac1e3fbcc6b6168c34be3d5a2e5999fcbb39bba7adbca78eab09b9bc39f7fa4b93411f4cc175e70c0a083e96bfaefb04a9580b4753c1738a6a760ae1afd851a1a4bdad231cf56e9284d832483df215a46c1c21bdf0c6cfe951c18f1ee4078c79c13d63edb6e14feaeffabc90ad317e4875fe648101b0864097e998f0ca3025ef9638cd2b0caecd3770ab54a1d9c6ca959b0f5dcbc90caeefc4135baca6fd475224269bbe1b0203010001";

    static byte[] hex(String s) {
        return Multibase.unhex(s);
    }

    @Test
    void specPublicKeysDecodeAndReencodeIdentically() {
        for (String v : new String[] {ED_PUB, SECP_PUB, ECDSA_PUB, RSA_PUB}) {
            PubKey k = PubKey.decode(hex(v));
            assertThat(Multibase.hex(k.bytes())).isEqualTo(v);
        }
        assertThat(PubKey.decode(hex(ED_PUB)).type()).isEqualTo(KeyType.ED25519);
        assertThat(PubKey.decode(hex(SECP_PUB)).type()).isEqualTo(KeyType.SECP256K1);
        assertThat(PubKey.decode(hex(ECDSA_PUB)).type()).isEqualTo(KeyType.ECDSA);
        assertThat(PubKey.decode(hex(RSA_PUB)).type()).isEqualTo(KeyType.RSA);
    }

    @Test
    void specEd25519PrivateKeyDerivesItsPublicKeyAndRoundTrips() {
        PrivKey k = PrivKey.decode(hex(ED_PRIV));
        assertThat(Multibase.hex(k.publicKey().bytes())).isEqualTo(ED_PUB);
        assertThat(Multibase.hex(k.bytes())).isEqualTo(ED_PRIV);
        assertThat(PeerId.fromPublicKey(k.publicKey()).toString()).isEqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
    }

    @Test
    void legacy96ByteEd25519KeyIsAcceptedOnlyWithTwoEqualPublicKeys() {
        byte[] data = hex(ED_PRIV.substring(8));
        byte[] legacy = new byte[96];
        System.arraycopy(data, 0, legacy, 0, 64);
        System.arraycopy(data, 32, legacy, 64, 32);
        byte[] pb = new venus.retrieval.libp2p.Protobuf.Writer().varint(1, 1).bytes(2, legacy).toByteArray();
        assertThat(PrivKey.decode(pb).publicKey()).isEqualTo(PubKey.decode(hex(ED_PUB)));
        legacy[95] ^= 1;
        byte[] bad = new venus.retrieval.libp2p.Protobuf.Writer().varint(1, 1).bytes(2, legacy).toByteArray();
        assertThatThrownBy(() -> PrivKey.decode(bad)).isInstanceOf(Libp2pException.class)
                .extracting(e -> ((Libp2pException) e).reason()).isEqualTo(Libp2pException.Reason.BAD_KEY);
    }

    @Test
    void ed25519SignVerify() {
        PrivKey k = PrivKey.generateEd25519();
        byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] sig = k.sign(msg);
        assertThat(k.publicKey().verify(msg, sig)).isTrue();
        assertThat(k.publicKey().verify("hellO".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
        sig[3] ^= 1;
        assertThat(k.publicKey().verify(msg, sig)).isFalse();
        assertThat(k.publicKey().verify(msg, new byte[3])).isFalse();
        assertThat(PrivKey.decode(k.bytes()).publicKey()).isEqualTo(k.publicKey());
    }

    @Test
    void secp256k1SignaturesVerify() throws Exception {
        SecureRandom rnd = new SecureRandom();
        BigInteger d = new BigInteger(256, rnd).mod(Secp256k1PubKey.CURVE.getN().subtract(BigInteger.ONE)).add(BigInteger.ONE);
        byte[] pub = Secp256k1PubKey.CURVE.getG().multiply(d).normalize().getEncoded(true);
        PubKey k = PubKey.of(KeyType.SECP256K1, pub);
        byte[] msg = "secp".getBytes(StandardCharsets.UTF_8);
        ECDSASigner signer = new ECDSASigner();
        signer.init(true, new ECPrivateKeyParameters(d, Secp256k1PubKey.DOMAIN));
        BigInteger[] rs = signer.generateSignature(MessageDigest.getInstance("SHA-256").digest(msg));
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new ASN1Integer(rs[0]));
        v.add(new ASN1Integer(rs[1]));
        byte[] der = new DERSequence(v).getEncoded();
        assertThat(k.verify(msg, der)).isTrue();
        assertThat(k.verify("other".getBytes(StandardCharsets.UTF_8), der)).isFalse();
        assertThat(k.verify(msg, new byte[] {1, 2, 3})).isFalse();
        assertThat(PeerId.fromPublicKey(k).multihash().code()).isEqualTo(0); // 37 bytes: inlined
    }

    @Test
    void ecdsaAndRsaSignaturesVerify() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ekp = ec.generateKeyPair();
        checkJdk(PubKey.of(KeyType.ECDSA, ekp.getPublic().getEncoded()), ekp, "SHA256withECDSA");

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rkp = rsa.generateKeyPair();
        PubKey rk = PubKey.of(KeyType.RSA, rkp.getPublic().getEncoded());
        checkJdk(rk, rkp, "SHA256withRSA");
        assertThat(PeerId.fromPublicKey(rk).toString()).startsWith("Qm");
    }

    private static void checkJdk(PubKey k, KeyPair kp, String alg) throws Exception {
        byte[] msg = "jdk".getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance(alg);
        s.initSign(kp.getPrivate());
        s.update(msg);
        byte[] sig = s.sign();
        assertThat(k.verify(msg, sig)).isTrue();
        sig[sig.length - 1] ^= 1;
        assertThat(k.verify(msg, sig)).isFalse();
    }

    @Test
    void smallRsaKeysAndGarbageAreRejected() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        byte[] small = rsa.generateKeyPair().getPublic().getEncoded();
        assertThatThrownBy(() -> PubKey.of(KeyType.RSA, small)).isInstanceOf(Libp2pException.class);
        assertThatThrownBy(() -> PubKey.of(KeyType.ED25519, new byte[31])).isInstanceOf(Libp2pException.class);
        assertThatThrownBy(() -> PubKey.of(KeyType.SECP256K1, new byte[33])).isInstanceOf(Libp2pException.class);
        assertThatThrownBy(() -> PubKey.of(KeyType.ECDSA, new byte[10])).isInstanceOf(Libp2pException.class);
        assertThatThrownBy(() -> PubKey.decode(hex("0801"))).isInstanceOf(Libp2pException.class);
        assertThatThrownBy(() -> PubKey.decode(hex("0809122000"))).isInstanceOf(Libp2pException.class);
        assertThatThrownBy(() -> PubKey.decode(hex("08011240"))).isInstanceOf(Libp2pException.class);
    }
}
