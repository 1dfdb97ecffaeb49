package venus.retrieval.gateway.bitswap;

import java.util.ArrayList;
import java.util.List;
import venus.retrieval.gateway.GatewayException;
import venus.retrieval.gateway.bitswap.BitswapMessage.Block;
import venus.retrieval.gateway.bitswap.BitswapMessage.Entry;
import venus.retrieval.gateway.bitswap.BitswapMessage.Presence;
import venus.retrieval.gateway.bitswap.BitswapMessage.PresenceType;
import venus.retrieval.gateway.bitswap.BitswapMessage.WantType;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.pb.ProtoReader;
import venus.retrieval.ipld.pb.ProtoWriter;

/**
 * Bitswap's protobuf, both ways (pure: byte arrays in and out). Decoding is strict about structure
 * (bad wire types, truncation, CIDs that do not parse or are longer than {@link #MAX_CID_BYTES})
 * and fails with {@link GatewayException} ({@code BAD_REQUEST}, message starting {@code bitswap:});
 * unknown fields are skipped. Encoding always writes the wantlist field, even empty, because
 * older Kubo crashed on messages without it.
 */
public final class BitswapCodec {
    /** Longest binary CID accepted (boxo: 4 ten-byte varints + a 128-byte digest). */
    public static final int MAX_CID_BYTES = 168;
    /** Default largest message, excluding its length prefix (the spec's 4 MiB). */
    public static final int DEFAULT_MAX_MESSAGE = 4 << 20;

    private BitswapCodec() {}

    /** Encodes {@code m} as-is (the caller picked the fields its protocol version uses). */
    public static byte[] encode(BitswapMessage m) {
        ProtoWriter w = new ProtoWriter(64 + encodedBlockBytes(m));
        ProtoWriter wl = new ProtoWriter();
        for (Entry e : m.wantlist()) {
            ProtoWriter ew = new ProtoWriter();
            ew.bytes(1, e.cid().bytes());
            if (e.priority() != 0) {
                ew.uint64(2, e.priority()); // int32: negative values sign-extend to 10 bytes
            }
            if (e.cancel()) {
                ew.uint64(3, 1);
            }
            if (e.type() == WantType.HAVE) {
                ew.uint64(4, 1);
            }
            if (e.sendDontHave()) {
                ew.uint64(5, 1);
            }
            wl.bytes(1, ew.toByteArray());
        }
        if (m.full()) {
            wl.uint64(2, 1);
        }
        w.bytes(1, wl.toByteArray());
        for (byte[] b : m.rawBlocks()) {
            w.bytes(2, b);
        }
        for (Block b : m.blocks()) {
            ProtoWriter bw = new ProtoWriter(b.data().length + 16);
            bw.bytes(1, b.prefix());
            bw.bytes(2, b.data());
            w.bytes(3, bw.toByteArray());
        }
        for (Presence p : m.presences()) {
            ProtoWriter pw = new ProtoWriter();
            pw.bytes(1, p.cid().bytes());
            if (p.type() == PresenceType.DONT_HAVE) {
                pw.uint64(2, 1);
            }
            w.bytes(4, pw.toByteArray());
        }
        if (m.pendingBytes() != 0) {
            w.uint64(5, m.pendingBytes());
        }
        return w.toByteArray();
    }

    private static int encodedBlockBytes(BitswapMessage m) {
        long n = 0;
        for (byte[] b : m.rawBlocks()) {
            n += b.length + 6;
        }
        for (Block b : m.blocks()) {
            n += b.data().length + b.prefix().length + 12;
        }
        return (int) Math.min(n, Integer.MAX_VALUE - 64);
    }

    /** Size of a 1.1+ block once encoded inside a message (field key, lengths, prefix, data). */
    static int payloadFieldSize(int prefixLength, int dataLength) {
        int inner = 1 + ProtoWriter.varintSize(prefixLength) + prefixLength + 1 + ProtoWriter.varintSize(dataLength) + dataLength;
        return 1 + ProtoWriter.varintSize(inner) + inner;
    }

    /** Size of a presence once encoded inside a message. */
    static int presenceFieldSize(int cidLength) {
        int inner = 1 + ProtoWriter.varintSize(cidLength) + cidLength + 2;
        return 1 + ProtoWriter.varintSize(inner) + inner;
    }

    /** Decodes one message (without its length prefix). */
    public static BitswapMessage decode(byte[] buf) {
        try {
            return decode0(buf);
        } catch (IpldException e) {
            throw bad(e.getMessage());
        }
    }

    private static BitswapMessage decode0(byte[] buf) {
        List<Entry> entries = new ArrayList<>();
        boolean[] full = new boolean[1];
        List<byte[]> raw = new ArrayList<>();
        List<Block> blocks = new ArrayList<>();
        List<Presence> presences = new ArrayList<>();
        int pending = 0;
        ProtoReader r = reader(buf, 0, buf.length, "message");
        while (r.hasMore()) {
            int key = r.key();
            int field = ProtoReader.field(key);
            int wt = ProtoReader.wireType(key);
            switch (field) {
                case 1 -> {
                    expect(wt, ProtoReader.LEN, "wantlist");
                    int start = r.lengthDelimited();
                    wantlist(buf, start, r.position(), entries, full);
                }
                case 2 -> {
                    expect(wt, ProtoReader.LEN, "blocks");
                    raw.add(r.bytes());
                }
                case 3 -> {
                    expect(wt, ProtoReader.LEN, "payload");
                    int start = r.lengthDelimited();
                    blocks.add(block(buf, start, r.position()));
                }
                case 4 -> {
                    expect(wt, ProtoReader.LEN, "blockPresences");
                    int start = r.lengthDelimited();
                    presences.add(presence(buf, start, r.position()));
                }
                case 5 -> {
                    expect(wt, ProtoReader.VARINT, "pendingBytes");
                    pending = (int) r.varint();
                }
                default -> skip(r, wt);
            }
        }
        return new BitswapMessage(entries, full[0], raw, blocks, presences, pending);
    }

