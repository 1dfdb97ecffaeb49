package venus.retrieval.libp2p.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;
import venus.retrieval.libp2p.Libp2pException;

/**
 * The Noise XX pattern for {@code Noise_XX_25519_ChaChaPoly_SHA256}, exactly as the Noise spec's
 * HandshakeState/SymmetricState define it, with raw byte arrays (no libp2p knowledge here):
 * <pre>
 *   -> e
 *   <- e, ee, s, es
 *   -> s, se
 * </pre>
 * Keys can be injected so the published Noise test vectors can be replayed.
 */
public final class HandshakeState {
    /** The protocol name; exactly 32 bytes, so it is the initial h without hashing. */
    public static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";
    static final int DH_LEN = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean initiator;
    private final byte[] sPriv;
    private final byte[] sPub = new byte[DH_LEN];
    private final byte[] ePriv;
    private final byte[] ePub = new byte[DH_LEN];
    private byte[] re;
    private byte[] rs;
    private byte[] ck;
    private byte[] h;
    private byte[] k;
    private long n;
    private int message;

    /**
     * @param staticPriv our static X25519 private key (32 bytes)
     * @param ephemeralPriv our ephemeral private key, or null for a random one
     */
    public HandshakeState(boolean initiator, byte[] prologue, byte[] staticPriv, byte[] ephemeralPriv) {
        this.initiator = initiator;
        this.sPriv = staticPriv.clone();
        X25519.generatePublicKey(sPriv, 0, sPub, 0);
        this.ePriv = ephemeralPriv != null ? ephemeralPriv.clone() : newPrivateKey();
        X25519.generatePublicKey(ePriv, 0, ePub, 0);
        h = PROTOCOL_NAME.getBytes(StandardCharsets.US_ASCII);
        ck = h.clone();
        mixHash(prologue);
    }

    /** A fresh random X25519 private key. */
    public static byte[] newPrivateKey() {
        byte[] k = new byte[DH_LEN];
        X25519.generatePrivateKey(RANDOM, k);
        return k;
    }

    /** Our static public key. */
    public byte[] localStaticPublicKey() {
        return sPub.clone();
    }

    /** The peer's static public key, once received. */
    public byte[] remoteStaticPublicKey() {
        return rs == null ? null : rs.clone();
    }

    /** The handshake hash (channel binding), for tests. */
    public byte[] handshakeHash() {
        return h.clone();
    }

    /** Whether all three messages have been processed. */
    public boolean isComplete() {
        return message == 3;
    }

    /** Whether the next step is ours to write. */
    public boolean isMyTurn() {
        return (message % 2 == 0) == initiator;
    }

    /** Writes the next handshake message carrying {@code payload}. */
    public byte[] writeMessage(byte[] payload) {
        if (!isMyTurn() || isComplete()) {
            throw new IllegalStateException("not our turn to write");
        }
        byte[] out;
        switch (message) {
            case 0:
                out = concat(ePub, null);
                mixHash(ePub);
                out = concat(out, encryptAndHash(payload));
                break;
            case 1:
                mixHash(ePub);
                mixKey(dh(ePriv, re));
                byte[] s1 = encryptAndHash(sPub);
                mixKey(dh(sPriv, re));
                out = concat(concat(ePub, s1), encryptAndHash(payload));
                break;
            case 2:
                byte[] s2 = encryptAndHash(sPub);
                mixKey(dh(sPriv, re));
                out = concat(s2, encryptAndHash(payload));
                break;
            default:
                throw new IllegalStateException();
        }
        message++;
        return out;
    }

