package venus.retrieval.paych.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.cbor.CborReader;
import venus.retrieval.ipld.cbor.CborWriter;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.TokenAmount;

/**
 * The payment-channel actor's lane states: an AMT (array-mapped trie, go-amt-ipld v3 layout) of
 * bit width 3 holding {@code [Redeemed, Nonce]} tuples. Root = {@code [bitWidth, height, count,
 * node]}; node = {@code [bmap, links, values]} where bit i of the 1-byte bmap marks slot i and
 * links/values list only the set slots. Blocks are dag-cbor with blake2b-256 CIDs, as on chain.
 */
public final class LaneStatesAmt {
    /** The paych actor's lane-state AMT bit width. */
    public static final int BIT_WIDTH = 3;
    private static final int WIDTH = 1 << BIT_WIDTH;
    /** Lanes are 0 … 2^63−1 (the actor caps them there): a root of height 20 spans 8^21 = 2^63 indexes. */
    private static final int MAX_HEIGHT = 20;

    private LaneStatesAmt() {}

    /** Reads every lane under {@code root}, fetching blocks with {@code blocks} and checking each block's hash. */
    public static SortedMap<Long, PaychState.LaneState> read(Function<Cid, byte[]> blocks, Cid root) {
        try {
            CborReader r = new CborReader(fetch(blocks, root));
            if (r.readArrayHeader() != 4) {
                throw bad("AMT root must be a 4-tuple");
            }
            long bitWidth = r.readUint();
            if (bitWidth != BIT_WIDTH) {
                throw bad("lane-state AMT has bit width " + bitWidth + ", expected " + BIT_WIDTH);
            }
            long height = r.readUint();
            long count = r.readUint();
            if (height > MAX_HEIGHT) {
                throw bad("AMT height " + height + " is too large");
            }
            SortedMap<Long, PaychState.LaneState> out = new TreeMap<>();
            readNode(r, blocks, (int) height, 0, out);
            r.expectEnd();
            if (out.size() != count) {
                throw bad("AMT count says " + count + " lanes, found " + out.size());
            }
            return out;
        } catch (IpldException e) {
            throw bad("lane-state AMT is malformed: " + e.getMessage());
        }
    }

    /** Writes {@code lanes} as an AMT, handing every block to {@code put}; returns the root CID. */
    public static Cid write(SortedMap<Long, PaychState.LaneState> lanes, BiConsumer<Cid, byte[]> put) {
        int height = 0;
        if (!lanes.isEmpty()) {
            long max = lanes.lastKey();
            while (span(height + 1) > 0 && max >= span(height + 1)) {
                height++;
            }
        }
        CborWriter w = new CborWriter();
        w.writeArrayHeader(4).writeUint(BIT_WIDTH).writeUint(height).writeUint(lanes.size());
        writeNode(w, lanes, height, 0, put);
        return store(w.toByteArray(), put);
    }

    private static void readNode(CborReader r, Function<Cid, byte[]> blocks, int height, long offset,
                                 Map<Long, PaychState.LaneState> out) {
        if (r.readArrayHeader() != 3) {
            throw bad("AMT node must be a 3-tuple");
        }
        byte[] bmap = r.readBytes();
        if (bmap.length != 1) {
            throw bad("AMT bitmap must be 1 byte for bit width 3");
        }
        int nLinks = r.readArrayHeader();
        List<Cid> links = new ArrayList<>();
        for (int i = 0; i < nLinks; i++) {
            links.add(r.readCid());
        }
        int nValues = r.readArrayHeader();
        int set = Integer.bitCount(bmap[0] & 0xFF);
        if (height == 0) {
            if (nLinks != 0 || nValues != set) {
                throw bad("AMT leaf must hold one value per set bit and no links");
            }
            for (int slot = 0; slot < WIDTH; slot++) {
                if ((bmap[0] & (1 << slot)) != 0) {
                    if (r.readArrayHeader() != 2) {
                        throw bad("lane state must be a 2-tuple [Redeemed, Nonce]");
                    }
                    TokenAmount redeemed = new TokenAmount(r.readFilBigInt());
                    long nonce = r.readUint();
                    if (nonce < 0) {
                        // unsigned on chain; as a long it would compare below every voucher nonce
                        throw bad("lane " + (offset + slot) + " has nonce " + Long.toUnsignedString(nonce) + ", past 2^63-1");
                    }
                    out.put(offset + slot, new PaychState.LaneState(redeemed, nonce));
                }
            }
            return;
        }
        if (nValues != 0 || nLinks != set) {
            throw bad("AMT interior node must hold one link per set bit and no values");
        }
        int li = 0;
        for (int slot = 0; slot < WIDTH; slot++) {
            if ((bmap[0] & (1 << slot)) != 0) {
                CborReader child = new CborReader(fetch(blocks, links.get(li++)));
                readNode(child, blocks, height - 1, offset + slot * span(height), out);
                child.expectEnd();
            }
        }
    }

    private static void writeNode(CborWriter w, SortedMap<Long, PaychState.LaneState> lanes, int height, long offset,
                                  BiConsumer<Cid, byte[]> put) {
        int bmap = 0;
        w.writeArrayHeader(3);
        if (height == 0) {
            for (long k : lanes.keySet()) {
                bmap |= 1 << (int) (k - offset);
            }
            w.writeBytes(new byte[] {(byte) bmap}).writeArrayHeader(0).writeArrayHeader(lanes.size());
            for (PaychState.LaneState s : lanes.values()) {
                w.writeArrayHeader(2).writeFilBigInt(s.redeemed().atto()).writeUint(s.nonce());
            }
            return;
        }
        long childSpan = span(height);
        List<Cid> links = new ArrayList<>();
        for (int slot = 0; slot < WIDTH; slot++) {
            long lo = offset + slot * childSpan;
            SortedMap<Long, PaychState.LaneState> sub = slot == WIDTH - 1 || lo + childSpan < 0
                    ? lanes.tailMap(lo) : lanes.subMap(lo, lo + childSpan);
            if (!sub.isEmpty()) {
                bmap |= 1 << slot;
                CborWriter cw = new CborWriter();
                writeNode(cw, sub, height - 1, lo, put);
                links.add(store(cw.toByteArray(), put));
            }
        }
        w.writeBytes(new byte[] {(byte) bmap}).writeArrayHeader(links.size());
        for (Cid c : links) {
            w.writeCid(c);
        }
        w.writeArrayHeader(0);
    }

    /** How many indexes one child of a node at {@code height} covers: 8^height (0 on overflow). */
    private static long span(int height) {
        return height * BIT_WIDTH >= 63 ? 0 : 1L << (height * BIT_WIDTH);
    }

    private static Cid store(byte[] block, BiConsumer<Cid, byte[]> put) {
        Cid c = Cid.v1(Multicodec.DAG_CBOR, Multihash.compute(Multicodec.BLAKE2B_256, block));
        put.accept(c, block);
        return c;
    }

    private static byte[] fetch(Function<Cid, byte[]> blocks, Cid cid) {
        byte[] b = blocks.apply(cid);
        if (b == null) {
            throw bad("lane-state block " + cid + " not found");
        }
        if (!cid.multihash().matches(b)) {
            throw bad("lane-state block does not hash to " + cid);
        }
        return b;
    }

    private static PaychException bad(String message) {
        return new PaychException(PaychException.Reason.CHAIN, message);
    }
}