    private static void wantlist(byte[] buf, int start, int end, List<Entry> entries, boolean[] full) {
        ProtoReader r = reader(buf, start, end, "wantlist");
        while (r.hasMore()) {
            int key = r.key();
            int wt = ProtoReader.wireType(key);
            switch (ProtoReader.field(key)) {
                case 1 -> {
                    expect(wt, ProtoReader.LEN, "wantlist entry");
                    int s = r.lengthDelimited();
                    entries.add(entry(buf, s, r.position()));
                }
                case 2 -> {
                    expect(wt, ProtoReader.VARINT, "wantlist.full");
                    full[0] = r.varint() != 0;
                }
                default -> skip(r, wt);
            }
        }
    }

    private static Entry entry(byte[] buf, int start, int end) {
        ProtoReader r = reader(buf, start, end, "wantlist entry");
        Cid cid = null;
        int priority = 0;
        boolean cancel = false;
        WantType type = WantType.BLOCK;
        boolean dontHave = false;
        while (r.hasMore()) {
            int key = r.key();
            int wt = ProtoReader.wireType(key);
            switch (ProtoReader.field(key)) {
                case 1 -> {
                    expect(wt, ProtoReader.LEN, "entry.block");
                    int s = r.lengthDelimited();
                    cid = cid(buf, s, r.position());
                }
                case 2 -> {
                    expect(wt, ProtoReader.VARINT, "entry.priority");
                    priority = (int) r.varint();
                }
                case 3 -> {
                    expect(wt, ProtoReader.VARINT, "entry.cancel");
                    cancel = r.varint() != 0;
                }
                case 4 -> {
                    expect(wt, ProtoReader.VARINT, "entry.wantType");
                    long t = r.varint();
                    if (t != 0 && t != 1) {
                        throw bad("unknown wantType " + t);
                    }
                    type = t == 1 ? WantType.HAVE : WantType.BLOCK;
                }
                case 5 -> {
                    expect(wt, ProtoReader.VARINT, "entry.sendDontHave");
                    dontHave = r.varint() != 0;
                }
                default -> skip(r, wt);
            }
        }
        if (cid == null) {
            throw bad("wantlist entry without a CID");
        }
        return new Entry(cid, priority, cancel, type, dontHave);
    }

    private static Block block(byte[] buf, int start, int end) {
        ProtoReader r = reader(buf, start, end, "payload block");
        byte[] prefix = new byte[0];
        byte[] data = new byte[0];
        while (r.hasMore()) {
            int key = r.key();
            int wt = ProtoReader.wireType(key);
            switch (ProtoReader.field(key)) {
                case 1 -> {
                    expect(wt, ProtoReader.LEN, "block.prefix");
                    prefix = r.bytes();
                }
                case 2 -> {
                    expect(wt, ProtoReader.LEN, "block.data");
                    data = r.bytes();
                }
                default -> skip(r, wt);
            }
        }
        return new Block(prefix, data);
    }

    private static Presence presence(byte[] buf, int start, int end) {
        ProtoReader r = reader(buf, start, end, "block presence");
        Cid cid = null;
        PresenceType type = PresenceType.HAVE;
        while (r.hasMore()) {
            int key = r.key();
            int wt = ProtoReader.wireType(key);
            switch (ProtoReader.field(key)) {
                case 1 -> {
                    expect(wt, ProtoReader.LEN, "presence.cid");
                    int s = r.lengthDelimited();
                    cid = cid(buf, s, r.position());
                }
                case 2 -> {
                    expect(wt, ProtoReader.VARINT, "presence.type");
                    long t = r.varint();
                    if (t != 0 && t != 1) {
                        throw bad("unknown presence type " + t);
                    }
                    type = t == 1 ? PresenceType.DONT_HAVE : PresenceType.HAVE;
                }
                default -> skip(r, wt);
            }
        }
        if (cid == null) {
            throw bad("block presence without a CID");
        }
        return new Presence(cid, type);
    }

    private static Cid cid(byte[] buf, int start, int end) {
        if (end - start > MAX_CID_BYTES) {
            throw bad("CID of " + (end - start) + " bytes (limit " + MAX_CID_BYTES + ")");
        }
        if (end == start) {
            throw bad("empty CID");
        }
        Cid c = Cid.decode(buf, start, end);
        if (c.byteLength() != end - start) {
            throw bad("trailing bytes after a CID");
        }
        return c;
    }

    private static void skip(ProtoReader r, int wt) {
        switch (wt) {
            case ProtoReader.VARINT -> r.varint();
            case ProtoReader.LEN -> r.lengthDelimited();
            case ProtoReader.I32 -> r.fixed32();
            case ProtoReader.I64 -> {
                r.fixed32();
                r.fixed32();
            }
            default -> throw bad("unsupported wire type " + wt);
        }
    }

    private static void expect(int wt, int want, String what) {
        if (wt != want) {
            throw bad(what + " has wire type " + wt + ", expected " + want);
        }
    }

    private static ProtoReader reader(byte[] buf, int start, int end, String what) {
        return new ProtoReader(buf, start, end, IpldException.Reason.BAD_BLOCK, "bitswap " + what);
    }

    static GatewayException bad(String detail) {
        return new GatewayException(GatewayException.Reason.BAD_REQUEST, detail.startsWith("bitswap") ? detail : "bitswap: " + detail);
    }
}
