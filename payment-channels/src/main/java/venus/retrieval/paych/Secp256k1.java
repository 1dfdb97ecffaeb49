package venus.retrieval.paych;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECMultiplier;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * secp256k1 as Filecoin uses it: the message is hashed with BLAKE2b-256, signatures are 65 bytes
 * {@code r ‖ s ‖ v} (v = recovery id 0/1), nonces are deterministic (RFC 6979) and S is low, so a
 * key signs a message to the same bytes Lotus would produce.
 */
public final class Secp256k1 {
    private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
    private static final ECDomainParameters DOMAIN =
            new ECDomainParameters(CURVE.getCurve(), CURVE.getG(), CURVE.getN(), CURVE.getH());
    private static final BigInteger N = CURVE.getN();
    private static final BigInteger HALF_N = N.shiftRight(1);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** ECDSASigner's default base-point multiplier (its precomputation is cached on G). */
    private static final ECMultiplier G_MULTIPLIER = new FixedPointCombMultiplier();

    private Secp256k1() {}

    /** A fresh random private key (32 bytes). */
    public static byte[] generatePrivateKey() {
        while (true) {
            byte[] k = new byte[32];
            RANDOM.nextBytes(k);
            BigInteger d = new BigInteger(1, k);
            if (d.signum() > 0 && d.compareTo(N) < 0) {
                return k;
            }
        }
    }

    /** The 65-byte uncompressed public key ({@code 04 ‖ X ‖ Y}) of a 32-byte private key. */
    public static byte[] publicKey(byte[] privateKey) {
        return DOMAIN.getG().multiply(scalar(privateKey)).normalize().getEncoded(false);
    }

    /** The f1 address of a private key. */
    public static Address address(byte[] privateKey) {
        return Address.secp256k1(publicKey(privateKey));
    }

    /**
     * Signs BLAKE2b-256({@code message}); returns the 65-byte {@code r ‖ s ‖ v}. ECDSA as
     * BouncyCastle's {@code ECDSASigner} computes it (same RFC 6979 nonce, same r and s), with the
     * recovery id read off the nonce point R instead of found by trial recoveries: v is R's y
     * parity (flipped when S is negated to the low half), plus 2 when R's x is not below n.
     */
    public static byte[] sign(byte[] privateKey, byte[] message) {
        BigInteger d = scalar(privateKey);
        byte[] digest = Blake2b.sum256(message);
        BigInteger e = new BigInteger(1, digest); // n has 256 bits: the whole digest, as ECDSASigner.calculateE
        HMacDSAKCalculator nonces = new HMacDSAKCalculator(new SHA256Digest());
        nonces.init(N, d, digest);
        while (true) {
            BigInteger k = nonces.nextK();
            ECPoint p = G_MULTIPLIER.multiply(DOMAIN.getG(), k).normalize();
            BigInteger x = p.getAffineXCoord().toBigInteger();
            BigInteger r = x.mod(N);
            if (r.signum() == 0) {
                continue;
            }
            BigInteger s = BigIntegers.modOddInverse(N, k).multiply(e.add(d.multiply(r))).mod(N);
            if (s.signum() == 0) {
                continue;
            }
            int v = (p.getAffineYCoord().testBitZero() ? 1 : 0) | (x.compareTo(N) >= 0 ? 2 : 0);
            if (s.compareTo(HALF_N) > 0) {
                s = N.subtract(s); // low-S, as libsecp256k1 emits: the same signature with -R
                v ^= 1;
            }
            byte[] out = new byte[65];
            System.arraycopy(BigIntegers.asUnsignedByteArray(32, r), 0, out, 0, 32);
            System.arraycopy(BigIntegers.asUnsignedByteArray(32, s), 0, out, 32, 32);
            out[64] = (byte) v;
            return out;
        }
    }

    /**
     * Recovers the 65-byte uncompressed public key that made {@code signature} (65 bytes
     * {@code r ‖ s ‖ v}) over BLAKE2b-256({@code message}).
     *
     * @throws PaychException BAD_SIGNATURE when the signature is malformed or no key recovers
     */
    public static byte[] recoverPublicKey(byte[] message, byte[] signature) {
        if (signature.length != 65) {
            throw new PaychException(PaychException.Reason.BAD_SIGNATURE, "secp256k1 signature must be 65 bytes, got " + signature.length);
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        int v = signature[64] & 0xFF;
        if (r.signum() == 0 || r.compareTo(N) >= 0 || s.signum() == 0 || s.compareTo(N) >= 0) {
            throw new PaychException(PaychException.Reason.BAD_SIGNATURE, "secp256k1 signature r or s out of range");
        }
        if (v > 3) {
            throw new PaychException(PaychException.Reason.BAD_SIGNATURE, "secp256k1 recovery id must be 0-3, got " + v);
        }
        byte[] q = recover(Blake2b.sum256(message), r, s, v);
        if (q == null) {
            throw new PaychException(PaychException.Reason.BAD_SIGNATURE, "secp256k1 signature recovers no public key");
        }
        return q;
    }

    /** The f1 address whose key made {@code signature} over {@code message}. */
    public static Address recoverAddress(byte[] message, byte[] signature) {
        return Address.secp256k1(recoverPublicKey(message, signature));
    }

    /** SEC 1 v2 §4.1.6 public key recovery; null when this recovery id gives no valid point. */
    private static byte[] recover(byte[] digest, BigInteger r, BigInteger s, int recId) {
        BigInteger x = r.add(BigInteger.valueOf(recId / 2).multiply(N));
        if (x.compareTo(CURVE.getCurve().getField().getCharacteristic()) >= 0) {
            return null;
        }
        byte[] compressed = new byte[33];
        compressed[0] = (byte) ((recId & 1) == 1 ? 0x03 : 0x02);
        System.arraycopy(BigIntegers.asUnsignedByteArray(32, x), 0, compressed, 1, 32);
        ECPoint bigR;
        try {
            bigR = CURVE.getCurve().decodePoint(compressed);
        } catch (IllegalArgumentException e) {
            return null; // x is not on the curve
        }
        BigInteger e = new BigInteger(1, digest);
        BigInteger rInv = r.modInverse(N);
        BigInteger u1 = N.subtract(e).multiply(rInv).mod(N);
        BigInteger u2 = s.multiply(rInv).mod(N);
        ECPoint q = ECAlgorithms.sumOfTwoMultiplies(DOMAIN.getG(), u1, bigR, u2).normalize();
        if (q.isInfinity()) {
            return null;
        }
        return q.getEncoded(false);
    }

    private static BigInteger scalar(byte[] privateKey) {
        if (privateKey.length != 32) {
            throw new PaychException(PaychException.Reason.BAD_KEY, "secp256k1 private key must be 32 bytes, got " + privateKey.length);
        }
        BigInteger d = new BigInteger(1, privateKey);
        if (d.signum() == 0 || d.compareTo(N) >= 0) {
            throw new PaychException(PaychException.Reason.BAD_KEY, "secp256k1 private key out of range");
        }
        return d;
    }
}
