package venus.retrieval.blockstore;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Varint;

/**
 * The binary form of a {@link PieceInfo} in the {@code pieces} database (documented in
 * docs/pieces.md). Version byte first; the state, flags and file path come next so that a lookup
 * can {@link #peek} them without decoding the rest. Unsigned varints for numbers, varint-length
 * prefixed UTF-8 strings and binary CIDs.
 */
final class PieceRecordCodec {
    static final int VERSION = 1;
    private static final int PUBLIC = 1, FAST_RETRIEVAL = 2, ANNOUNCED = 4, COPIED = 8, CACHED = 16;

    private PieceRecordCodec() {}

    /** What a block lookup needs from a record. */
    record Peek(PieceState state, boolean cached, String file) {}

    static byte[] encode(PieceInfo p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(VERSION);
        out.write(p.state().ordinal());
        int flags = (p.isPublic() ? PUBLIC : 0) | (p.fastRetrieval() ? FAST_RETRIEVAL : 0) | (p.announced() ? ANNOUNCED : 0)
                | (p.copied() ? COPIED : 0) | (p.cached() ? CACHED : 0);
        out.write(flags);
        string(out, p.file() == null ? "" : p.file().toString());
        bytes(out, p.pieceCid() == null ? new byte[0] : p.pieceCid().bytes());
        varint(out, p.id());
        varint(out, p.paddedSize());
        varint(out, p.payloadSize());
        varint(out, p.fileSize());
        varint(out, p.blockCount());
        varint(out, p.createdAt().toEpochMilli());
        varint(out, p.updatedAt().toEpochMilli());
        varint(out, p.sectorId() + 1);
        varint(out, p.sectorOffset() + 1);
        varint(out, p.roots().size());
        for (Cid c : p.roots()) {
            bytes(out, c.bytes());
        }
        varint(out, p.dealIds().size());
        for (long d : p.dealIds()) {
            varint(out, d);
        }
        varint(out, p.minerIds().size());
        for (String m : p.minerIds()) {
            string(out, m);
        }
        string(out, p.error() == null ? "" : p.error());
        return out.toByteArray();
    }

    static Peek peek(ByteBuffer in) {
        ByteBuffer b = in.duplicate();
        int version = b.get() & 0xFF;
        checkVersion(version);
        PieceState state = state(b.get());
        int flags = b.get() & 0xFF;
        return new Peek(state, (flags & CACHED) != 0, string(b));
    }

    static PieceInfo decode(ByteBuffer in) {
        ByteBuffer b = in.duplicate();
        try {
            checkVersion(b.get() & 0xFF);
            PieceState state = state(b.get());
            int flags = b.get() & 0xFF;
            String file = string(b);
            byte[] cid = bytes(b);
            long id = Varint.decode(b);
            long padded = Varint.decode(b);
            long payload = Varint.decode(b);
            long fileSize = Varint.decode(b);
            long blocks = Varint.decode(b);
            Instant created = Instant.ofEpochMilli(Varint.decode(b));
            Instant updated = Instant.ofEpochMilli(Varint.decode(b));
            long sector = Varint.decode(b) - 1;
            long sectorOffset = Varint.decode(b) - 1;
            List<Cid> roots = new ArrayList<>();
            for (long i = Varint.decode(b); i > 0; i--) {
                roots.add(Cid.decode(bytes(b)));
            }
            List<Long> deals = new ArrayList<>();
            for (long i = Varint.decode(b); i > 0; i--) {
                deals.add(Varint.decode(b));
            }
            List<String> miners = new ArrayList<>();
            for (long i = Varint.decode(b); i > 0; i--) {
                miners.add(string(b));
            }
            String error = string(b);
            return new PieceInfo(id, cid.length == 0 ? null : Cid.decode(cid), padded, payload, fileSize, roots, state,
                    file.isEmpty() ? null : Path.of(file), (flags & COPIED) != 0, (flags & CACHED) != 0, (flags & PUBLIC) != 0,
                    deals, miners, sector, sectorOffset, (flags & FAST_RETRIEVAL) != 0, (flags & ANNOUNCED) != 0, blocks,
                    created, updated, error.isEmpty() ? null : error);
        } catch (IpldException | java.nio.BufferUnderflowException e) {
            throw new BlockstoreException(BlockstoreException.Reason.INCOMPATIBLE, "damaged piece record: " + e.getMessage(), e);
        }
    }

    private static void checkVersion(int version) {
        if (version != VERSION) {
            throw new BlockstoreException(BlockstoreException.Reason.INCOMPATIBLE,
                    "piece record version " + version + " is not readable by this build (reads " + VERSION + ")");
        }
    }

    private static PieceState state(byte b) {
        PieceState[] all = PieceState.values();
        if (b < 0 || b >= all.length) {
            throw new BlockstoreException(BlockstoreException.Reason.INCOMPATIBLE, "unknown piece state " + b);
        }
        return all[b];
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        out.writeBytes(Varint.encode(v));
    }

    private static void bytes(ByteArrayOutputStream out, byte[] b) {
        varint(out, b.length);
        out.writeBytes(b);
    }

    private static void string(ByteArrayOutputStream out, String s) {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(ByteBuffer b) {
        long n = Varint.decode(b);
        if (n > b.remaining()) {
            throw new BlockstoreException(BlockstoreException.Reason.INCOMPATIBLE, "damaged piece record: field overruns");
        }
        byte[] out = new byte[(int) n];
        b.get(out);
        return out;
    }

    private static String string(ByteBuffer b) {
        return new String(bytes(b), StandardCharsets.UTF_8);
    }
}
