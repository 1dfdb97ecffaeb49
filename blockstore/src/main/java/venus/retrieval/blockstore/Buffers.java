package venus.retrieval.blockstore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Varint;

/** Direct-buffer helpers for lmdbjava: per-thread key buffers, copies out of mapped memory. */
final class Buffers {
    /** LMDB's default largest key. */
    static final int MAX_KEY = 511;
    private static final int SLOTS = 3;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** One thread's key buffers, and room to copy a CID's binary form without allocating. */
    private static final class Scratch {
        final ByteBuffer[] keys = new ByteBuffer[SLOTS];
        final byte[] cid = new byte[MAX_KEY + 16];

        Scratch() {
            for (int i = 0; i < SLOTS; i++) {
                keys[i] = ByteBuffer.allocateDirect(MAX_KEY).order(ByteOrder.BIG_ENDIAN);
            }
        }
    }

    private Buffers() {}

    /** A per-thread direct buffer (slot 0..2) holding {@code key}, ready to read. */
    static ByteBuffer key(byte[] key, int slot) {
        if (key.length > MAX_KEY) {
            throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT, "key of " + key.length + " bytes is too long");
        }
        ByteBuffer b = SCRATCH.get().keys[slot];
        b.clear();
        b.put(key).flip();
        return b;
    }

    /**
     * A per-thread direct buffer (slot 0..2) holding {@code cid}'s multihash (the blockstore key),
     * built without allocating: the CID's binary form is v0 = the multihash, v1 = 0x01, codec
     * varint, multihash.
     */
    static ByteBuffer key(Cid cid, int slot) {
        Scratch s = SCRATCH.get();
        int len = cid.byteLength();
        int off = cid.version() == 0 ? 0 : 1 + Varint.size(cid.codec());
        if (len > s.cid.length || len - off > MAX_KEY) {
            return key(cid.multihashBytes(), slot); // throws: too long for a key
        }
        cid.writeTo(s.cid, 0);
        ByteBuffer b = s.keys[slot];
        b.clear();
        b.put(s.cid, off, len - off).flip();
        return b;
    }

    /** A per-thread direct buffer (slot 0..2) holding {@code a || b}. */
    static ByteBuffer key(byte[] a, byte[] b, int slot) {
        if (a.length + b.length > MAX_KEY) {
            throw new BlockstoreException(BlockstoreException.Reason.INVALID_ARGUMENT, "key of " + (a.length + b.length) + " bytes is too long");
        }
        ByteBuffer buf = SCRATCH.get().keys[slot];
        buf.clear();
        buf.put(a).put(b).flip();
        return buf;
    }

    /** A fresh direct buffer holding {@code data}. */
    static ByteBuffer direct(byte[] data) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(1, data.length));
        b.put(data).flip();
        return b;
    }

    /** The remaining bytes of {@code b}, copied (its position is unchanged). */
    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }

    static byte[] u32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static byte[] u64(long v) {
        byte[] out = new byte[8];
        for (int i = 7; i >= 0; i--) {
            out[i] = (byte) v;
            v >>>= 8;
        }
        return out;
    }

    static long u64(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** Whether {@code b}'s remaining bytes start with {@code prefix}. */
    static boolean startsWith(ByteBuffer b, byte[] prefix) {
        if (b.remaining() < prefix.length) {
            return false;
        }
        int p = b.position();
        for (int i = 0; i < prefix.length; i++) {
            if (b.get(p + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
