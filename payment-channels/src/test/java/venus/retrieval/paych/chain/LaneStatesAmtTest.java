package venus.retrieval.paych.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.cbor.CborWriter;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.TokenAmount;

class LaneStatesAmtTest {
    @Test
    void emptyAndSmallAmtsHaveTheGoLayout() {
        Map<Cid, byte[]> blocks = new HashMap<>();
        Cid empty = LaneStatesAmt.write(new TreeMap<>(), blocks::put);
        // [bitWidth 3, height 0, count 0, [bmap h'00', [], []]]
        assertThat(Multibase.hex(blocks.get(empty))).isEqualTo("840300008341008080");
        assertThat(LaneStatesAmt.read(blocks::get, empty)).isEmpty();
        SortedMap<Long, PaychState.LaneState> lanes = new TreeMap<>();
        lanes.put(0L, new PaychState.LaneState(TokenAmount.ofAtto(1000), 1));
        lanes.put(3L, new PaychState.LaneState(TokenAmount.ofAtto(5), 7));
        Cid root = LaneStatesAmt.write(lanes, blocks::put);
        // bmap 0b00001001, values [[h'0003e8', 1], [h'0005', 7]]
        assertThat(Multibase.hex(blocks.get(root))).isEqualTo("84030002834109808282430003e80182420005" + "07");
        assertThat(LaneStatesAmt.read(blocks::get, root)).isEqualTo(lanes);
    }

    @Property(tries = 100, seed = "5")
    void anyLaneSetRoundTrips(@ForAll @Size(max = 20) java.util.List<@LongRange(min = 0, max = Long.MAX_VALUE) Long> keys) {
        SortedMap<Long, PaychState.LaneState> lanes = new TreeMap<>();
        for (long k : keys) {
            lanes.put(k, new PaychState.LaneState(TokenAmount.ofAtto(k % 1000), k % 7));
        }
        Map<Cid, byte[]> blocks = new HashMap<>();
        Cid root = LaneStatesAmt.write(lanes, blocks::put);
        assertThat(LaneStatesAmt.read(blocks::get, root)).isEqualTo(lanes);
    }

    @Test
    void multiLevelTreeAndBrokenBlocks() {
        SortedMap<Long, PaychState.LaneState> lanes = new TreeMap<>();
        lanes.put(1L, new PaychState.LaneState(TokenAmount.ofAtto(1), 1));
        lanes.put(100L, new PaychState.LaneState(TokenAmount.ofAtto(2), 2));
        Map<Cid, byte[]> blocks = new HashMap<>();
        Cid root = LaneStatesAmt.write(lanes, blocks::put);
        assertThat(blocks).hasSize(5); // root (height 2, node inline) + per lane: one interior node and one leaf
        assertThat(LaneStatesAmt.read(blocks::get, root)).isEqualTo(lanes);
        Cid missing = blocks.keySet().stream().filter(c -> !c.equals(root)).findFirst().orElseThrow();
        byte[] saved = blocks.remove(missing);
        assertThatThrownBy(() -> LaneStatesAmt.read(blocks::get, root)).hasMessageContaining("not found");
        saved[saved.length - 1] ^= 1;
        blocks.put(missing, saved);
        assertThatThrownBy(() -> LaneStatesAmt.read(blocks::get, root)).hasMessageContaining("does not hash");
    }

    @Test
    void laneNoncesAndHeightsPastWhatALaneCanBeAreRefused() {
        // a nonce of 2^63 or more would read as a negative long and let any voucher nonce pass
        SortedMap<Long, PaychState.LaneState> lanes = new TreeMap<>();
        lanes.put(2L, new PaychState.LaneState(TokenAmount.ofAtto(5), Long.MIN_VALUE));
        Map<Cid, byte[]> blocks = new HashMap<>();
        Cid root = LaneStatesAmt.write(lanes, blocks::put);
        assertThatThrownBy(() -> LaneStatesAmt.read(blocks::get, root)).isInstanceOf(PaychException.class)
                .hasMessageContaining("nonce");
        // lanes stop at 2^63-1, which height 20 already covers; at 21 a child would span 8^21 = 2^63
        byte[] tall = new CborWriter().writeArrayHeader(4).writeUint(3).writeUint(21).writeUint(0)
                .writeArrayHeader(3).writeBytes(new byte[] {0}).writeArrayHeader(0).writeArrayHeader(0).toByteArray();
        Cid tallRoot = Cid.v1(Multicodec.DAG_CBOR, Multihash.compute(Multicodec.BLAKE2B_256, tall));
        blocks.put(tallRoot, tall);
        assertThatThrownBy(() -> LaneStatesAmt.read(blocks::get, tallRoot)).isInstanceOf(PaychException.class)
                .hasMessageContaining("height");
    }
}
