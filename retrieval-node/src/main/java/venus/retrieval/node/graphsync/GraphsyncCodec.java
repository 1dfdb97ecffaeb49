package venus.retrieval.node.graphsync;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Varint;
import venus.retrieval.ipld.cbor.CborReader;
import venus.retrieval.ipld.cbor.CborWriter;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.NodeException;

/**
 * Graphsync 2.0.0 messages ↔ dag-cbor (go-graphsync {@code message/ipldbind/schema.ipldsch}).
 * Pure functions on byte arrays; framing (unsigned-varint length prefix, ≤ 4 MiB) is
 * {@link #frame} here and {@link GraphsyncFrameDecoder} for streams.
 *
 * <p>The encoder is canonical (keys length-first, optional fields omitted when empty), which is
 * what go-graphsync sends. The decoder accepts any key order, ignores unknown keys, and rejects
 * anything else with {@link NodeException.Reason#BAD_MESSAGE}.
 */
public final class GraphsyncCodec {
    /** Largest message body accepted or sent (libp2p {@code network.MessageSizeMax}). */
    public static final int MAX_MESSAGE = 4 << 20;
    /** Blocks smaller than this are copied into the encoded bytes; larger ones are wrapped as they are. */
    private static final int INLINE_BLOCK = 4096;

    private GraphsyncCodec() {}

    // ---- encoding ----