    /** Reads the peer's next handshake message and returns its payload. */
    public byte[] readMessage(byte[] msg) {
        if (isMyTurn() || isComplete()) {
            throw new IllegalStateException("not our turn to read");
        }
        byte[] payload;
        switch (message) {
            case 0:
                need(msg, DH_LEN);
                re = Arrays.copyOf(msg, DH_LEN);
                mixHash(re);
                payload = decryptAndHash(Arrays.copyOfRange(msg, DH_LEN, msg.length));
                break;
            case 1:
                need(msg, DH_LEN + DH_LEN + ChaChaPoly.TAG + ChaChaPoly.TAG);
                re = Arrays.copyOf(msg, DH_LEN);
                mixHash(re);
                mixKey(dh(ePriv, re));
                rs = decryptAndHash(Arrays.copyOfRange(msg, DH_LEN, 2 * DH_LEN + ChaChaPoly.TAG));
                mixKey(dh(ePriv, rs));
                payload = decryptAndHash(Arrays.copyOfRange(msg, 2 * DH_LEN + ChaChaPoly.TAG, msg.length));
                break;
            case 2:
                need(msg, DH_LEN + ChaChaPoly.TAG + ChaChaPoly.TAG);
                rs = decryptAndHash(Arrays.copyOf(msg, DH_LEN + ChaChaPoly.TAG));
                mixKey(dh(ePriv, rs));
                payload = decryptAndHash(Arrays.copyOfRange(msg, DH_LEN + ChaChaPoly.TAG, msg.length));
                break;
            default:
                throw new IllegalStateException();
        }
        message++;
        return payload;
    }

    /** After the handshake: {sending, receiving} cipher states (the initiator sends with the first key). */
    public CipherState[] split() {
        if (!isComplete()) {
            throw new IllegalStateException("handshake not complete");
        }
        byte[][] keys = hkdf(ck, new byte[0]);
        CipherState c1 = new CipherState(keys[0]);
        CipherState c2 = new CipherState(keys[1]);
        return initiator ? new CipherState[] {c1, c2} : new CipherState[] {c2, c1};
    }

    /** The raw split keys {k1, k2}, for tests against published vectors. */
    byte[][] splitKeys() {
        return hkdf(ck, new byte[0]);
    }

    private static void need(byte[] msg, int len) {
        if (msg.length < len) {
            throw new Libp2pException(Libp2pException.Reason.HANDSHAKE_FAILED, "Noise handshake message of " + msg.length + " bytes is too short");
        }
    }

    private void mixHash(byte[] data) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(h);
            md.update(data);
            h = md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void mixKey(byte[] ikm) {
        byte[][] out = hkdf(ck, ikm);
        ck = out[0];
        k = out[1];
        n = 0;
    }

    private byte[] encryptAndHash(byte[] plaintext) {
        byte[] ct;
        if (k == null) {
            ct = plaintext.clone();
        } else {
            ct = new byte[plaintext.length + ChaChaPoly.TAG];
            byte[] nonce = new byte[12];
            ChaChaPoly.nonce(n++, nonce);
            ChaChaPoly.create(k).encrypt(nonce, h, plaintext, 0, plaintext.length, ct, 0);
        }
        mixHash(ct);
        return ct;
    }

    private byte[] decryptAndHash(byte[] ct) {
        byte[] pt;
        if (k == null) {
            pt = ct.clone();
        } else {
            if (ct.length < ChaChaPoly.TAG) {
                throw new Libp2pException(Libp2pException.Reason.HANDSHAKE_FAILED, "Noise handshake ciphertext too short");
            }
            pt = new byte[ct.length - ChaChaPoly.TAG];
            byte[] nonce = new byte[12];
            ChaChaPoly.nonce(n, nonce);
            try {
                ChaChaPoly.create(k).decrypt(nonce, h, ct, 0, ct.length, pt, 0);
            } catch (Libp2pException e) {
                throw new Libp2pException(Libp2pException.Reason.HANDSHAKE_FAILED, "Noise handshake message failed authentication", e);
            }
            n++;
        }
        mixHash(ct);
        return pt;
    }

    private static byte[] dh(byte[] priv, byte[] pub) {
        byte[] out = new byte[DH_LEN];
        if (!X25519.calculateAgreement(priv, 0, pub, 0, out, 0)) {
            throw new Libp2pException(Libp2pException.Reason.HANDSHAKE_FAILED, "X25519 with a low-order point");
        }
        return out;
    }

    /** HKDF with HMAC-SHA256, two outputs, as the Noise spec defines it. */
    static byte[][] hkdf(byte[] chainingKey, byte[] ikm) {
        byte[] temp = hmac(chainingKey, ikm);
        byte[] out1 = hmac(temp, new byte[] {1});
        byte[] out2 = hmac(temp, concat(out1, new byte[] {2}));
        return new byte[][] {out1, out2};
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        if (b == null) {
            return a.clone();
        }
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
