package venus.retrieval.libp2p.noise;

import venus.retrieval.libp2p.Libp2pException;

/** A Noise CipherState: a key and its message counter (the nonce). One per direction after the handshake. */
public final class CipherState {
    private static final byte[] EMPTY = new byte[0];

    private final ChaChaPoly aead;
    private final byte[] nonce = new byte[12];
    private long n;

    public CipherState(byte[] key) {
        this.aead = ChaChaPoly.create(key);
    }

    /** Encrypts into {@code out} at {@code outOff}; returns len + 16. */
    public int encrypt(byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        ChaChaPoly.nonce(next(), nonce);
        return aead.encrypt(nonce, ad, in, inOff, len, out, outOff);
    }

    /** Decrypts into {@code out} at {@code outOff}; returns len - 16. The nonce advances only on success. */
    public int decrypt(byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        ChaChaPoly.nonce(n, nonce);
        int r = aead.decrypt(nonce, ad, in, inOff, len, out, outOff);
        next();
        return r;
    }

    /** Transport encryption (empty associated data). */
    public int encrypt(byte[] in, int inOff, int len, byte[] out, int outOff) {
        return encrypt(EMPTY, in, inOff, len, out, outOff);
    }

    /** Transport decryption (empty associated data). */
    public int decrypt(byte[] in, int inOff, int len, byte[] out, int outOff) {
        return decrypt(EMPTY, in, inOff, len, out, outOff);
    }

    private long next() {
        if (n == -1L) { // 2^64-1 is reserved; the connection must end before it
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "Noise nonce exhausted");
        }
        return n++;
    }
}
