package venus.retrieval.libp2p.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;

/** RSA public key: DER PKIX; PKCS#1 v1.5 signatures over SHA-256 (JDK provider). Verify-only. */
final class RsaPubKey extends PubKey {
    /** go-libp2p refuses smaller keys; so do we. */
    static final int MIN_BITS = 2048;
    static final int MAX_BITS = 8192;

    private final RSAPublicKey jdkKey;

    RsaPubKey(byte[] raw) {
        super(KeyType.RSA, raw);
        try {
            jdkKey = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(raw));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw bad("invalid RSA public key (want DER PKIX)", e);
        }
        int bits = jdkKey.getModulus().bitLength();
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw bad("RSA key of " + bits + " bits is outside [" + MIN_BITS + ", " + MAX_BITS + "]", null);
        }
    }

    @Override
    public boolean verify(byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initVerify(jdkKey);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
