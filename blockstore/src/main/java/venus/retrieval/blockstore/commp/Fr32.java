package venus.retrieval.blockstore.commp;

import venus.retrieval.blockstore.BlockstoreException;

/**
 * Fr32 padding: every 127 payload bytes (1016 bits) become 128 bytes, four 32-byte nodes of 254
 * payload bits each with the top two bits zero, so each node is a valid BLS12-381 field element.
 * Bits are taken in little-endian order (bit {@code j} is bit {@code j % 8} of byte {@code j / 8}).
 */
public final class Fr32 {
    /** Payload bytes per padded chunk. */
    public static final int IN_CHUNK = 127;
    /** Padded bytes per chunk. */
    public static final int OUT_CHUNK = 128;
    /** Smallest padded piece size. */
    public static final long MIN_PADDED_SIZE = 128;
    /** Largest padded piece size handled (2^60 bytes keeps every size computation in a long). */
    public static final long MAX_PADDED_SIZE = 1L << 60;

    private Fr32() {}

    /** Pads one 127-byte chunk at {@code in[inOff]} into 128 bytes at {@code out[outOff]}. */
    public static void pad(byte[] in, int inOff, byte[] out, int outOff) {
        // Quarter 0: input bits 0..253.
        System.arraycopy(in, inOff, out, outOff, 31);
        out[outOff + 31] = (byte) (in[inOff + 31] & 0x3F);
        // Quarter 1 starts at input bit 254 (byte 31, bit 6).
        for (int k = 0; k < 32; k++) {
            out[outOff + 32 + k] = (byte) (((in[inOff + 31 + k] & 0xFF) >>> 6) | (in[inOff + 32 + k] << 2));
        }
        out[outOff + 63] &= 0x3F;
        // Quarter 2 starts at input bit 508 (byte 63, bit 4).
        for (int k = 0; k < 32; k++) {
            out[outOff + 64 + k] = (byte) (((in[inOff + 63 + k] & 0xFF) >>> 4) | (in[inOff + 64 + k] << 4));
        }
        out[outOff + 95] &= 0x3F;
        // Quarter 3 starts at input bit 762 (byte 95, bit 2); it ends with input byte 126.
        for (int k = 0; k < 31; k++) {
            out[outOff + 96 + k] = (byte) (((in[inOff + 95 + k] & 0xFF) >>> 2) | (in[inOff + 96 + k] << 6));
        }
        out[outOff + 127] = (byte) ((in[inOff + 126] & 0xFF) >>> 2);
    }

    /** The padded piece size for a payload: Fr32 expansion rounded up to a power of two, at least 128. */
    public static long paddedPieceSize(long payloadSize) {
        if (payloadSize < 0) {
            throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT, "negative payload size");
        }
        long chunks = (payloadSize + IN_CHUNK - 1) / IN_CHUNK;
        long expanded = Math.max(chunks * OUT_CHUNK, MIN_PADDED_SIZE);
        long size = Long.highestOneBit(expanded);
        if (size != expanded) {
            size <<= 1;
        }
        if (size > MAX_PADDED_SIZE || size <= 0) {
            throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT, "payload too large: " + payloadSize);
        }
        return size;
    }

    /** The payload capacity of a padded piece size: {@code padded × 127 / 128}. */
    public static long unpaddedSize(long paddedSize) {
        checkPaddedSize(paddedSize);
        return paddedSize - paddedSize / OUT_CHUNK;
    }

    /** Throws unless {@code paddedSize} is a power of two in [128, 2^60]. */
    public static void checkPaddedSize(long paddedSize) {
        if (paddedSize < MIN_PADDED_SIZE || paddedSize > MAX_PADDED_SIZE || Long.bitCount(paddedSize) != 1) {
            throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT,
                    "padded piece size must be a power of two >= 128, got " + paddedSize);
        }
    }
}
