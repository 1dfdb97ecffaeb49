package venus.retrieval.ipld.cbor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.IpldException.Reason;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;

class DagCborTest {
    static byte[] hex(String s) {
        return Multibase.unhex(s);
    }

    static String enc(Node n) {
        return Multibase.hex(DagCbor.encode(n));
    }

    static void assertRejected(String hex, Reason reason) {
        assertThatThrownBy(() -> DagCbor.decode(hex(hex))).as(hex).isInstanceOf(IpldException.class)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(reason);
    }

    @Test
    void scalarsEncodeInShortestForm() {
        assertThat(enc(Node.integer(0))).isEqualTo("00");
        assertThat(enc(Node.integer(23))).isEqualTo("17");
        assertThat(enc(Node.integer(24))).isEqualTo("1818");
        assertThat(enc(Node.integer(255))).isEqualTo("18ff");
        assertThat(enc(Node.integer(256))).isEqualTo("190100");
        assertThat(enc(Node.integer(65536))).isEqualTo("1a00010000");
        assertThat(enc(Node.integer(4294967296L))).isEqualTo("1b0000000100000000");
        assertThat(enc(Node.integer(-1))).isEqualTo("20");
        assertThat(enc(Node.integer(-25))).isEqualTo("3818");
        assertThat(enc(Node.integer(Long.MIN_VALUE))).isEqualTo("3b7fffffffffffffff");
        assertThat(enc(Node.NULL)).isEqualTo("f6");
        assertThat(enc(Node.TRUE)).isEqualTo("f5");
        assertThat(enc(Node.FALSE)).isEqualTo("f4");
        assertThat(enc(Node.floating(1.5))).isEqualTo("fb3ff8000000000000");
        assertThat(enc(Node.string("a"))).isEqualTo("6161");
        assertThat(enc(Node.bytes(new byte[] {1, 2}))).isEqualTo("420102");
        assertThat(enc(Node.list())).isEqualTo("80");
        assertThat(enc(Node.map(Map.of()))).isEqualTo("a0");
    }

