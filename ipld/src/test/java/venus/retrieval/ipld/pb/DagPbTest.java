package venus.retrieval.ipld.pb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;

class DagPbTest {
    private static final HexFormat HEX = HexFormat.of();
    static final Cid RAW = Cid.of(Multicodec.RAW, "leaf".getBytes(StandardCharsets.UTF_8));
    static final Cid V0 = Cid.parse("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");

    @Test
    void zeroLengthBlockIsTheEmptyNode() {
        PbNode n = DagPb.decode(new byte[0]);
        assertThat(n.links()).isEmpty();
        assertThat(n.data()).isNull();
        assertThat(DagPb.encode(n)).isEmpty();
        assertThat(Cid.of(Multicodec.DAG_PB, DagPb.encode(n)).toString())
                .isEqualTo("bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
    }

    @Test
    void encodesLinksThenDataAndKeepsEmptyNamesDistinctFromAbsent() {
        PbNode n = new PbNode(List.of(new PbLink(RAW, "", 4L), new PbLink(V0, null, null)), new byte[] {8, 2});
        byte[] b = DagPb.encode(n);
        byte[] cid1 = RAW.bytes();
        // link 1: 12 len [0a 24 cid] [12 00] [18 04]
        assertThat(b[0]).isEqualTo((byte) 0x12);
        assertThat(b[1] & 0xFF).isEqualTo(2 + cid1.length + 2 + 2);
        assertThat(HEX.formatHex(b, 2 + 2 + cid1.length, 2 + 2 + cid1.length + 4)).isEqualTo("12001804");
        // data last
        assertThat(HEX.formatHex(b, b.length - 4, b.length)).isEqualTo("0a020802");
        PbNode back = DagPb.decode(b);
        assertThat(back).isEqualTo(n);
        assertThat(back.links().get(0).name()).isEmpty();
        assertThat(back.links().get(1).name()).isNull();
        assertThat(back.links().get(1).tsize()).isNull();
        assertThat(DagPb.links(b)).containsExactly(RAW, V0);
    }

    @Test
    void acceptsDataBeforeLinksAsTheSpecAsks() {
        byte[] link = link(RAW.bytes(), "a");
        byte[] b = concat(HEX.parseHex("0a0108"), frame(link), frame(link(V0.bytes(), "b")));
        PbNode n = DagPb.decode(b);
        assertThat(n.data()).containsExactly(8);
        assertThat(n.links()).extracting(PbLink::name).containsExactly("a", "b");
        // re-encoding writes the canonical order
        assertThat(DagPb.encode(n)).isEqualTo(concat(frame(link), frame(link(V0.bytes(), "b")), HEX.parseHex("0a0108")));
    }

    @Test
    void rejectsEveryNonCanonicalShape() {
        byte[] l = frame(link(RAW.bytes(), "a"));
        bad(concat(l, HEX.parseHex("0a00"), l), "interleaved");
        bad(HEX.parseHex("0a00" + "0a00"), "duplicate Data");
        bad(HEX.parseHex("1a00"), "unexpected field 3");
        bad(HEX.parseHex("0800"), "wire type 0");
        bad(HEX.parseHex("0a05aa"), "runs past the end");
        bad(HEX.parseHex("0a"), "truncated varint");
        // PBLink: Name before Hash, duplicate Hash, no Hash, Tsize as bytes, unknown field, bad CID
        bad(frame(concat(HEX.parseHex("120161"), bytesField(1, RAW.bytes()))), "out of order");
        bad(frame(concat(bytesField(1, RAW.bytes()), bytesField(1, RAW.bytes()))), "duplicate field 1");
        bad(frame(HEX.parseHex("120161")), "missing Hash");
        bad(frame(concat(bytesField(1, RAW.bytes()), HEX.parseHex("1a0101"))), "wrong wire type 2 for field 3");
        bad(frame(concat(bytesField(1, RAW.bytes()), HEX.parseHex("2000"))), "unexpected field 4");
        bad(frame(bytesField(1, HEX.parseHex("0155"))), "Hash is not a CID");
        bad(frame(bytesField(1, concat(RAW.bytes(), new byte[] {0}))), "after its CID");
        byte[] badName = frame(concat(bytesField(1, RAW.bytes()), HEX.parseHex("1202c328")));
        assertThatThrownBy(() -> DagPb.decode(badName)).isInstanceOf(IpldException.class).hasMessageContaining("UTF-8");
        // Tsize that does not fit in a signed 64-bit value
        bad(frame(concat(bytesField(1, RAW.bytes()), HEX.parseHex("18ffffffffffffffffff01"))), "2^63");
        bad(frame(concat(bytesField(1, RAW.bytes()), HEX.parseHex("18ffffffffffffffffff02"))), "overflows");
    }

    @Test
    void protobufVarintsMayUseTenBytes() {
        // 10-byte (non-minimal) encoding of Tsize 1: legal protobuf, past the 9-byte multiformats limit
        byte[] b = frame(concat(bytesField(1, RAW.bytes()), HEX.parseHex("18" + "81808080808080808000")));
        assertThat(DagPb.decode(b).links().get(0).tsize()).isEqualTo(1L);
        PbNode max = new PbNode(List.of(new PbLink(RAW, null, Long.MAX_VALUE)), null);
        assertThat(DagPb.decode(DagPb.encode(max))).isEqualTo(max);
    }

    /** Every dag-pb block that ipfs-unixfs-importer wrote into the vectors re-encodes to its exact bytes. */
    @Test
    void everyVectorBlockRoundTripsByteForByte() throws IOException {
        int checked = 0;
        try (Stream<Path> files = Files.list(Vectors.file("unixfs"))) {
            for (Path car : files.filter(p -> p.toString().endsWith(".car")).toList()) {
                for (Object[] blk : TestCar.blocks(Files.readAllBytes(car))) {
                    Cid cid = (Cid) blk[0];
                    byte[] bytes = (byte[]) blk[1];
                    if (cid.codec() == Multicodec.DAG_PB) {
                        assertThat(DagPb.encode(DagPb.decode(bytes))).as(cid.toString()).isEqualTo(bytes);
                        assertThat(DagPb.links(bytes)).hasSameSizeAs(DagPb.decode(bytes).links());
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(100);
    }

    static void bad(byte[] block, String message) {
        assertThatThrownBy(() -> DagPb.decode(block)).isInstanceOf(IpldException.class)
                .hasMessageContaining(message)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(IpldException.Reason.BAD_BLOCK);
        assertThatThrownBy(() -> DagPb.links(block)).isInstanceOf(IpldException.class);
    }

    static byte[] link(byte[] cid, String name) {
        return concat(bytesField(1, cid), bytesField(2, name.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] bytesField(int field, byte[] v) {
        return new ProtoWriter().bytes(field, v).toByteArray();
    }

    static byte[] frame(byte[] link) {
        return bytesField(2, link);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /** The (CID, bytes) pairs of a CAR, through the ipld CAR reader. */
    static final class TestCar {
        static List<Object[]> blocks(byte[] car) {
            List<Object[]> out = new ArrayList<>();
            try (CarReader r = CarReader.open(new java.io.ByteArrayInputStream(car))) {
                for (CarBlock b : r) {
                    out.add(new Object[] {b.cid(), b.data()});
                }
            }
            return out;
        }
    }
}
