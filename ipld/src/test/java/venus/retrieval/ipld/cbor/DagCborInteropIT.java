package venus.retrieval.ipld.cbor;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.json.DagJson;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.testing.Interop;

/**
 * @ipld/dag-cbor and @ipld/dag-json (JavaScript) decode what our encoders wrote and re-encode it
 * to the same bytes; what they encode, we decode and re-encode to the same bytes. Values stay inside what both data
 * models share: no non-UTF-8 strings, no bignums, no integral floats (JavaScript has one number type).
 */
class DagCborInteropIT {
    @Test
    void javascriptAgreesOnCanonicalBytes() throws Exception {
        List<byte[]> ours = new ArrayList<>();
        List<byte[]> oursJson = new ArrayList<>();
        Random rnd = new Random(42);
        for (int i = 0; i < 200; i++) {
            Node n = randomNode(rnd, 3);
            ours.add(DagCbor.encode(n));
            oursJson.add(DagJson.encode(n));
        }
        // our canonical re-encodings of the captured Filecoin messages
        ours.add(DagCbor.encode(DagCbor.decode(Multibase.unhex(CborVectorsTest.DT_PULL_REQUEST))));
        ours.add(DagCbor.encode(DagCbor.decode(Multibase.unhex(CborVectorsTest.DT_RESTART))));

        Path in = Files.createTempFile(Path.of("target"), "dagcbor", ".txt");
        StringBuilder sb = new StringBuilder();
        for (byte[] b : ours) {
            sb.append("cbor ").append(Multibase.hex(b)).append('\n');
        }
        for (byte[] b : oursJson) {
            sb.append("json ").append(Multibase.hex(b)).append('\n');
        }
        Files.writeString(in, sb.toString());
        Interop.Result res = Interop.run(Duration.ofSeconds(60), "dagcbor-check.mjs", in.toAbsolutePath().toString()).assertOk();
        List<String> lines = res.stdout().lines().toList();
        for (int i = 0; i < ours.size(); i++) {
            assertThat(lines.get(i)).as("value %d: %s", i, Multibase.hex(ours.get(i))).isEqualTo("ok");
        }
        for (int i = 0; i < oursJson.size(); i++) {
            assertThat(lines.get(ours.size() + i)).as("dag-json value %d: %s", i, new String(oursJson.get(i), StandardCharsets.UTF_8))
                    .isEqualTo("ok");
        }
        for (String s : lines.stream().filter(l -> l.startsWith("sample json ")).toList()) {
            byte[] js = Multibase.unhex(s.substring("sample json ".length()));
            assertThat(new String(DagJson.encode(DagJson.decode(js)), StandardCharsets.UTF_8)).isEqualTo(new String(js, StandardCharsets.UTF_8));
        }
        List<String> samples = lines.stream().filter(l -> l.startsWith("sample cbor ")).toList();
        assertThat(samples).hasSize(4);
        for (String s : samples) {
            byte[] js = Multibase.unhex(s.substring("sample cbor ".length()));
            assertThat(Multibase.hex(DagCbor.encode(DagCbor.decode(js)))).isEqualTo(Multibase.hex(js));
        }
        Files.deleteIfExists(in);
    }

    static Node randomNode(Random rnd, int depth) {
        int k = rnd.nextInt(depth == 0 ? 9 : 11);
        switch (k) {
            case 0: return Node.NULL;
            case 1: return Node.bool(rnd.nextBoolean());
            case 2: return Node.integer(rnd.nextInt(600) - 300);
            case 3: return Node.integer(rnd.nextLong() >> rnd.nextInt(64));
            case 4: return Node.integer(new BigInteger(64, rnd).negate().subtract(BigInteger.ONE).max(BigInteger.ONE.shiftLeft(64).negate()));
            case 5: return Node.floating((2 * rnd.nextInt(1000) - 999) / 8.0);
            case 6: return Node.string(randomText(rnd));
            case 7: {
                byte[] b = new byte[rnd.nextInt(40)];
                rnd.nextBytes(b);
                return Node.bytes(b);
            }
            case 8: {
                byte[] b = new byte[rnd.nextInt(20)];
                rnd.nextBytes(b);
                return Node.link(rnd.nextBoolean() ? Cid.of(Multicodec.DAG_CBOR, b) : Cid.of(Multicodec.RAW, b).toV1());
            }
            case 9: {
                List<Node> l = new ArrayList<>();
                for (int i = rnd.nextInt(5); i > 0; i--) {
                    l.add(randomNode(rnd, depth - 1));
                }
                return Node.list(l);
            }
            default: {
                Map<String, Node> m = new LinkedHashMap<>();
                for (int i = rnd.nextInt(6); i > 0; i--) {
                    m.put(randomText(rnd), randomNode(rnd, depth - 1));
                }
                return Node.map(m);
            }
        }
    }

    static String randomText(Random rnd) {
        String alphabet = "abcXYZ_/-é☃😀\u0000\"\\\n";
        StringBuilder sb = new StringBuilder();
        for (int i = rnd.nextInt(8); i > 0; i--) {
            int cp = alphabet.codePointAt(alphabet.offsetByCodePoints(0, rnd.nextInt(alphabet.codePointCount(0, alphabet.length()))));
            sb.appendCodePoint(cp);
        }
        return new String(sb.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
