package venus.retrieval.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.testing.Interop;
import venus.retrieval.ipld.testing.Vectors;

/**
 * Independent clients against the gateway: {@code @helia/verified-fetch} (our gateway as its only
 * trustless gateway) fetches and verifies files and directory paths, {@code @ipld/car} re-reads
 * every CAR response, and curl checks headers, ranges and HTTP/2 (h2c and h2 over TLS).
 */
class GatewayInteropIT {
    static final String SITE = TrustlessGatewayTest.SITE;
    static final String HAMT = TrustlessGatewayTest.HAMT;
    static final String BALANCED = TrustlessGatewayTest.BALANCED;

    @TempDir
    static Path tmp;

    static VectorStore store;
    static GatewayServer server;
    static GatewayServer tls;

    @BeforeAll
    static void start() throws Exception {
        List<String> cars = new ArrayList<>(List.of("unixfs/dir-site.car", "unixfs/dir-hamt-1200.car", "car/mixed-two-roots.car"));
        for (JsonNode f : Vectors.manifest().get("unixfs")) {
            cars.add(f.get("car").asText());
        }
        store = VectorStore.of(cars.toArray(String[]::new));
        IpldGatewayBackend backend = new IpldGatewayBackend(store::get);
        server = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0), backend, FreePaymentGate.INSTANCE).start();
        Path[] pem = TestTls.selfSigned(tmp);
        tls = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0).withTls(pem[0], pem[1]), backend,
                FreePaymentGate.INSTANCE).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        tls.close();
    }

    static String sha256(byte[] b) throws Exception {
        return Multibase.hex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void verifiedFetchAndCarReaderAgree() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec = json.createObjectNode();
        ArrayNode fetches = spec.putArray("fetches");
        for (JsonNode f : Vectors.manifest().get("unixfs")) {
            byte[] content = Vectors.xorshift(f.get("seed").asLong(), f.get("size").asInt());
            fetches.addObject().put("url", "ipfs://" + f.get("root").asText()).put("sha256", sha256(content)).put("size", content.length);
        }
        for (JsonNode f : Vectors.manifest().get("directories").get(0).get("files")) {
            StringBuilder p = new StringBuilder();
            for (String seg : f.get("path").asText().split("/")) {
                p.append('/').append(PathCodec.encode(seg));
            }
            fetches.addObject().put("url", "ipfs://" + SITE + p).put("sha256", f.get("sha256").asText()).put("size", f.get("size").asInt());
        }
        for (int i : new int[] {0, 42, 1199}) {
            byte[] text = ("file number " + i + " seed 1000\n").getBytes(StandardCharsets.UTF_8);
            fetches.addObject().put("url", String.format("ipfs://%s/entry-%05d.txt", HAMT, i)).put("sha256", sha256(text)).put("size", text.length);
        }
        ArrayNode cars = spec.putArray("cars");
        for (String path : List.of("/ipfs/" + SITE + "?format=car", "/ipfs/" + SITE + "/docs?format=car&dag-scope=entity",
                "/ipfs/" + HAMT + "?format=car", "/ipfs/" + HAMT + "?format=car&dag-scope=entity",
                "/ipfs/" + HAMT + "/entry-00042.txt?format=car", "/ipfs/" + BALANCED + "?format=car",
                "/ipfs/" + BALANCED + "?format=car&entity-bytes=65535:131072", "/ipfs/" + BALANCED + "?format=car&entity-bytes=-1:*",
                "/ipfs/" + BALANCED + "?format=car&dag-scope=block", "/ipfs/" + TrustlessGatewayTest.MIXED + "?format=car&car-dups=y",
                "/ipfs/QmZVjKibqd3B2y1443ttwcGtv4SAdiJnczM2n2GYxd65PE?format=car")) {
            RawHttp.Response r;
            try (RawHttp c = new RawHttp(server.port())) {
                r = c.get(path);
            }
            assertThat(r.status()).as(path).isEqualTo(200);
            VectorStore.Car car = VectorStore.parse(r.body());
            ObjectNode o = cars.addObject().put("path", path);
            ArrayNode roots = o.putArray("roots");
            car.roots().forEach(x -> roots.add(x.toString()));
            ArrayNode blocks = o.putArray("blocks");
            car.order().forEach(x -> blocks.add(x.toString()));
        }
        Path specFile = tmp.resolve("spec.json");
        json.writeValue(specFile.toFile(), spec);
        Interop.Result res = Interop.run(Duration.ofMinutes(4), "verified-fetch-check.mjs", server.url(), specFile.toString()).assertOk();
        assertThat(res.stdout()).contains("all checks passed");
        assertThat(res.stdout().lines().filter(l -> l.startsWith("verified-fetch ok")).count()).isEqualTo(fetches.size());
        assertThat(res.stdout().lines().filter(l -> l.startsWith("car ok")).count()).isEqualTo(cars.size());
    }

    /** Runs curl; returns {stdout, exit code}. */
    static String[] curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl timed out: " + cmd);
        }
        return new String[] {out, String.valueOf(p.exitValue())};
    }

    @Test
    void curlHeadersRangesAndHttp2() throws Exception {
        String base = server.url();
        // HTTP/1.1 headers of a raw block.
        String head = curl("-I", base + "/ipfs/" + SITE + "?format=raw")[0];
        assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-type: application/vnd.ipld.raw")
                .containsIgnoringCase("etag: \"" + SITE + ".raw\"").containsIgnoringCase("x-ipfs-path: /ipfs/" + SITE)
                .containsIgnoringCase("cache-control: public, max-age=29030400, immutable")
                .containsIgnoringCase("x-content-type-options: nosniff").containsIgnoringCase("access-control-allow-origin: *");
        // h2c with prior knowledge, and a range at a chunk edge.
        Path body = tmp.resolve("range.bin");
        String h2 = curl("--http2-prior-knowledge", "-D", "-", "-o", body.toString(), "-r", "65535-65536", base + "/ipfs/" + BALANCED)[0];
        assertThat(h2).startsWith("HTTP/2 206").containsIgnoringCase("content-range: bytes 65535-65536/1048577");
        byte[] all = Vectors.xorshift(1006, 1048577);
        assertThat(Files.readAllBytes(body)).containsExactly(all[65535], all[65536]);
        // h2c by upgrade.
        assertThat(curl("--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", base + "/ipfs/" + BALANCED)[0]).isEqualTo("2 200");
        // Whole file over h2c is byte-exact.
        Path whole = tmp.resolve("whole.bin");
        assertThat(curl("--http2-prior-knowledge", "-o", whole.toString(), "-w", "%{http_code}", base + "/ipfs/" + BALANCED)[0]).isEqualTo("200");
        assertThat(Files.readAllBytes(whole)).isEqualTo(all);
        // h2 over TLS (ALPN) and HTTP/1.1 over TLS.
        assertThat(curl("-k", "--http2", "-o", whole.toString(), "-w", "%{http_version} %{http_code}", tls.url() + "/ipfs/" + BALANCED)[0])
                .isEqualTo("2 200");
        assertThat(Files.readAllBytes(whole)).isEqualTo(all);
        assertThat(curl("-k", "--http1.1", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", tls.url() + "/ipfs/" + SITE + "/")[0])
                .isEqualTo("1.1 200");
        // CAR content type with its parameters over h2.
        assertThat(curl("--http2-prior-knowledge", "-D", "-", "-o", "/dev/null", base + "/ipfs/" + SITE + "?format=car")[0])
                .containsIgnoringCase("content-type: application/vnd.ipld.car; version=1; order=dfs; dups=n");
        // Hostile input reaches the server unnormalised and gets a clear status.
        assertThat(curl("--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", base + "/ipfs/" + SITE + "/../../etc/passwd")[0]).isEqualTo("400");
        assertThat(curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Big: " + "a".repeat(20000), base + "/ipfs/" + SITE + "/")[0])
                .isEqualTo("431");
        assertThat(curl("-o", "/dev/null", "-w", "%{http_code}", "-r", "5000000-6000000", base + "/ipfs/" + BALANCED)[0]).isEqualTo("416");
    }
}
