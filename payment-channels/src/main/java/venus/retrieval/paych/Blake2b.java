package venus.retrieval.paych;

import org.bouncycastle.crypto.digests.Blake2bDigest;

/** Unkeyed variable-output BLAKE2b, as Filecoin uses it (4-byte checksums, 20-byte address payloads, 32-byte digests). */
final class Blake2b {
    private Blake2b() {}

    /** BLAKE2b with an output of {@code outBytes} bytes over the concatenation of {@code parts}. */
    static byte[] hash(int outBytes, byte[]... parts) {
        // A shorter BLAKE2b output is its own parameterisation, not a truncation of blake2b-256.
        Blake2bDigest d = new Blake2bDigest(outBytes * 8);
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[outBytes];
        d.doFinal(out, 0);
        return out;
    }

    static byte[] sum256(byte[] data) {
        return hash(32, data);
    }
}
