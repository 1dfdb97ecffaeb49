package venus.retrieval.libp2p.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;

/** ECDSA public key (P-256 in practice): DER PKIX; DER signatures over SHA-256 (JDK provider). */
final class EcdsaPubKey extends PubKey {
    private final PublicKey jdkKey;

    EcdsaPubKey(byte[] raw) {
        super(KeyType.ECDSA, raw);
        try {
            jdkKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(raw));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw bad("invalid ECDSA public key (want DER PKIX)", e);
        }
    }

    @Override
    public boolean verify(byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(jdkKey);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
