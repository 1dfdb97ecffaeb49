package venus.retrieval.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import venus.retrieval.gateway.GatewayBackend.ByteSpan;

/** The gateway's pure parsers: Range, entity-bytes, path segments, format negotiation. */
class ParsingTest {

    @Property(seed = "42", tries = 300)
    void everySatisfiableRangeLiesInsideTheContent(@ForAll @LongRange(min = 1, max = 1L << 40) long size,
                                                   @ForAll @LongRange(min = 0, max = 1L << 41) long a,
                                                   @ForAll @LongRange(min = 0, max = 1L << 41) long b) {
        long first = Math.min(a, b);
        long last = Math.max(a, b);
        List<HttpRanges.Span> spans;
        try {
            spans = HttpRanges.parse("bytes=" + first + "-" + last, size);
        } catch (GatewayException e) {
            assertThat(first).isGreaterThanOrEqualTo(size);
            assertThat(e.reason()).isEqualTo(GatewayException.Reason.RANGE_NOT_SATISFIABLE);
            return;
        }
        assertThat(spans).hasSize(1);
        HttpRanges.Span s = spans.get(0);
        assertThat(s.first()).isEqualTo(first);
        assertThat(s.last()).isEqualTo(Math.min(last, size - 1));
        assertThat(s.length()).isPositive();
    }

    @Test
    void rangeForms() {
        assertThat(HttpRanges.parse(null, 10)).isNull();
        assertThat(HttpRanges.parse("bytes=-3", 31)).containsExactly(new HttpRanges.Span(28, 30));
        assertThat(HttpRanges.parse("bytes=-100", 31)).containsExactly(new HttpRanges.Span(0, 30));
        assertThat(HttpRanges.parse("bytes=5-", 31)).containsExactly(new HttpRanges.Span(5, 30));
        assertThat(HttpRanges.parse("BYTES= 0-0 , 2-3", 31)).containsExactly(new HttpRanges.Span(0, 0), new HttpRanges.Span(2, 3));
        assertThat(HttpRanges.parse("bytes=0-0, 40-50", 31)).containsExactly(new HttpRanges.Span(0, 0)); // the unsatisfiable one is dropped
        assertThat(HttpRanges.parse("bytes=3-1", 31)).isNull();
        assertThat(HttpRanges.parse("bytes=a-b", 31)).isNull();
        assertThat(HttpRanges.parse("bytes=1", 31)).isNull();
        assertThat(HttpRanges.parse("bytes=99999999999999999999-", 31)).isNull();
        assertThat(HttpRanges.parse("lines=1-2", 31)).isNull();
        assertThatThrownBy(() -> HttpRanges.parse("bytes=31-", 31)).isInstanceOf(GatewayException.class);
        assertThatThrownBy(() -> HttpRanges.parse("bytes=0-0", 0)).isInstanceOf(GatewayException.class);
        assertThatThrownBy(() -> HttpRanges.parse("bytes=-0", 31)).isInstanceOf(GatewayException.class);
    }

    @Test
    void emptyListElementsInARangeHeaderAreSkipped() {
        // RFC 9110 §5.6.1: a recipient must ignore empty list elements, not the whole header.
        assertThat(HttpRanges.parse("bytes=0-1,,5-6,", 31)).containsExactly(new HttpRanges.Span(0, 1), new HttpRanges.Span(5, 6));
        assertThat(HttpRanges.parse("bytes=, 3-4", 31)).containsExactly(new HttpRanges.Span(3, 4));
        // but a header with no range at all still does not parse: whole content
        assertThat(HttpRanges.parse("bytes=", 31)).isNull();
        assertThat(HttpRanges.parse("bytes= , ,", 31)).isNull();
    }

    @Test
    void overlappingRangesThatAddUpToMoreThanTheContentAreIgnored() {
        // 32 copies of the whole file would be a 32x amplification: serve the content once instead.
        assertThat(HttpRanges.parse("bytes=" + "0-,".repeat(HttpRanges.MAX_RANGES - 1) + "0-", 31)).isNull();
        assertThat(HttpRanges.parse("bytes=0-20, 10-30", 31)).isNull();
        assertThat(HttpRanges.parse("bytes=-31, -31", 31)).isNull();
        // Disjoint ranges, and ranges that add up to exactly the content, are still served as asked.
        assertThat(HttpRanges.parse("bytes=0-9, 20-29", 31)).containsExactly(new HttpRanges.Span(0, 9), new HttpRanges.Span(20, 29));
        assertThat(HttpRanges.parse("bytes=0-15, 16-30", 31)).hasSize(2);
    }

    @Test
    void entityBytesAsTheConformanceSuiteExpects() {
        // multiblock.txt of the conformance fixtures: 1026 bytes.
        assertThat(span("512:*", 1026)).isEqualTo(new ByteSpan(512, 1025));
        assertThat(span("512:1023", 1026)).isEqualTo(new ByteSpan(512, 1023));
        assertThat(span("512:-256", 1026)).isEqualTo(new ByteSpan(512, 770));
        assertThat(span("-5:*", 1026)).isEqualTo(new ByteSpan(1021, 1025));
        assertThat(span("-9999:*", 1026)).isEqualTo(new ByteSpan(0, 1025));
        assertThat(span("-9999:-3", 1026)).isEqualTo(new ByteSpan(0, 1023));
        assertThat(span("0:0", 1026)).isEqualTo(new ByteSpan(0, 0));
        assertThat(span("0:99999", 1026)).isEqualTo(new ByteSpan(0, 1025));
        assertThat(span("0:*", 0)).isNull();
        assertThatThrownBy(() -> span("2000:*", 1026)).isInstanceOf(GatewayException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> span("500:-1000", 1026)).isInstanceOf(GatewayException.class);
        for (String bad : List.of("", "1", "a:b", "1:", ":2", "5:3", "1:2:3", "0x1:2")) {
            assertThatThrownBy(() -> GatewayRoutes.parseEntityBytes(bad)).as(bad).isInstanceOf(GatewayException.class)
                    .extracting(e -> ((GatewayException) e).status()).isEqualTo(400);
        }
    }

