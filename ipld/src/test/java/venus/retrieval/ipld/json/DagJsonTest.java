package venus.retrieval.ipld.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.IpldException.Reason;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;

class DagJsonTest {
    private static final Cid V0 = Cid.parse("QmTTA2daxGqo5denp6SwLzzkLJm3fuisYEi9CoWsuHpzfb");
    private static final Cid V1 = Cid.parse("bafyreifb2ddwo2qylh7bunghwoq2cbn42eglavadjhgiwi5o2wfvtdp6qa");

    static String enc(Node n) {
        return DagJson.encodeToString(n);
    }

    static void assertRejected(String json, Reason reason) {
        assertThatThrownBy(() -> DagJson.decode(json)).as(json).isInstanceOf(IpldException.class)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(reason);
    }

    @Test
    void scalars() {
        assertThat(enc(Node.NULL)).isEqualTo("null");
        assertThat(enc(Node.TRUE)).isEqualTo("true");
        assertThat(enc(Node.integer(-42))).isEqualTo("-42");
        assertThat(enc(Node.integer(BigInteger.TEN.pow(30)))).isEqualTo("1000000000000000000000000000000");
        assertThat(enc(Node.string("a\"b\\c\n\t\u0001\u007fé😀/"))).isEqualTo("\"a\\\"b\\\\c\\n\\t\\u0001\u007fé😀/\"");
        assertThat(DagJson.decode("\"a\\\"b\\\\c\\n\\t\\u0001\u007fé😀\\/\\ud83d\\ude00\\u00e9\"").asString())
                .isEqualTo("a\"b\\c\n\t\u0001\u007fé😀/😀é");
    }

    @Test
    void floatsKeepAFractionOrExponentAndFollowJavaScriptLayout() {
        Map<Double, String> cases = new LinkedHashMap<>();
        cases.put(1.5, "1.5");
        cases.put(-0.25, "-0.25");
        cases.put(100.0, "100.0");
        cases.put(0.0, "0.0");
        cases.put(-0.0, "-0.0");
        cases.put(1e300, "1e+300");
        cases.put(1e21, "1e+21");
        cases.put(1e20, "100000000000000000000.0");
        cases.put(1.2345e-7, "1.2345e-7");
        cases.put(0.000001, "0.000001");
        cases.put(123456789.125, "123456789.125");
        cases.put(Double.MIN_VALUE, "5e-324");
        cases.put(Double.MAX_VALUE, "1.7976931348623157e+308");
        cases.forEach((d, s) -> {
            assertThat(enc(Node.floating(d))).as("%s", d).isEqualTo(s);
            Node back = DagJson.decode(s);
            assertThat(back.kind()).isEqualTo(Kind.FLOAT);
            assertThat(back).isEqualTo(Node.floating(d));
        });
        assertThat(DagJson.decode("1E2").asDouble()).isEqualTo(100.0);
        assertThat(DagJson.decode("100").kind()).isEqualTo(Kind.INT);
        assertThatThrownBy(() -> enc(Node.floating(Double.NaN))).isInstanceOf(IpldException.class);
        assertThatThrownBy(() -> enc(Node.floating(Double.NEGATIVE_INFINITY))).isInstanceOf(IpldException.class);
    }

