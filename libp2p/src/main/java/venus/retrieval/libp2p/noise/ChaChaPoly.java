package venus.retrieval.libp2p.noise;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import venus.retrieval.libp2p.Libp2pException;

/**
 * ChaCha20-Poly1305 (RFC 8439) with one fixed key: ciphertext is followed by the 16-byte tag, as
 * Noise wants. Two engines: the JDK's (the default: 1.7–2.6× less CPU per byte than BouncyCastle's
 * on JDK 17, measured by {@code ChaChaPolyCpu} and {@code ChaChaPolyBench}, see docs/libp2p.md) and
 * BouncyCastle's; both produce identical bytes. Not thread-safe: one instance per direction.
 */
public abstract class ChaChaPoly {
    /** Tag length in bytes. */
    public static final int TAG = 16;

    /** The implementations; {@code -Dvrn.noise.aead=bouncycastle} makes {@link #create(byte[])} use BouncyCastle. */
    public enum Engine { BOUNCYCASTLE, JDK }

    static final Engine DEFAULT = "bouncycastle".equalsIgnoreCase(System.getProperty("vrn.noise.aead")) ? Engine.BOUNCYCASTLE : Engine.JDK;

    /** The engine {@link #create(byte[])} uses. */
    public static Engine defaultEngine() {
        return DEFAULT;
    }

    /** A cipher with the default engine. */
    public static ChaChaPoly create(byte[] key) {
        return create(DEFAULT, key);
    }

    /** A cipher with the given engine. */
    public static ChaChaPoly create(Engine engine, byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes");
        }
        return engine == Engine.JDK ? new Jdk(key) : new Bc(key);
    }

    /**
     * Encrypts {@code len} bytes of {@code in} at {@code inOff} into {@code out} at
     * {@code outOff} (room for len + 16 bytes); returns the bytes written.
     */
    public abstract int encrypt(byte[] nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff);

    /**
     * Decrypts and authenticates {@code len} bytes (tag included); returns the plaintext length.
     *
     * @throws Libp2pException DECRYPT_FAILED when the tag does not match
     */
    public abstract int decrypt(byte[] nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff);

    /** The 12-byte nonce Noise uses: 4 zero bytes, then the counter little-endian. */
    public static void nonce(long n, byte[] out12) {
        out12[0] = 0;
        out12[1] = 0;
        out12[2] = 0;
        out12[3] = 0;
        for (int i = 0; i < 8; i++) {
            out12[4 + i] = (byte) (n >>> (8 * i));
        }
    }

    static Libp2pException decryptFailed() {
        return new Libp2pException(Libp2pException.Reason.DECRYPT_FAILED, "Noise message failed authentication");
    }

    private static final class Bc extends ChaChaPoly {
        private final KeyParameter key;
        private final ChaCha20Poly1305 engine = new ChaCha20Poly1305();

        Bc(byte[] key) {
            this.key = new KeyParameter(key);
        }

        @Override
        public int encrypt(byte[] nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
            engine.init(true, new AEADParameters(key, 128, nonce, ad));
            int n = engine.processBytes(in, inOff, len, out, outOff);
            try {
                return n + engine.doFinal(out, outOff + n);
            } catch (InvalidCipherTextException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int decrypt(byte[] nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
            if (len < TAG) {
                throw decryptFailed();
            }
            engine.init(false, new AEADParameters(key, 128, nonce, ad));
            int n = engine.processBytes(in, inOff, len, out, outOff);
            try {
                return n + engine.doFinal(out, outOff + n);
            } catch (InvalidCipherTextException e) {
                throw decryptFailed();
            }
        }
    }

    private static final class Jdk extends ChaChaPoly {
        private final SecretKeySpec key;
        private final Cipher cipher;

        Jdk(byte[] key) {
            this.key = new SecretKeySpec(key, "ChaCha20");
            try {
                this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK has no ChaCha20-Poly1305", e);
            }
        }

        @Override
        public int encrypt(byte[] nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
                if (ad.length > 0) {
                    cipher.updateAAD(ad);
                }
                return cipher.doFinal(in, inOff, len, out, outOff);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int decrypt(byte[] nonce, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
            if (len < TAG) {
                throw decryptFailed();
            }
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
                if (ad.length > 0) {
                    cipher.updateAAD(ad);
                }
                return cipher.doFinal(in, inOff, len, out, outOff);
            } catch (javax.crypto.AEADBadTagException e) {
                throw decryptFailed();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