    private static ByteSpan span(String p, long size) {
        return GatewayRoutes.entitySpan(GatewayRoutes.parseEntityBytes(p), size);
    }

    @Property(seed = "7", tries = 300)
    void pathSegmentsSurviveEncodeThenDecode(@ForAll @StringLength(min = 1, max = 40) String name) {
        if (name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0
                || name.chars().anyMatch(c -> Character.isSurrogate((char) c))) {
            return;
        }
        assertThat(PathCodec.segments("/" + PathCodec.encode(name) + "/")).containsExactly(name);
    }

    @Test
    void pathSegmentsRefuseTraversal() {
        assertThat(PathCodec.segments("/a//b/")).containsExactly("a", "b");
        assertThat(PathCodec.segments("/a+b/%2B")).containsExactly("a+b", "+");
        for (String bad : List.of("/..", "/a/../b", "/%2e%2E", "/.", "/a%2fb", "/%00", "/%zz", "/%4", "/%C3%28")) {
            assertThatThrownBy(() -> PathCodec.segments(bad)).as(bad).isInstanceOf(GatewayException.class)
                    .extracting(e -> ((GatewayException) e).status()).isEqualTo(400);
        }
        assertThat(PathCodec.disposition("inline", "naïve \"x\".txt"))
                .isEqualTo("inline; filename=\"na_ve _x_.txt\"; filename*=UTF-8''na%C3%AFve%20%22x%22.txt");
        // CR, LF and other controls from ?filename= can never end the header or start a new one.
        assertThat(PathCodec.disposition("attachment", "a\r\nSet-Cookie: x=1;\u0000.txt"))
                .isEqualTo("attachment; filename=\"a__Set-Cookie: x=1;_.txt\"; filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%3D1%3B%00.txt");
    }

    private static ResponseFormat format(String uri, String accept) {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        if (accept != null) {
            h.set("Accept", accept);
        }
        return ResponseFormat.negotiate(GatewayRequest.of("GET", uri, h, null, "http/1.1"));
    }

    @Test
    void formatNegotiation() {
        assertThat(format("/ipfs/x", null).kind()).isEqualTo(ResponseFormat.Kind.DEFAULT);
        assertThat(format("/ipfs/x", "text/html,*/*;q=0.8").kind()).isEqualTo(ResponseFormat.Kind.DEFAULT);
        ResponseFormat a = format("/ipfs/x", "application/vnd.ipld.car;version=1;order=dfs;dups=y, application/vnd.ipld.raw");
        assertThat(a.kind()).isEqualTo(ResponseFormat.Kind.CAR);
        assertThat(a.fromAccept()).isTrue();
        assertThat(a.dups()).isTrue();
        assertThat(format("/ipfs/x?format=raw", "application/vnd.ipld.car").kind()).isEqualTo(ResponseFormat.Kind.RAW);
        ResponseFormat b = format("/ipfs/x?format=car&car-dups=n", "application/vnd.ipld.car; dups=y");
        assertThat(b.dups()).isFalse();
        assertThat(b.fromAccept()).isFalse();
        assertThat(format("/ipfs/x?format=car", "application/vnd.ipld.car; dups=y").dups()).isTrue();
        assertThat(format("/ipfs/x", "application/vnd.ipld.car; order=unk").carContentType()).contains("order=dfs");
        assertThat(format("/ipfs/x?format=dag-json", null).kind()).isEqualTo(ResponseFormat.Kind.DAG_JSON);
        for (String[] bad : new String[][] {{"/ipfs/x?format=zip", null}, {"/ipfs/x", "application/vnd.ipld.car; version=2"},
                {"/ipfs/x?format=car&car-order=bfs", null}, {"/ipfs/x", "application/vnd.ipld.foo"}, {"/ipfs/x?format=tar", null}}) {
            assertThatThrownBy(() -> format(bad[0], bad[1])).as(bad[0] + " " + bad[1]).isInstanceOf(GatewayException.class);
        }
    }

    @Test
    void sniffing() {
        assertThat(MediaTypes.sniff(new byte[0], 0)).isEqualTo(MediaTypes.TEXT_PLAIN);
        byte[] html = "  \n<!doctype HTML><p>".getBytes();
        assertThat(MediaTypes.sniff(html, html.length)).isEqualTo("text/html");
        byte[] pdf = "%PDF-1.7".getBytes();
        assertThat(MediaTypes.sniff(pdf, pdf.length)).isEqualTo("application/pdf");
        assertThat(MediaTypes.sniff(new byte[] {1, 2, 3}, 3)).isEqualTo(MediaTypes.OCTET_STREAM);
        assertThat(MediaTypes.byName("a.TXT")).isEqualTo(MediaTypes.TEXT_PLAIN);
        assertThat(MediaTypes.byName("noext")).isNull();
        assertThat(MediaTypes.byName("dot.")).isNull();
    }
}