    /** The message's dag-cbor body. */
    public static byte[] encode(GsMessage m) {
        List<byte[]> parts = encodeParts(m);
        if (parts.size() == 1) {
            return parts.get(0);
        }
        byte[] out = new byte[length(parts)];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /**
     * The message with its length prefix, as one buffer that wraps the blocks' arrays instead of
     * copying them (a 1 MiB block goes from the block store to the encrypting transport without
     * an intermediate copy). Bytes equal {@code frame(encode(m))}; the blocks' arrays must not
     * change until the buffer is written.
     */
    public static ByteBuf encodeFramed(GsMessage m) {
        List<byte[]> parts = encodeParts(m);
        int len = length(parts);
        byte[] prefix = new byte[Varint.size(len)];
        Varint.write(len, prefix, 0);
        byte[][] all = new byte[parts.size() + 1][];
        all[0] = prefix;
        for (int i = 0; i < parts.size(); i++) {
            all[i + 1] = parts.get(i);
        }
        return Unpooled.wrappedBuffer(all);
    }

    private static int length(List<byte[]> parts) {
        long n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        if (n > Integer.MAX_VALUE) {
            throw bad("message of " + n + " bytes cannot be framed");
        }
        return (int) n;
    }

    /**
     * The body as consecutive pieces: encoded CBOR, each block's data as its own array (not
     * copied), encoded CBOR again.
     */
    private static List<byte[]> encodeParts(GsMessage m) {
        List<byte[]> parts = new ArrayList<>(2 * m.blocks().size() + 2);
        CborWriter w = new CborWriter(256);
        w.writeMapHeader(1).writeText("gs2");
        int n = (m.blocks().isEmpty() ? 0 : 1) + (m.requests().isEmpty() ? 0 : 1) + (m.responses().isEmpty() ? 0 : 1);
        w.writeMapHeader(n);
        if (!m.blocks().isEmpty()) {
            w.writeText("blk").writeArrayHeader(m.blocks().size());
            for (GsBlock b : m.blocks()) {
                w.writeArrayHeader(2).writeBytes(b.prefix()).writeBytesHeader(b.data().length);
                if (b.data().length < INLINE_BLOCK) {
                    w.writeRaw(b.data());
                } else {
                    parts.add(w.toByteArray());
                    parts.add(b.data());
                    w = new CborWriter(256);
                }
            }
        }
        if (!m.requests().isEmpty()) {
            w.writeText("req").writeArrayHeader(m.requests().size());
            for (GsRequest r : m.requests()) {
                writeRequest(w, r);
            }
        }
        if (!m.responses().isEmpty()) {
            w.writeText("rsp").writeArrayHeader(m.responses().size());
            for (GsResponse r : m.responses()) {
                writeResponse(w, r);
            }
        }
        parts.add(w.toByteArray());
        return parts;
    }

    /** The body with its unsigned-varint length prefix. */
    public static byte[] frame(byte[] body) {
        byte[] out = new byte[Varint.size(body.length) + body.length];
        int o = Varint.write(body.length, out, 0);
        System.arraycopy(body, 0, out, o, body.length);
        return out;
    }

    /** Encoded size of one block entry in a message (for size budgets). */
    static int blockEntrySize(GsBlock b) {
        return 1 + headerSize(b.prefix().length) + b.prefix().length + headerSize(b.data().length) + b.data().length;
    }

    static int headerSize(long n) {
        return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000L ? 5 : 9;
    }

    private static void writeRequest(CborWriter w, GsRequest r) {
        boolean isNew = r.type() == RequestType.NEW;
        boolean ext = !r.extensions().isEmpty() && r.type() != RequestType.CANCEL;
        boolean pri = isNew && r.priority() != 0;
        int n = 2 + (ext ? 1 : 0) + (pri ? 1 : 0) + (isNew ? 2 : 0);
        w.writeMapHeader(n);
        w.writeText("id").writeBytes(uuidBytes(r.id()));
        if (ext) {
            w.writeText("ext");
            writeExtensions(w, r.extensions());
        }
        if (pri) {
            w.writeText("pri").writeInt(r.priority());
        }
        if (isNew) {
            w.writeText("sel").writeNode(r.selector());
            w.writeText("root").writeCid(r.root());
        }
        w.writeText("type").writeText(r.type().wire());
    }

    private static void writeResponse(CborWriter w, GsResponse r) {
        boolean ext = !r.extensions().isEmpty();
        boolean meta = !r.metadata().isEmpty();
        w.writeMapHeader(2 + (ext ? 1 : 0) + (meta ? 1 : 0));
        if (ext) {
            w.writeText("ext");
            writeExtensions(w, r.extensions());
        }
        if (meta) {
            w.writeText("meta").writeArrayHeader(r.metadata().size());
            for (GsResponse.Metadatum d : r.metadata()) {
                w.writeArrayHeader(2).writeCid(d.link()).writeText(d.action().wire());
            }
        }
        w.writeText("stat").writeInt(r.status());
        w.writeText("reqid").writeBytes(uuidBytes(r.requestId()));
    }

    private static void writeExtensions(CborWriter w, Map<String, Node> ext) {
        // canonical order: shorter key first, then bytewise (the Node map encoder sorts the same way)
        w.writeNode(Node.map(new TreeMap<>(ext)));
    }

    static byte[] uuidBytes(UUID id) {
        return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }

    // ---- decoding ----

    /** Decodes one message body. */
    public static GsMessage decode(byte[] body) {
        return decode(body, 0, body.length);
    }

    /** Decodes the message body {@code buf[off, off+len)}. */
    public static GsMessage decode(byte[] buf, int off, int len) {
        if (len > MAX_MESSAGE) {
            throw bad("message of " + len + " bytes exceeds " + MAX_MESSAGE);
        }
        try {
            CborReader r = new CborReader(buf, off, len);
            GsMessage m = null;
            int n = r.readMapHeader();
            for (int i = 0; i < n; i++) {
                String k = r.readText();
                if (k.equals("gs2") && m == null) {
                    m = readMessage(r);
                } else {
                    r.skip();
                }
            }
            r.expectEnd();
            if (m == null) {
                throw bad("no \"gs2\" message");
            }
            return m;
        } catch (IpldException e) {
            throw bad(e.getMessage());
        }
    }

    private static GsMessage readMessage(CborReader r) {
        List<GsRequest> reqs = new ArrayList<>();
        List<GsResponse> rsps = new ArrayList<>();
        List<GsBlock> blks = new ArrayList<>();
        int n = r.readMapHeader();
        for (int i = 0; i < n; i++) {
            String k = r.readText();
            switch (k) {
                case "req" -> {
                    int c = nullableList(r);
                    for (int j = 0; j < c; j++) {
                        reqs.add(readRequest(r));
                    }
                }
                case "rsp" -> {
                    int c = nullableList(r);
                    for (int j = 0; j < c; j++) {
                        rsps.add(readResponse(r));
                    }
                }
                case "blk" -> {
                    int c = nullableList(r);
                    for (int j = 0; j < c; j++) {
                        if (r.readArrayHeader() != 2) {
                            throw bad("a block is a [prefix, data] pair");
                        }
                        blks.add(new GsBlock(r.readBytes(), r.readBytes()));
                    }
                }
                default -> r.skip();
            }
        }
        return new GsMessage(reqs, rsps, blks);
    }

    private static int nullableList(CborReader r) {
        if (r.isNull()) {
            r.readNull();
            return 0;
        }
        return r.readArrayHeader();
    }

    private static GsRequest readRequest(CborReader r) {
        UUID id = null;
        String type = null;
        long pri = 0;
        Cid root = null;
        Node sel = null;
        Map<String, Node> ext = Map.of();
        int n = r.readMapHeader();
        for (int i = 0; i < n; i++) {
            String k = r.readText();
            if (r.isNull()) {
                r.readNull(); // an optional field written as null
                continue;
            }
            switch (k) {
                case "id" -> id = uuid(r.readBytes());
                case "type" -> type = r.readText();
                case "pri" -> pri = r.readInt();
                case "root" -> root = r.readCid();
                case "sel" -> sel = r.readNode();
                case "ext" -> ext = readExtensions(r);
                default -> r.skip();
            }
        }
        if (id == null || type == null) {
            throw bad("a request needs \"id\" and \"type\"");
        }
        RequestType t = RequestType.of(type);
        if (t == null) {
            throw bad("unknown request type \"" + type + "\"");
        }
        if (t == RequestType.NEW && (root == null || sel == null)) {
            throw bad("a new request needs \"root\" and \"sel\"");
        }
        return new GsRequest(id, t, pri, t == RequestType.NEW ? root : null, t == RequestType.NEW ? sel : null,
                t == RequestType.CANCEL ? Map.of() : ext);
    }

    private static GsResponse readResponse(CborReader r) {
        UUID id = null;
        Long stat = null;
        List<GsResponse.Metadatum> meta = new ArrayList<>();
        Map<String, Node> ext = Map.of();
        int n = r.readMapHeader();
        for (int i = 0; i < n; i++) {
            String k = r.readText();
            if (r.isNull()) {
                r.readNull();
                continue;
            }
            switch (k) {
                case "reqid" -> id = uuid(r.readBytes());
                case "stat" -> stat = r.readInt();
                case "ext" -> ext = readExtensions(r);
                case "meta" -> {
                    int c = r.readArrayHeader();
                    for (int j = 0; j < c; j++) {
                        if (r.readArrayHeader() != 2) {
                            throw bad("a metadatum is a [link, action] pair");
                        }
                        Cid link = r.readCid();
                        String a = r.readText();
                        LinkAction action = LinkAction.of(a);
                        if (action == null) {
                            throw bad("unknown link action \"" + a + "\"");
                        }
                        meta.add(new GsResponse.Metadatum(link, action));
                    }
                }
                default -> r.skip();
            }
        }
        if (id == null || stat == null) {
            throw bad("a response needs \"reqid\" and \"stat\"");
        }
        if (stat < 0 || stat > Integer.MAX_VALUE) {
            throw bad("status " + stat + " out of range");
        }
        return new GsResponse(id, stat.intValue(), meta, ext);
    }

    private static Map<String, Node> readExtensions(CborReader r) {
        int n = r.readMapHeader();
        Map<String, Node> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String k = r.readText();
            Node v = r.readNode();
            if (out.put(k, v) != null) {
                throw bad("duplicate extension \"" + k + "\"");
            }
        }
        return out;
    }

    private static UUID uuid(byte[] b) {
        if (b.length != 16) {
            throw bad("request id must be 16 bytes, got " + b.length);
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new UUID(bb.getLong(), bb.getLong());
    }

    static NodeException bad(String msg) {
        return new NodeException(NodeException.Reason.BAD_MESSAGE, "graphsync: " + msg);
    }
}
