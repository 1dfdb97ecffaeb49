package venus.retrieval.ipld.pb;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;

/**
 * The dag-pb codec (multicodec 0x70).
 *
 * <p>Decoding is strict as the dag-pb spec asks: PBLink fields in field-number order (Hash, Name,
 * Tsize), Hash required and a valid CID, no duplicate fields, no unknown fields or wrong wire
 * types, Names valid UTF-8. PBNode: Data at most once; Links form one contiguous run. The spec
 * says decoders should accept Data before Links as well as after ("IPFS data exists in both
 * forms"), so both orders decode; interleaving (Links, Data, Links) is rejected. Every failure is
 * {@link IpldException.Reason#BAD_BLOCK}.
 *
 * <p>Encoding is Kubo's: Links first, then Data; links in the order given (builders sort
 * directory entries themselves); an empty name is written as a present-but-empty field and an
 * absent name is omitted, so decode then encode reproduces the original bytes of any canonical
 * block.
 */
public final class DagPb {
    private static final int LINK_HASH = 1 << 3 | ProtoReader.LEN;
    private static final int LINK_NAME = 2 << 3 | ProtoReader.LEN;
    private static final int LINK_TSIZE = 3 << 3 | ProtoReader.VARINT;
    private static final int NODE_DATA = 1 << 3 | ProtoReader.LEN;
    private static final int NODE_LINK = 2 << 3 | ProtoReader.LEN;

    private DagPb() {}

    /** Decodes a block. A zero-length block is a node with no links and no Data. */
    public static PbNode decode(byte[] block) {
        List<PbLink> links = new ArrayList<>();
        byte[] data = walk(block, links, true);
        return new PbNode(links, data);
    }

    /**
     * The link targets of a block, in block order, with the same framing validation as
     * {@link #decode} but without materialising names or Data (what traversals need); it does
     * not check that names are valid UTF-8.
     */
    public static List<Cid> links(byte[] block) {
        List<PbLink> links = new ArrayList<>();
        walk(block, links, false);
        List<Cid> out = new ArrayList<>(links.size());
        for (PbLink l : links) {
            out.add(l.cid());
        }
        return out;
    }

    /** Encodes a node: Links, then Data when present. */
    public static byte[] encode(PbNode node) {
        int n = node.links().size();
        byte[][] names = new byte[n][];
        int[] linkSizes = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            PbLink l = node.links().get(i);
            int s = 1 + ProtoWriter.varintSize(l.cid().byteLength()) + l.cid().byteLength();
            if (l.name() != null) {
                names[i] = l.name().getBytes(StandardCharsets.UTF_8);
                s += 1 + ProtoWriter.varintSize(names[i].length) + names[i].length;
            }
            if (l.tsize() != null) {
                s += 1 + ProtoWriter.varintSize(l.tsize());
            }
            linkSizes[i] = s;
            total += 1 + ProtoWriter.varintSize(s) + s;
        }
        byte[] data = node.data();
        if (data != null) {
            total += 1 + ProtoWriter.varintSize(data.length) + data.length;
        }
        ProtoWriter w = new ProtoWriter(total);
        for (int i = 0; i < n; i++) {
            PbLink l = node.links().get(i);
            w.key(2, ProtoReader.LEN).varint(linkSizes[i]);
            w.bytes(1, l.cid().bytes());
            if (names[i] != null) {
                w.bytes(2, names[i]);
            }
            if (l.tsize() != null) {
                w.uint64(3, l.tsize());
            }
        }
        if (data != null) {
            w.bytes(1, data);
        }
        return w.toByteArray();
    }

    /** Parses the node into {@code links}; returns Data (or null). */
    private static byte[] walk(byte[] block, List<PbLink> links, boolean full) {
        ProtoReader r = new ProtoReader(block, 0, block.length, IpldException.Reason.BAD_BLOCK, "dag-pb PBNode");
        byte[] data = null;
        boolean haveData = false;
        boolean linksClosed = false; // Links seen and then Data: no more Links allowed
        while (r.hasMore()) {
            int key = r.key();
            if (key == NODE_LINK) {
                if (linksClosed) {
                    throw r.error("Links interleaved with Data");
                }
                int start = r.lengthDelimited();
                links.add(link(block, start, r.position(), full));
            } else if (key == NODE_DATA) {
                if (haveData) {
                    throw r.error("duplicate Data field");
                }
                int start = r.lengthDelimited();
                haveData = true;
                linksClosed = !links.isEmpty();
                if (full) {
                    data = java.util.Arrays.copyOfRange(block, start, r.position());
                }
            } else {
                throw r.error(unexpected(key, "1 (Data) or 2 (Links), wire type 2"));
            }
        }
        return full ? data : null;
    }

    private static PbLink link(byte[] block, int from, int to, boolean full) {
        ProtoReader r = new ProtoReader(block, from, to, IpldException.Reason.BAD_BLOCK, "dag-pb PBLink");
        Cid cid = null;
        String name = null;
        Long tsize = null;
        int last = 0; // highest field number seen: fields must strictly increase
        while (r.hasMore()) {
            int key = r.key();
            int field = ProtoReader.field(key);
            if (field < 1 || field > 3) {
                throw r.error(unexpected(key, "1 (Hash), 2 (Name) or 3 (Tsize)"));
            }
            if (field <= last) {
                throw r.error(field == last ? "duplicate field " + field : "field " + field + " out of order");
            }
            last = field;
            if (key == LINK_HASH) {
                int start = r.lengthDelimited();
                try {
                    cid = Cid.decode(block, start, r.position()); // no copy of the hash bytes first
                } catch (IpldException e) {
                    throw r.error("Hash is not a CID (" + e.getMessage() + ")");
                }
                if (cid.byteLength() != r.position() - start) {
                    throw r.error("Hash has " + (r.position() - start - cid.byteLength()) + " bytes after its CID");
                }
            } else if (key == LINK_NAME) {
                int start = r.lengthDelimited();
                name = full ? utf8(r, block, start, r.position()) : null;
            } else if (key == LINK_TSIZE) {
                tsize = r.uint63();
            } else {
                throw r.error("wrong wire type " + ProtoReader.wireType(key) + " for field " + field);
            }
        }
        if (cid == null) {
            throw r.error("missing Hash");
        }
        return new PbLink(cid, name, tsize);
    }

    private static String utf8(ProtoReader r, byte[] b, int from, int to) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return d.decode(ByteBuffer.wrap(b, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            throw r.error("Name is not valid UTF-8");
        }
    }

    private static String unexpected(int key, String expected) {
        return "unexpected field " + ProtoReader.field(key) + " wire type " + ProtoReader.wireType(key) + ", expected " + expected;
    }
}