    @Test
    void linksAndBytesUseTheReservedNamespace() {
        assertThat(enc(Node.link(V1))).isEqualTo("{\"/\":\"" + V1 + "\"}");
        assertThat(enc(Node.link(V0))).isEqualTo("{\"/\":\"QmTTA2daxGqo5denp6SwLzzkLJm3fuisYEi9CoWsuHpzfb\"}");
        assertThat(enc(Node.bytes(new byte[] {0, 1, 2, (byte) 255}))).isEqualTo("{\"/\":{\"bytes\":\"AAEC/w\"}}");
        assertThat(enc(Node.bytes(new byte[0]))).isEqualTo("{\"/\":{\"bytes\":\"\"}}");
        assertThat(DagJson.decode(" { \"/\" : \"" + V1 + "\" } ")).isEqualTo(Node.link(V1));
        assertThat(DagJson.decode("{\"/\":{\"bytes\":\"AAEC/w\"}}").asBytes()).containsExactly(0, 1, 2, 255);
        assertThat(DagJson.decode("{\"/\":{\"bytes\":\"AAEC/w==\"}}").asBytes()).containsExactly(0, 1, 2, 255);
        // forms the spec rejects
        assertRejected("{\"/\":\"not-a-cid\"}", Reason.BAD_BLOCK);
        assertRejected("{\"/\":\"" + V1 + "\",\"x\":1}", Reason.BAD_BLOCK);
        assertRejected("{\"x\":1,\"/\":\"" + V1 + "\"}", Reason.BAD_BLOCK);
        assertRejected("{\"/\":{\"bytes\":\"AA\",\"z\":1}}", Reason.BAD_BLOCK);
        assertRejected("{\"/\":{\"bytes\":\"AA\"},\"z\":1}", Reason.BAD_BLOCK);
        assertRejected("{\"/\":{\"bytes\":\"!!\"}}", Reason.BAD_BLOCK);
        // and forms that stay plain maps
        assertThat(DagJson.decode("{\"/\":true,\"bar\":\"baz\"}").kind()).isEqualTo(Kind.MAP);
        assertThat(DagJson.decode("{\"/\":{\"bytes\":true}}").kind()).isEqualTo(Kind.MAP);
        assertThat(DagJson.decode("{\"/\":{\"abar\":\"baz\",\"bytes\":\"foo\"}}").kind()).isEqualTo(Kind.MAP);
        Node sortsBefore = DagJson.decode("{\".bar\":\"baz\",\"/\":\"foo\"}");
        assertThat(sortsBefore.get("/").asString()).isEqualTo("foo");
        assertThat(enc(sortsBefore)).isEqualTo("{\".bar\":\"baz\",\"/\":\"foo\"}");
        // the encoder refuses maps that would read back as a link or bytes
        assertThatThrownBy(() -> enc(Node.map(Map.of("/", Node.string("x"))))).isInstanceOf(IpldException.class)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.UNSUPPORTED);
        assertThatThrownBy(() -> enc(Node.map(Map.of("/", Node.string("x"), "a", Node.NULL)))).isInstanceOf(IpldException.class);
        assertThatThrownBy(() -> enc(Node.map(Map.of("/", Node.map(Map.of("bytes", Node.string("AA"))))))).isInstanceOf(IpldException.class);
        assertThat(enc(Node.map(Map.of("/", Node.TRUE)))).isEqualTo("{\"/\":true}");
    }

    @Test
    void mapKeysSortBytewiseByUtf8() {
        Map<String, Node> m = new LinkedHashMap<>();
        for (String k : List.of("bb", "é", "aaa", "a", "Z", "\uFFFD", "😀", "")) {
            m.put(k, Node.integer(k.length()));
        }
        // U+FFFD (ef bf bd) sorts before U+1F600 (f0 9f 98 80) in UTF-8, unlike UTF-16
        assertThat(enc(Node.map(m))).isEqualTo("{\"\":0,\"Z\":1,\"a\":1,\"aaa\":3,\"bb\":2,\"é\":1,\"\uFFFD\":1,\"😀\":2}");
        Node back = DagJson.decode("{\"b\":1, \"a\":2}");
        assertThat(back.entries().keySet()).containsExactly("b", "a");
        assertThat(enc(back)).isEqualTo("{\"a\":2,\"b\":1}");
    }

    @Test
    void numbersFollowTheJsonGrammar() {
        assertThat(DagJson.decode("18446744073709551615").asBigInteger()).isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(DagJson.decode("-9223372036854775808").asLong()).isEqualTo(Long.MIN_VALUE);
        assertThat(DagJson.decode("123456789012345678").asLong()).isEqualTo(123456789012345678L);
        assertThat(DagJson.decode("-0").asLong()).isZero();
        assertRejected("01", Reason.BAD_BLOCK);
        assertRejected("1.", Reason.TRUNCATED);
        assertRejected("1.e5", Reason.BAD_BLOCK);
        assertRejected("-", Reason.TRUNCATED);
        assertRejected("+1", Reason.BAD_BLOCK);
        assertRejected(".5", Reason.BAD_BLOCK);
        assertRejected("1e400", Reason.BAD_BLOCK);
        assertRejected("NaN", Reason.BAD_BLOCK);
        assertRejected("Infinity", Reason.BAD_BLOCK);
        assertRejected("1".repeat(101), Reason.TOO_LARGE);
    }

    @Test
    void malformedDocumentsFailWithIpldException() {
        assertRejected("", Reason.TRUNCATED);
        assertRejected("   ", Reason.TRUNCATED);
        assertRejected("[1,2", Reason.TRUNCATED);
        assertRejected("[1,]", Reason.BAD_BLOCK);
        assertRejected("{\"a\":1,}", Reason.BAD_BLOCK);
        assertRejected("{\"a\" 1}", Reason.BAD_BLOCK);
        assertRejected("{a:1}", Reason.BAD_BLOCK);
        assertRejected("{\"a\":1,\"a\":2}", Reason.BAD_BLOCK);
        assertRejected("\"abc", Reason.TRUNCATED);
        assertRejected("\"a\u0001\"", Reason.BAD_BLOCK);
        assertRejected("\"\\x\"", Reason.BAD_BLOCK);
        assertRejected("\"\\ud800\"", Reason.BAD_BLOCK);
        assertRejected("\"\\udc00\"", Reason.BAD_BLOCK);
        assertRejected("\"\\u12zz\"", Reason.BAD_BLOCK);
        assertRejected("\"\\u12", Reason.TRUNCATED);
        assertRejected("tru", Reason.TRUNCATED);
        assertRejected("nul!", Reason.BAD_BLOCK);
        assertRejected("1 2", Reason.BAD_BLOCK);
        assertRejected("[".repeat(1000) + "]".repeat(1000), Reason.TOO_LARGE);
        assertThatThrownBy(() -> DagJson.decode(new byte[] {'"', (byte) 0xc3, '"'})).isInstanceOf(IpldException.class)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.BAD_BLOCK);
        assertThatThrownBy(() -> enc(Node.stringBytes(Multibase.unhex("ff00")))).isInstanceOf(IpldException.class)
                .extracting(e -> ((IpldException) e).reason()).isEqualTo(Reason.UNSUPPORTED);
    }

    @Test
    void convertsToAndFromDagCbor() {
        String json = "{\"a\":[1,-2,1.5,null,true],\"b\":{\"/\":{\"bytes\":\"AQID\"}},\"c\":{\"/\":\"" + V1 + "\"},\"é\":\"x\"}";
        Node n = DagJson.decode(json);
        Node viaCbor = DagCbor.decode(DagCbor.encode(n));
        assertThat(viaCbor).isEqualTo(n);
        assertThat(DagJson.encode(viaCbor)).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
        assertThat(n.links()).containsExactly(V1);
    }
}
