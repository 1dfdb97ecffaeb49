package venus.retrieval.libp2p.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.Protobuf;

/**
 * Our own identity key: Ed25519 (the only type this node creates). Signs with the JDK provider.
 * {@link #bytes()} is the {@code PrivateKey} protobuf with Data = seed ‖ public key (64 bytes), the
 * layout go-libp2p and js-libp2p store, so key files move between implementations.
 */
public final class PrivKey {
    private static final byte[] PKCS8_PREFIX = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};

    private final byte[] seed;
    private final PubKey publicKey;
    private final PrivateKey jdkKey;

    private PrivKey(byte[] seed) {
        this.seed = seed.clone();
        byte[] pub = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
        this.publicKey = new Ed25519PubKey(pub);
        byte[] der = Arrays.copyOf(PKCS8_PREFIX, PKCS8_PREFIX.length + 32);
        System.arraycopy(seed, 0, der, PKCS8_PREFIX.length, 32);
        try {
            this.jdkKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new Libp2pException(Libp2pException.Reason.BAD_KEY, "invalid Ed25519 seed", e);
        }
    }

    /** A fresh random Ed25519 key. */
    public static PrivKey generateEd25519() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] enc = kp.getPrivate().getEncoded(); // PKCS#8: the seed is the last 32 bytes
            return new PrivKey(Arrays.copyOfRange(enc, enc.length - 32, enc.length));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    /** The key from a 32-byte Ed25519 seed. */
    public static PrivKey ed25519FromSeed(byte[] seed) {
        if (seed.length != 32) {
            throw new Libp2pException(Libp2pException.Reason.BAD_KEY, "Ed25519 seed must be 32 bytes");
        }
        return new PrivKey(seed);
    }

    /** Parses a {@code PrivateKey} protobuf (Ed25519 only; Data of 64 or legacy 96 bytes). */
    public static PrivKey decode(byte[] protobuf) {
        Protobuf.Reader r = new Protobuf.Reader(protobuf);
        Long type = null;
        byte[] data = null;
        try {
            while (r.next()) {
                if (r.field() == 1) {
                    type = r.varint();
                } else if (r.field() == 2) {
                    data = r.bytes();
                }
            }
        } catch (Libp2pException e) {
            throw new Libp2pException(Libp2pException.Reason.BAD_KEY, "malformed PrivateKey protobuf: " + e.getMessage(), e);
        }
        if (type == null || data == null) {
            throw new Libp2pException(Libp2pException.Reason.BAD_KEY, "PrivateKey protobuf lacks its Type or Data");
        }
        if (type != KeyType.ED25519.code()) {
            throw new Libp2pException(Libp2pException.Reason.UNSUPPORTED, "only Ed25519 identity keys are supported, got " + KeyType.of(type));
        }
        if (data.length != 64 && data.length != 96) {
            throw new Libp2pException(Libp2pException.Reason.BAD_KEY, "Ed25519 private key Data must be 64 bytes, got " + data.length);
        }
        if (data.length == 96 && !Arrays.equals(data, 32, 64, data, 64, 96)) {
            throw new Libp2pException(Libp2pException.Reason.BAD_KEY, "legacy 96-byte Ed25519 key has two different public keys");
        }
        PrivKey k = new PrivKey(Arrays.copyOf(data, 32));
        if (!MessageDigest.isEqual(k.publicKey.raw(), Arrays.copyOfRange(data, 32, 64))) {
            throw new Libp2pException(Libp2pException.Reason.BAD_KEY, "Ed25519 private key does not match its public key");
        }
        return k;
    }

    /** The key type (always Ed25519). */
    public KeyType type() {
        return KeyType.ED25519;
    }

    /** The matching public key. */
    public PubKey publicKey() {
        return publicKey;
    }

    /** Signs {@code data} (RFC 8032 Ed25519). */
    public byte[] sign(byte[] data) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(jdkKey);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code PrivateKey} protobuf: Type = Ed25519, Data = seed ‖ public key. */
    public byte[] bytes() {
        byte[] data = new byte[64];
        System.arraycopy(seed, 0, data, 0, 32);
        System.arraycopy(publicKey.raw(), 0, data, 32, 32);
        return new Protobuf.Writer().varint(1, KeyType.ED25519.code()).bytes(2, data).toByteArray();
    }

    @Override
    public String toString() {
        return "Ed25519 private key";
    }
}
