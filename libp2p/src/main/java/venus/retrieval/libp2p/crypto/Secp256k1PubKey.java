package venus.retrieval.libp2p.crypto;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;

/** secp256k1 public key: a compressed (33-byte) or uncompressed point; DER ECDSA over SHA-256 (BouncyCastle). */
final class Secp256k1PubKey extends PubKey {
    static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
    static final ECDomainParameters DOMAIN = new ECDomainParameters(CURVE.getCurve(), CURVE.getG(), CURVE.getN(), CURVE.getH());

    private final ECPublicKeyParameters params;

    Secp256k1PubKey(byte[] raw) {
        super(KeyType.SECP256K1, raw);
        try {
            ECPoint p = CURVE.getCurve().decodePoint(raw);
            if (p.isInfinity() || !p.isValid()) {
                throw bad("secp256k1 point is not on the curve", null);
            }
            params = new ECPublicKeyParameters(p, DOMAIN);
        } catch (IllegalArgumentException e) {
            throw bad("invalid secp256k1 public key: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean verify(byte[] data, byte[] signature) {
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(signature));
            if (seq.size() != 2) {
                return false;
            }
            BigInteger r = ASN1Integer.getInstance(seq.getObjectAt(0)).getPositiveValue();
            BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getPositiveValue();
            ECDSASigner signer = new ECDSASigner();
            signer.init(false, params);
            return signer.verifySignature(MessageDigest.getInstance("SHA-256").digest(data), r, s);
        } catch (java.io.IOException | NoSuchAlgorithmException | RuntimeException e) {
            return false;
        }
    }
}
