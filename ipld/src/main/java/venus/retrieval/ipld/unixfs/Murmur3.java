package venus.retrieval.ipld.unixfs;

/**
 * MurmurHash3 x64 128-bit (seed 0), of which UnixFS HAMTs use only the first 64-bit lane
 * ({@code h1}) read as a big-endian number.
 */
final class Murmur3 {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private Murmur3() {}

    /** The first 64-bit lane of murmur3_x64_128(data, seed 0). */
    static long h1(byte[] data) {
        long h1 = 0;
        long h2 = 0;
        int n = data.length;
        int blocks = n / 16;
        for (int i = 0; i < blocks; i++) {
            long k1 = le64(data, i * 16);
            long k2 = le64(data, i * 16 + 8);
            k1 *= C1;
            k1 = Long.rotateLeft(k1, 31);
            k1 *= C2;
            h1 ^= k1;
            h1 = Long.rotateLeft(h1, 27);
            h1 += h2;
            h1 = h1 * 5 + 0x52dce729;
            k2 *= C2;
            k2 = Long.rotateLeft(k2, 33);
            k2 *= C1;
            h2 ^= k2;
            h2 = Long.rotateLeft(h2, 31);
            h2 += h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int tail = blocks * 16;
        long k1 = 0;
        long k2 = 0;
        switch (n & 15) {
            case 15: k2 ^= (long) (data[tail + 14] & 0xFF) << 48; // fall through
            case 14: k2 ^= (long) (data[tail + 13] & 0xFF) << 40; // fall through
            case 13: k2 ^= (long) (data[tail + 12] & 0xFF) << 32; // fall through
            case 12: k2 ^= (long) (data[tail + 11] & 0xFF) << 24; // fall through
            case 11: k2 ^= (long) (data[tail + 10] & 0xFF) << 16; // fall through
            case 10: k2 ^= (long) (data[tail + 9] & 0xFF) << 8; // fall through
            case 9:
                k2 ^= data[tail + 8] & 0xFF;
                k2 *= C2;
                k2 = Long.rotateLeft(k2, 33);
                k2 *= C1;
                h2 ^= k2;
                // fall through
            case 8: k1 ^= (long) (data[tail + 7] & 0xFF) << 56; // fall through
            case 7: k1 ^= (long) (data[tail + 6] & 0xFF) << 48; // fall through
            case 6: k1 ^= (long) (data[tail + 5] & 0xFF) << 40; // fall through
            case 5: k1 ^= (long) (data[tail + 4] & 0xFF) << 32; // fall through
            case 4: k1 ^= (long) (data[tail + 3] & 0xFF) << 24; // fall through
            case 3: k1 ^= (long) (data[tail + 2] & 0xFF) << 16; // fall through
            case 2: k1 ^= (long) (data[tail + 1] & 0xFF) << 8; // fall through
            case 1:
                k1 ^= data[tail] & 0xFF;
                k1 *= C1;
                k1 = Long.rotateLeft(k1, 31);
                k1 *= C2;
                h1 ^= k1;
                break;
            default:
                break;
        }
        h1 ^= n;
        h2 ^= n;
        h1 += h2;
        h2 += h1;
        h1 = fmix(h1);
        h2 = fmix(h2);
        h1 += h2;
        return h1;
    }

    private static long le64(byte[] b, int o) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[o + i] & 0xFF);
        }
        return v;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