    @Test
    void integersBeyondLongUseTheFullCborRangeThenBignums() {
        BigInteger u64max = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        assertThat(enc(Node.integer(u64max))).isEqualTo("1bffffffffffffffff");
        assertThat(DagCbor.decode(hex("1bffffffffffffffff")).asBigInteger()).isEqualTo(u64max);
        assertThat(DagCbor.decode(hex("1bffffffffffffffff")).fitsLong()).isFalse();
        BigInteger minus2p64 = BigInteger.ONE.shiftLeft(64).negate();
        assertThat(DagCbor.decode(hex("3bffffffffffffffff")).asBigInteger()).isEqualTo(minus2p64);
        assertThat(enc(Node.integer(minus2p64))).isEqualTo("3bffffffffffffffff");
        assertThat(DagCbor.decode(hex("3b8000000000000000")).asBigInteger()).isEqualTo(BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE));
        assertThat(Node.unsigned(-1)).isEqualTo(Node.integer(u64max));
        // 2^64 and -2^64-1 need bignum tags 2/3
        assertThat(enc(Node.integer(BigInteger.ONE.shiftLeft(64)))).isEqualTo("c249010000000000000000");
        assertThat(DagCbor.decode(hex("c249010000000000000000")).asBigInteger()).isEqualTo(BigInteger.ONE.shiftLeft(64));
        assertThat(DagCbor.decode(hex("c349010000000000000000")).asBigInteger()).isEqualTo(minus2p64.subtract(BigInteger.ONE));
        assertThat(enc(Node.integer(minus2p64.subtract(BigInteger.ONE)))).isEqualTo("c349010000000000000000");
        // a bignum that fits 64 bits is accepted and normalised
        assertThat(DagCbor.decode(hex("c24101")).asLong()).isEqualTo(1);
        assertThatThrownBy(() -> DagCbor.decode(hex("1bffffffffffffffff")).asLong())
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.TOO_LARGE);
    }

    @Test
    void decoderAcceptsNonShortestIntegersAndLengths() {
        assertThat(DagCbor.decode(hex("1801")).asLong()).isEqualTo(1);
        assertThat(DagCbor.decode(hex("1b0000000000000001")).asLong()).isEqualTo(1);
        assertThat(DagCbor.decode(hex("390000")).asLong()).isEqualTo(-1);
        assertThat(DagCbor.decode(hex("780161")).asString()).isEqualTo("a");
        assertThat(DagCbor.decode(hex("98020102")).elements()).containsExactly(Node.integer(1), Node.integer(2));
        assertThat(enc(DagCbor.decode(hex("98020102")))).isEqualTo("820102");
        // 16- and 32-bit floats widen to the canonical 64-bit form
        assertThat(enc(DagCbor.decode(hex("f93c00")))).isEqualTo("fb3ff0000000000000");
        assertThat(DagCbor.decode(hex("f9c400")).asDouble()).isEqualTo(-4.0);
        assertThat(DagCbor.decode(hex("f90001")).asDouble()).isEqualTo(Math.pow(2, -24));
        assertThat(DagCbor.decode(hex("fa3fc00000")).asDouble()).isEqualTo(1.5);
    }

    @Test
    void mapKeysAreSortedLengthFirstThenBytewise() {
        Map<String, Node> m = new LinkedHashMap<>();
        for (String k : List.of("bb", "aaa", "b", "a", "ab", "é", "Z")) {
            m.put(k, Node.integer(k.length()));
        }
        Node n = Node.map(m);
        // Z(5a) < a < b (one byte), then ab < bb < é(c3a9) (two bytes), then aaa
        assertThat(enc(n)).isEqualTo("a7615a016161016162016261620262626202"
                + "62c3a901" + "63616161" + "03");
        // decoding keeps the order read, so insertion order survives a decode of non-canonical input
        Node back = DagCbor.decode(hex("a2616202616101"));
        assertThat(back.entries().keySet()).containsExactly("b", "a");
        assertThat(enc(back)).isEqualTo("a2616101616202");
        assertThat(back).isEqualTo(DagCbor.decode(hex("a2616101616202")));
    }

    @Test
    void invalidUtf8TextSurvivesByteForByte() {
        // a text string holding a raw peer-ID multihash prefix and bytes that are never UTF-8
        String h = "a1614166" + "0024080112ff";
        Node n = DagCbor.decode(hex(h));
        Node s = n.get("A");
        assertThat(s.kind()).isEqualTo(Kind.STRING);
        assertThat(s.asStringBytes()).isEqualTo(hex("0024080112ff"));
        assertThat(s.asString()).contains("\uFFFD");
        assertThat(enc(n)).isEqualTo(h);
        assertThat(Multibase.hex(new CborWriter().writeTextBytes(hex("c328")).toByteArray())).isEqualTo("62c328");
        assertThat(new CborReader(hex("62c328")).readTextBytes()).isEqualTo(hex("c328"));
        assertThat(Node.stringBytes(hex("c328"))).isNotEqualTo(Node.string("\uFFFD("));
    }

    @Test
    void linksUseTag42WithAZeroPrefix() {
        Cid v1 = Cid.of(Multicodec.RAW, new byte[] {1});
        Cid v0 = Cid.parse("QmTTA2daxGqo5denp6SwLzzkLJm3fuisYEi9CoWsuHpzfb");
        Node n = Node.list(Node.link(v1), Node.map(Map.of("x", Node.link(v0))), Node.link(v1));
        byte[] b = DagCbor.encode(n);
        assertThat(Multibase.hex(b)).startsWith("83d82a5825000155");
        assertThat(DagCbor.decode(b)).isEqualTo(n);
        assertThat(DagCbor.decode(b).links()).containsExactly(v1, v0, v1);
        // missing 0x00 prefix, trailing bytes inside the CID, and a bad CID are rejected
        assertRejected("d82a5824" + Multibase.hex(v1.bytes()), Reason.BAD_BLOCK);
        assertRejected("d82a5826" + "00" + Multibase.hex(v1.bytes()) + "00", Reason.BAD_BLOCK);
        assertRejected("d82a4400010203", Reason.BAD_BLOCK);
        assertRejected("d82a6161", Reason.BAD_BLOCK);
    }

    @Test
    void rejectsWhatDagCborForbids() {
        assertRejected("9fff", Reason.BAD_BLOCK);          // indefinite array
        assertRejected("bf6161f6ff", Reason.BAD_BLOCK);    // indefinite map
        assertRejected("5f4101ff", Reason.BAD_BLOCK);      // indefinite bytes
        assertRejected("7f6161ff", Reason.BAD_BLOCK);      // indefinite text
        assertRejected("c074323031332d30332d32315432303a30343a30305a", Reason.BAD_BLOCK);  // tag 0
        assertRejected("d9d9f700", Reason.BAD_BLOCK);      // self-describe tag
        assertRejected("f7", Reason.BAD_BLOCK);            // undefined
        assertRejected("f0", Reason.BAD_BLOCK);            // simple(16)
        assertRejected("f820", Reason.BAD_BLOCK);          // simple(32)
        assertRejected("ff", Reason.BAD_BLOCK);            // lone break
        assertRejected("1c", Reason.BAD_BLOCK);            // reserved additional info
        assertRejected("fb7ff8000000000000", Reason.BAD_BLOCK);  // NaN
        assertRejected("f97c00", Reason.BAD_BLOCK);        // +Infinity (half)
        assertRejected("a10101", Reason.BAD_BLOCK);        // integer map key
        assertRejected("a1616101616102", Reason.BAD_BLOCK); // duplicate key
        assertRejected("a162c32801", Reason.BAD_BLOCK);    // key not UTF-8
        assertRejected("0000", Reason.BAD_BLOCK);          // trailing bytes
        assertRejected("", Reason.TRUNCATED);
        assertRejected("82", Reason.TRUNCATED);
        assertRejected("19ff", Reason.TRUNCATED);
        assertRejected("6461", Reason.TRUNCATED);
        assertThatThrownBy(() -> DagCbor.encode(Node.floating(Double.NaN))).isInstanceOf(IpldException.class);
        assertThatThrownBy(() -> DagCbor.encode(Node.floating(Double.POSITIVE_INFINITY))).isInstanceOf(IpldException.class);
    }

    @Test
    void hostileLengthsFailWithoutAllocating() {
        assertRejected("9bffffffffffffffff", Reason.TOO_LARGE);
        assertRejected("9a7fffffff", Reason.TOO_LARGE);
        assertRejected("9a000fffff00", Reason.TRUNCATED);
        assertRejected("bb00000000ffffffff", Reason.TOO_LARGE);
        assertRejected("5b7fffffffffffffff", Reason.TRUNCATED);
        assertRejected("7affffffff", Reason.TRUNCATED);
        assertRejected("5affffffff00", Reason.TRUNCATED);
        // a list of 3 declared on 2 remaining bytes
        assertRejected("830101", Reason.TRUNCATED);
        // a map of 2 entries needs at least 4 bytes
        assertRejected("a2616101", Reason.TRUNCATED);
        DagCbor.Limits tight = new DagCbor.Limits(8, 3);
        assertThatThrownBy(() -> DagCbor.decode(hex("8401020304"), 0, 5, tight))
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(DagCbor.decode(hex("83010203"), 0, 4, tight).size()).isEqualTo(3);
    }

    @Test
    void deepNestingIsBoundedNotAStackOverflow() {
        byte[] deep = new byte[200_000];
        java.util.Arrays.fill(deep, (byte) 0x81);
        deep[deep.length - 1] = 0x01;
        assertRejected(Multibase.hex(deep), Reason.TOO_LARGE);
        byte[] deepMaps = new byte[300_000];
        for (int i = 0; i < deepMaps.length - 2; i += 3) {
            deepMaps[i] = (byte) 0xa1;
            deepMaps[i + 1] = 0x61;
            deepMaps[i + 2] = 0x61;
        }
        assertThatThrownBy(() -> DagCbor.decode(deepMaps)).isInstanceOf(IpldException.class)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.TOO_LARGE);
        // skip() is iterative: it walks deep input without recursion
        CborReader r = new CborReader(deep);
        r.skip();
        assertThat(r.hasRemaining()).isFalse();
        // 512 levels decode; encoding a value nested deeper than the limit is refused
        byte[] ok = new byte[513];
        java.util.Arrays.fill(ok, (byte) 0x81);
        ok[512] = 0x01;
        assertThat(DagCbor.encode(DagCbor.decode(ok))).isEqualTo(ok);
        Node tooDeep = Node.integer(1);
        for (int i = 0; i < 600; i++) {
            tooDeep = Node.list(tooDeep);
        }
        Node td = tooDeep;
        assertThatThrownBy(() -> DagCbor.encode(td)).isInstanceOf(IpldException.class);
    }

    @Test
    void accessorsOfTheWrongKindFailWithBadBlock() {
        Node n = DagCbor.decode(hex("a1616101"));
        assertThat(n.get("missing")).isNull();
        assertThatThrownBy(() -> n.require("missing")).extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.BAD_BLOCK);
        assertThatThrownBy(() -> n.get("a").asString()).extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.BAD_BLOCK);
        assertThatThrownBy(() -> n.get(0)).extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.BAD_BLOCK);
        assertThatThrownBy(() -> Node.list().get(0)).extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.BAD_BLOCK);
        assertThatThrownBy(() -> Node.mapBuilder().put("a", 1).put("a", 2)).isInstanceOf(IpldException.class);
        assertThat(Node.mapBuilder().put("b", 1).put("a", "x").build().entries().keySet()).containsExactly("b", "a");
    }

    @Test
    void readerAndWriterHandleStructsField() {
        Cid cid = Cid.of(Multicodec.DAG_CBOR, new byte[] {7});
        CborWriter w = new CborWriter();
        w.writeArrayHeader(9).writeUint(-1L).writeInt(-5).writeFilBigInt(BigInteger.valueOf(222)).writeFilBigInt(BigInteger.ZERO)
                .writeFilBigInt(BigInteger.valueOf(-1)).writeText("hé").writeCid(cid).writeNull().writeMapHeader(1)
                .writeText("k").writeBool(true);
        byte[] b = w.toByteArray();
        assertThat(Multibase.hex(b)).startsWith("891bffffffffffffffff24" + "4200de" + "40" + "420101" + "6368c3a9" + "d82a");
        CborReader r = new CborReader(b);
        assertThat(r.peekMajorType()).isEqualTo(CborReader.MAJOR_ARRAY);
        assertThat(r.readArrayHeader()).isEqualTo(9);
        assertThat(r.readUint()).isEqualTo(-1L);
        assertThat(r.readInt()).isEqualTo(-5);
        assertThat(r.readFilBigInt()).isEqualTo(222);
        assertThat(r.readFilBigInt()).isZero();
        assertThat(r.readFilBigInt()).isEqualTo(-1);
        assertThat(r.readText()).isEqualTo("hé");
        assertThat(r.readCid()).isEqualTo(cid);
        assertThat(r.isNull()).isTrue();
        r.readNull();
        int at = r.position();
        assertThat(r.readRaw()).isEqualTo(hex("a1616bf5"));
        assertThat(r.position()).isEqualTo(at + 4);
        r.expectEnd();
        assertThatThrownBy(r::readBool).extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.TRUNCATED);

        CborReader bad = new CborReader(hex("1bffffffffffffffff"));
        assertThatThrownBy(bad::readInt).extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(new CborReader(hex("1bffffffffffffffff")).readBigInt()).isEqualTo(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
        assertThat(new CborReader(hex("3bffffffffffffffff")).readBigInt()).isEqualTo(BigInteger.ONE.shiftLeft(64).negate());
        assertThat(new CborReader(hex("c24101")).readBigInt()).isEqualTo(1);
        assertThatThrownBy(() -> new CborReader(hex("420201")).readFilBigInt()).extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.BAD_BLOCK);
        assertThatThrownBy(() -> new CborReader(hex("6161")).readBytes()).extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.BAD_BLOCK);
        assertThatThrownBy(() -> new CborReader(hex("c1")).readCid()).isInstanceOf(IpldException.class);
        assertThatThrownBy(() -> new CborWriter().writeFilBigInt(BigInteger.ONE.shiftLeft(1100))).isInstanceOf(IpldException.class);
        assertThat(new CborWriter().writeBigInt(BigInteger.valueOf(-1)).toByteArray()).isEqualTo(hex("20"));
        assertThat(Multibase.hex(new CborWriter().writeFloat64(0.0).toByteArray())).isEqualTo("fb0000000000000000");
        assertThat(new CborReader(hex("fb3ff8000000000000")).readFloat()).isEqualTo(1.5);
    }

    @Test
    void streamingWriterMatchesTheArrayWriter() {
        byte[] big = venus.retrieval.ipld.testing.Vectors.xorshift(3, 100_000);
        Node n = Node.list(Node.bytes(big), Node.string("tail"), Node.bytes(new byte[9000]), Node.integer(5));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CborWriter w = new CborWriter(out);
        for (int i = 0; i < 3; i++) {
            w.writeNode(n);
        }
        w.flush();
        byte[] one = DagCbor.encode(n);
        byte[] all = out.toByteArray();
        assertThat(all.length).isEqualTo(3 * one.length);
        CborReader r = new CborReader(all);
        for (int i = 0; i < 3; i++) {
            assertThat(r.readNode()).isEqualTo(n);
        }
        r.expectEnd();
        assertThatThrownBy(w::toByteArray).isInstanceOf(IllegalStateException.class);
    }
}
