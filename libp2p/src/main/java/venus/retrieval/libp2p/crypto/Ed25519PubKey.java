package venus.retrieval.libp2p.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;

/** Ed25519 public key: the raw 32 bytes; plain RFC 8032 signatures (JDK provider). */
final class Ed25519PubKey extends PubKey {
    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (the JDK wants that form). */
    static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private final PublicKey jdkKey;

    Ed25519PubKey(byte[] raw) {
        super(KeyType.ED25519, raw);
        if (raw.length != 32) {
            throw bad("Ed25519 public key must be 32 bytes, got " + raw.length, null);
        }
        byte[] der = new byte[X509_PREFIX.length + 32];
        System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
        System.arraycopy(raw, 0, der, X509_PREFIX.length, 32);
        try {
            jdkKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw bad("invalid Ed25519 public key", e);
        }
    }

    @Override
    public boolean verify(byte[] data, byte[] signature) {
        if (signature.length != 64) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(jdkKey);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
