package venus.retrieval.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.ipld.unixfs.UnixFsBuilder;
import venus.retrieval.ipld.unixfs.UnixFsProfile;
import venus.retrieval.ipld.unixfs.UnixFsReader;

/** Path gateway: files with ranges, content types, directories, HAMT, dag-cbor, and hostile paths. */
class PathGatewayTest {
    static final String SITE = TrustlessGatewayTest.SITE;
    static final String HAMT = TrustlessGatewayTest.HAMT;
    static final String BALANCED = TrustlessGatewayTest.BALANCED;
    static final String MIXED = TrustlessGatewayTest.MIXED;
    static final String V0_3M = "QmZVjKibqd3B2y1443ttwcGtv4SAdiJnczM2n2GYxd65PE";
    static final byte[] BALANCED_BYTES = Vectors.xorshift(1006, 1048577);

    static VectorStore store;
    static GatewayServer server;
    static UnixFsReader unixfs;
    static Cid extras;

    @BeforeAll
    static void start() {
        store = VectorStore.of("unixfs/dir-site.car", "unixfs/dir-hamt-1200.car", "car/mixed-two-roots.car",
                "unixfs/file-1048577-v1-raw-64k-balanced-11.car", "unixfs/file-3158073-unixfs-v0-2015.car",
                "unixfs/file-1000-unixfs-v1-2025.car");
        // A directory for sniffing and symlinks (names without extensions).
        UnixFsBuilder b = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, store.blocks::put);
        extras = b.directory(List.of(
                new UnixFsBuilder.Entry("page", b.file("<!DOCTYPE html><html><body>hi</body></html>".getBytes(StandardCharsets.UTF_8))),
                new UnixFsBuilder.Entry("notes", b.file("just some text\n".getBytes(StandardCharsets.UTF_8))),
                new UnixFsBuilder.Entry("blob", b.file(new byte[] {0, 1, 2, 3, (byte) 0xff})),
                new UnixFsBuilder.Entry("image", b.file(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0})),
                new UnixFsBuilder.Entry("link", b.symlink("notes")),
                new UnixFsBuilder.Entry("Portugal%2C+España=Peninsula Ibérica.txt", b.file("olá\n".getBytes(StandardCharsets.UTF_8))))).cid();
        unixfs = new UnixFsReader(store::get);
        server = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0),
                new IpldGatewayBackend(store::get), FreePaymentGate.INSTANCE).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static RawHttp.Response get(String path, String... headers) throws Exception {
        try (RawHttp c = new RawHttp(server.port())) {
            return c.get(path, headers);
        }
    }

    static Cid at(String root, String path) {
        return unixfs.resolve(Cid.parse(root), path);
    }

    static String sha256(byte[] b) throws Exception {
        return Multibase.hex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void filesOfTheSiteMatchTheManifest() throws Exception {
        for (var f : Vectors.manifest().get("directories").get(0).get("files")) {
            String path = f.get("path").asText();
            StringBuilder enc = new StringBuilder();
            for (String seg : path.split("/")) {
                enc.append('/').append(PathCodec.encode(seg));
            }
            RawHttp.Response r = get("/ipfs/" + SITE + enc);
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.body()).hasSize(f.get("size").asInt());
            assertThat(sha256(r.body())).as(path).isEqualTo(f.get("sha256").asText());
            assertThat(r.header("Etag")).isEqualTo("\"" + at(SITE, path) + "\"");
            assertThat(r.header("Cache-Control")).isEqualTo("public, max-age=29030400, immutable");
            assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
            assertThat(r.header("X-Ipfs-Path")).isEqualTo("/ipfs/" + SITE + enc);
            assertThat(r.header("X-Ipfs-Roots").split(",")).hasSize(path.split("/").length + 1);
        }
        assertThat(get("/ipfs/" + SITE + "/index.html").header("Content-Type")).isEqualTo("text/html");
        assertThat(get("/ipfs/" + SITE + "/docs/readme.txt").header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(get("/ipfs/" + SITE + "/media/picture.png").header("Content-Type")).isEqualTo("image/png");
        assertThat(get("/ipfs/" + SITE + "/docs/deep/data.bin").header("Content-Type")).isEqualTo("application/octet-stream");
    }

    @Test
    void contentTypeBySniffingWhenTheNameSaysNothing() throws Exception {
        String d = "/ipfs/" + extras;
        assertThat(get(d + "/page").header("Content-Type")).isEqualTo("text/html");
        assertThat(get(d + "/notes").header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(get(d + "/blob").header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(get(d + "/image").header("Content-Type")).isEqualTo("image/png");
        // A bare CID of random bytes.
        assertThat(get("/ipfs/bafkreidxsdm6kwpdjqhwp7tx4lgrutbkikiydu7nbujamtlpgwsgvpjtiu").header("Content-Type"))
                .isEqualTo("application/octet-stream");
        // ?filename= decides the type and the disposition.
        RawHttp.Response named = get(d + "/blob?filename=data.json");
        assertThat(named.header("Content-Type")).isEqualTo("application/json");
        assertThat(named.header("Content-Disposition")).isEqualTo("inline; filename=\"data.json\"; filename*=UTF-8''data.json");
        assertThat(get(d + "/blob?filename=x.txt&download=true").header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"x.txt\"; filename*=UTF-8''x.txt");
        assertThat(get(d + "/notes?filename=na%C3%AFve%20file.txt").header("Content-Disposition"))
                .isEqualTo("inline; filename=\"na_ve file.txt\"; filename*=UTF-8''na%C3%AFve%20file.txt");
        RawHttp.Response link = get(d + "/link");
        assertThat(link.header("Content-Type")).isEqualTo("inode/symlink");
        assertThat(link.text()).isEqualTo("notes");
        // Names with %, + and = survive (the path's + is not a space).
        RawHttp.Response odd = get(d + "/Portugal%252C+Espa%C3%B1a=Peninsula%20Ib%C3%A9rica.txt");
        assertThat(odd.status()).isEqualTo(200);
        assertThat(odd.text()).isEqualTo("olá\n");
    }

    @Test
    void directoriesRedirectServeIndexOrList() throws Exception {
        RawHttp.Response redirect = get("/ipfs/" + SITE + "?x=1");
        assertThat(redirect.status()).isEqualTo(301);
        assertThat(redirect.header("Location")).isEqualTo("/ipfs/" + SITE + "/?x=1");
        RawHttp.Response index = get("/ipfs/" + SITE + "/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("Content-Type")).isEqualTo("text/html");
        assertThat(index.header("Etag")).isEqualTo("\"" + SITE + "\"");
        assertThat(index.header("X-Ipfs-Roots")).isEqualTo(SITE);
        assertThat(sha256(index.body())).isEqualTo("f530929641d2e44704738aa581f6f62d18a652854c75fbbca67c1d92a9f35977");
        assertThat(get("/ipfs/" + SITE + "/docs").header("Location")).isEqualTo("/ipfs/" + SITE + "/docs/");
        RawHttp.Response listing = get("/ipfs/" + SITE + "/docs/");
        assertThat(listing.status()).isEqualTo(200);
        assertThat(listing.header("Content-Type")).isEqualTo("text/html");
        assertThat(listing.header("Etag")).matches("\"DirIndex-.*_CID-" + at(SITE, "docs") + "\"");
        String html = listing.text();
        assertThat(html).contains("Index of").contains(">deep<").contains(">readme.txt<")
                .contains("href=\"/ipfs/" + SITE + "/docs/readme.txt\"")
                .contains("class=\"ipfs-hash\" translate=\"no\" href=\"/ipfs/" + at(SITE, "docs/readme.txt") + "?filename=readme.txt\"")
                .contains("16 B")
                .contains("<a href=\"/ipfs/" + SITE + "/docs/..\">..</a>");
        String extrasHtml = get("/ipfs/" + extras + "/").text();
        assertThat(extrasHtml).contains(">page<").contains(">link<").doesNotContain(">..<");
        // The CID link of an entry downloads under the entry's own name (its ?filename= is encoded once, not twice).
        String name = "Portugal%2C+España=Peninsula Ibérica.txt";
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("href=\"(/ipfs/[^\"?]+\\?filename=[^\"]*Peninsula[^\"]*)\"").matcher(extrasHtml);
        assertThat(m.find()).isTrue();
        RawHttp.Response byCid = get(m.group(1).replace("&amp;", "&"));
        assertThat(byCid.status()).isEqualTo(200);
        assertThat(byCid.header("Content-Disposition")).endsWith("filename*=UTF-8''" + PathCodec.encode(name));
        assertThat(get("/ipfs/" + SITE + "/docs/", "If-None-Match: " + listing.header("Etag")).status()).isEqualTo(304);
    }

    @Test
    void hamtDirectoryListsAndResolves() throws Exception {
        RawHttp.Response listing = get("/ipfs/" + HAMT + "/");
        assertThat(listing.status()).isEqualTo(200);
        String html = listing.text();
        for (int i = 0; i < 1200; i += 97) {
            assertThat(html).contains(String.format(">entry-%05d.txt<", i));
        }
        assertThat(html.split("class=\"ipfs-hash\" translate").length - 1).isEqualTo(1200);
        for (int i : new int[] {0, 1, 599, 1199}) {
            RawHttp.Response f = get(String.format("/ipfs/%s/entry-%05d.txt", HAMT, i));
            assertThat(f.text()).isEqualTo("file number " + i + " seed 1000\n");
            assertThat(f.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        }
        assertThat(get("/ipfs/" + HAMT + "/entry-99999.txt").status()).isEqualTo(404);
    }

    @Test
    void singleRangesAtChunkEdges() throws Exception {
        long size = BALANCED_BYTES.length;
        long[][] ranges = {{0, 0}, {65535, 65536}, {65536, 131071}, {131071, 131072}, {720895, 720896},
                {size - 1, size - 1}, {0, size - 1}, {1000, 300000}};
        for (long[] r : ranges) {
            RawHttp.Response res = get("/ipfs/" + BALANCED, "Range: bytes=" + r[0] + "-" + r[1]);
            assertThat(res.status()).isEqualTo(206);
            assertThat(res.header("Content-Range")).isEqualTo("bytes " + r[0] + "-" + r[1] + "/" + size);
            assertThat(res.body()).isEqualTo(Arrays.copyOfRange(BALANCED_BYTES, (int) r[0], (int) r[1] + 1));
        }
        RawHttp.Response suffix = get("/ipfs/" + BALANCED, "Range: bytes=-3");
        assertThat(suffix.header("Content-Range")).isEqualTo("bytes " + (size - 3) + "-" + (size - 1) + "/" + size);
        RawHttp.Response open = get("/ipfs/" + BALANCED, "Range: bytes=1048570-");
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(BALANCED_BYTES, 1048570, (int) size));
        RawHttp.Response beyond = get("/ipfs/" + BALANCED, "Range: bytes=1048000-99999999");
        assertThat(beyond.header("Content-Range")).isEqualTo("bytes 1048000-" + (size - 1) + "/" + size);
        // A v0 file (dag-pb leaves) across its 256 KiB chunk edge.
        byte[] v0 = Vectors.xorshift(1007, 3158073);
        RawHttp.Response e = get("/ipfs/" + V0_3M, "Range: bytes=262140-262150");
        assertThat(e.body()).isEqualTo(Arrays.copyOfRange(v0, 262140, 262151));
        assertThat(get("/ipfs/" + V0_3M).body()).isEqualTo(v0);
    }

    @Test
    void multipleRangesAreMultipartByteranges() throws Exception {
        RawHttp.Response r = get("/ipfs/" + BALANCED, "Range: bytes=0-9, 65530-65545, -5");
        assertThat(r.status()).isEqualTo(206);
        String type = r.header("Content-Type");
        assertThat(type).startsWith("multipart/byteranges; boundary=");
        String boundary = type.substring(type.indexOf('=') + 1);
        List<byte[]> parts = multipart(r.body(), boundary);
        assertThat(parts).hasSize(3);
        assertThat(parts.get(0)).isEqualTo(Arrays.copyOfRange(BALANCED_BYTES, 0, 10));
        assertThat(parts.get(1)).isEqualTo(Arrays.copyOfRange(BALANCED_BYTES, 65530, 65546));
        assertThat(parts.get(2)).isEqualTo(Arrays.copyOfRange(BALANCED_BYTES, 1048572, 1048577));
        assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).contains("Content-Range: bytes 65530-65545/1048577");
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().length));
    }

    /** Splits a multipart/byteranges body into part bodies (headers dropped). */
    static List<byte[]> multipart(byte[] body, String boundary) {
        String s = new String(body, StandardCharsets.ISO_8859_1);
        List<byte[]> out = new ArrayList<>();
        String delim = "\r\n--" + boundary;
        int i = s.indexOf(delim);
        while (i >= 0) {
            int headEnd = s.indexOf("\r\n\r\n", i + delim.length());
            int next = s.indexOf(delim, i + delim.length());
            if (headEnd < 0 || next < 0) {
                break;
            }
            out.add(s.substring(headEnd + 4, next).getBytes(StandardCharsets.ISO_8859_1));
            i = next;
        }
        return out;
    }

    @Test
    void absurdRangesGetClearAnswers() throws Exception {
        String f = "/ipfs/" + SITE + "/docs/readme.txt";
        RawHttp.Response out = get(f, "Range: bytes=100-200");
        assertThat(out.status()).isEqualTo(416);
        assertThat(out.header("Content-Range")).isEqualTo("bytes */16");
        assertThat(get(f, "Range: bytes=99999999999999999999999-1").status()).isEqualTo(200); // does not parse: ignored
        assertThat(get(f, "Range: bytes=5-2").status()).isEqualTo(200);
        assertThat(get(f, "Range: items=0-1").status()).isEqualTo(200);
        assertThat(get(f, "Range: bytes=-0").status()).isEqualTo(416);
        assertThat(get(f, "Range: bytes=" + "0-0,".repeat(40) + "0-0").status()).isEqualTo(416);
        assertThat(get(f, "Range: bytes=0-3").body()).isEqualTo(Arrays.copyOfRange(get(f).body(), 0, 4));
        // 32 overlapping whole-file ranges: one copy of the file, not 32.
        RawHttp.Response amp = get("/ipfs/" + BALANCED, "Range: bytes=" + "0-,".repeat(HttpRanges.MAX_RANGES - 1) + "0-");
        assertThat(amp.status()).isEqualTo(200);
        assertThat(amp.body()).isEqualTo(BALANCED_BYTES);
    }

    @Test
    void headAndConditionalRequestsOnFiles() throws Exception {
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response h = c.request("HEAD", "/ipfs/" + BALANCED);
            assertThat(h.status()).isEqualTo(200);
            assertThat(h.header("Content-Length")).isEqualTo("1048577");
            assertThat(h.header("Etag")).isEqualTo("\"" + BALANCED + "\"");
            assertThat(h.body()).isEmpty();
            RawHttp.Response nm = c.get("/ipfs/" + BALANCED, "If-None-Match: \"" + BALANCED + "\"");
            assertThat(nm.status()).isEqualTo(304);
            assertThat(c.get("/ipfs/" + BALANCED).body()).isEqualTo(BALANCED_BYTES);
        }
    }

    @Test
    void dagCborAndCodecFormats() throws Exception {
        byte[] block = store.get(Cid.parse(MIXED));
        RawHttp.Response r = get("/ipfs/" + MIXED);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("application/vnd.ipld.dag-cbor");
        assertThat(r.body()).isEqualTo(block);
        RawHttp.Response f = get("/ipfs/" + MIXED + "?format=dag-cbor");
        assertThat(f.header("Content-Type")).isEqualTo("application/vnd.ipld.dag-cbor");
        assertThat(f.body()).isEqualTo(block);
        assertThat(get("/ipfs/" + MIXED, "Accept: application/vnd.ipld.dag-cbor").body()).isEqualTo(block);
        // No codec conversion (IPIP-524): a mismatch is 406.
        assertThat(get("/ipfs/" + MIXED + "?format=dag-json").status()).isEqualTo(406);
        assertThat(get("/ipfs/" + MIXED + "?format=json").status()).isEqualTo(406);
        assertThat(get("/ipfs/" + SITE + "?format=dag-json").status()).isEqualTo(406);
        assertThat(get("/ipfs/" + SITE + "/docs/readme.txt?format=cbor").status()).isEqualTo(406);
        // Pathing through dag-cbor into a raw block gives that block's bytes as a file.
        RawHttp.Response through = get("/ipfs/" + MIXED + "/links/1");
        assertThat(through.body()).isEqualTo(store.get(Cid.parse("bafkreibqdllqd53acoq7dehjzhljkus2zcfplkqj7rcmmat2vrqh6wv3nu")));
        assertThat(get("/ipfs/" + MIXED + "/nested/n").status()).isEqualTo(501);
    }

    @Test
    void hostilePathsAreRefused() throws Exception {
        for (String p : List.of("/ipfs/" + SITE + "/../../etc/passwd", "/ipfs/" + SITE + "/docs/%2e%2e/index.html",
                "/ipfs/" + SITE + "/./index.html", "/ipfs/" + SITE + "/%2Fetc%2Fpasswd", "/ipfs/" + SITE + "/a%00b",
                "/ipfs/" + SITE + "/%E0%A4%A", "/ipfs/" + SITE + "/%C3%28", "/ipfs/", "/ipfs/../etc/passwd")) {
            RawHttp.Response r = get(p);
            assertThat(r.status()).as(p).isEqualTo(400);
        }
        for (String p : List.of("/etc/passwd", "/", "/ipfs", "/piecex/abc", "/ipfs" + "x".repeat(3000))) {
            assertThat(get(p).status()).as(p).isEqualTo(404);
        }
        assertThat(get("/ipns/example.com").status()).isEqualTo(501);
        assertThat(get("/ipfs/" + "a".repeat(9000)).status()).isEqualTo(414);
    }

    @Test
    void methodsOptionsAndCors() throws Exception {
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response post = c.request("POST", "/ipfs/" + SITE, "Content-Length: 3");
            // The body bytes follow; the server ignores them.
            assertThat(post.status()).isEqualTo(405);
            assertThat(post.header("Allow")).isEqualTo("GET, HEAD, OPTIONS");
        }
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response o = c.request("OPTIONS", "/ipfs/" + SITE);
            assertThat(o.status()).isEqualTo(200);
            assertThat(o.header("Allow")).isEqualTo("GET, HEAD, OPTIONS");
            assertThat(o.header("Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(o.header("Access-Control-Allow-Methods")).isEqualTo("GET, HEAD, OPTIONS");
            assertThat(o.header("Access-Control-Allow-Headers")).contains("Content-Type", "Range", "User-Agent", "X-Requested-With");
            assertThat(o.header("Access-Control-Expose-Headers")).contains("Content-Length", "Content-Range", "X-Chunked-Output",
                    "X-Stream-Output", "X-Ipfs-Path", "X-Ipfs-Roots");
            assertThat(o.header("Content-Length")).isEqualTo("0");
        }
        assertThat(get("/ipfs/bafkqabtimvwgy3yk/").header("Access-Control-Allow-Origin")).isEqualTo("*");
    }
}
