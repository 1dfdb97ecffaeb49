package venus.retrieval.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import venus.retrieval.blockstore.commp.CommPHasher;
import venus.retrieval.gateway.GatewayBackend.FileSlice;
import venus.retrieval.gateway.GatewayBackend.PieceInfo;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;

/** {@code /piece/} (booster-http compatible) and zero-copy blocks that lie in piece files. */
class PieceGatewayTest {
    /** The manifest's piece made of the CAR file-1048577-unixfs-v1-2025.car. */
    static final String V1 = "baga6ea4seaqbmm63zjedvxuwqlr4l6msxwgan3p4vigzptg5x7szajuvrravudq";
    static final String V2 = "bafkzcibe5l6t4eawgpn4usb232lify6f7gjl3dag5x6kudmxzto37zmqe2kyyqk2by";
    static final String CACHED = "baga6ea4seaqphxnjbm3eep255czfw3gofqimnjgz56gft2dyk42qbl6utf6wqjq";
    static final long PADDED = 2097152;
    static final long UNPADDED = PADDED / 128 * 127;

    static GatewayServer server;
    static Path carFile;
    static byte[] car;
    static final Map<Cid, FileSlice> locations = new HashMap<>();
    static final Map<Cid, byte[]> blocks = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        carFile = Vectors.file("unixfs/file-1048577-unixfs-v1-2025.car");
        car = Files.readAllBytes(carFile);
        try (CarReader r = CarReader.open(carFile)) {
            for (CarBlock b : r) {
                blocks.put(b.cid(), b.data());
                locations.put(b.cid(), new FileSlice(carFile, b.dataOffset(), b.dataLength()));
            }
        }
        Map<Cid, PieceInfo> pieces = new HashMap<>();
        PieceInfo p = new PieceInfo(Cid.parse(V1), carFile, car.length, PADDED);
        pieces.put(Cid.parse(V1), p);
        pieces.put(Cid.parse(V2), p);
        pieces.put(Cid.parse(CACHED), new PieceInfo(Cid.parse(CACHED), null, 127, 128));
        GatewayBackend backend = new IpldGatewayBackend(blocks::get, cid -> Optional.ofNullable(pieces.get(cid)),
                cid -> Optional.ofNullable(locations.get(cid)));
        server = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0), backend, FreePaymentGate.INSTANCE).start();
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

    @Test
    void wholePieceIsTheUnpaddedPieceAndItsCommPMatches() throws Exception {
        for (String cid : new String[] {V1, V2}) {
            long zc = server.stats().zeroCopyBytes();
            RawHttp.Response r = get("/piece/" + cid);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("application/piece");
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(UNPADDED));
            assertThat(r.header("Etag")).isEqualTo("\"" + cid + "\"");
            assertThat(r.header("Cache-Control")).isEqualTo("public, max-age=29030400, immutable");
            assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
            assertThat(Arrays.copyOfRange(r.body(), 0, car.length)).isEqualTo(car);
            for (int i = car.length; i < r.body().length; i++) {
                if (r.body()[i] != 0) {
                    throw new AssertionError("non-zero padding at " + i);
                }
            }
            // The client can verify what it got: the bytes commit to the piece CID asked for.
            assertThat(CommPHasher.compute(r.body()).cidV1()).isEqualTo(Cid.parse(V1));
            assertThat(server.stats().zeroCopyBytes() - zc).isEqualTo(car.length);
        }
    }

    @Test
    void rangesHeadAndConditional() throws Exception {
        RawHttp.Response r = get("/piece/" + V1, "Range: bytes=0-99");
        assertThat(r.status()).isEqualTo(206);
        assertThat(r.header("Content-Range")).isEqualTo("bytes 0-99/" + UNPADDED);
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(car, 0, 100));
        // Across the end of the payload into the zero padding.
        int from = car.length - 10;
        RawHttp.Response edge = get("/piece/" + V1, "Range: bytes=" + from + "-" + (car.length + 9));
        byte[] want = new byte[20];
        System.arraycopy(car, from, want, 0, 10);
        assertThat(edge.body()).isEqualTo(want);
        RawHttp.Response tail = get("/piece/" + V1, "Range: bytes=-16");
        assertThat(tail.body()).isEqualTo(new byte[16]);
        assertThat(get("/piece/" + V1, "Range: bytes=" + UNPADDED + "-").status()).isEqualTo(416);
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response h = c.request("HEAD", "/piece/" + V1);
            assertThat(h.status()).isEqualTo(200);
            assertThat(h.header("Content-Length")).isEqualTo(String.valueOf(UNPADDED));
            assertThat(c.get("/piece/" + V1, "If-None-Match: \"" + V1 + "\"").status()).isEqualTo(304);
        }
    }

    @Test
    void unknownCachedAndMalformedPieces() throws Exception {
        RawHttp.Response cached = get("/piece/" + CACHED);
        assertThat(cached.status()).isEqualTo(404);
        assertThat(cached.text()).contains("cached without an unsealed piece file");
        assertThat(get("/piece/baga6ea4seaqjwnhwil2p3utjjew2ktndwge25gxrzgyfbyjec45fbrv37nimocq").status()).isEqualTo(404);
        assertThat(get("/piece/" + TrustlessGatewayTest.SITE).status()).isEqualTo(400);
        assertThat(get("/piece/not-a-cid").status()).isEqualTo(400);
        assertThat(get("/piece/").status()).isEqualTo(400);
        assertThat(get("/piece/" + V1 + "/extra").status()).isEqualTo(400);
    }

    @Test
    void rawBlocksInPieceFilesAreSentZeroCopy() throws Exception {
        Cid root = Cid.parse("bafybeiacftqp4vjhb5aelbt76t7vpx64flvtz7ikieeezyckdlss4gpwma");
        Cid leaf = null;
        for (Cid c : blocks.keySet()) {
            if (c.codec() == venus.retrieval.ipld.Multicodec.RAW) {
                leaf = c;
            }
        }
        long before = server.stats().zeroCopyBytes();
        RawHttp.Response raw = get("/ipfs/" + leaf + "?format=raw");
        assertThat(raw.body()).isEqualTo(blocks.get(leaf));
        RawHttp.Response file = get("/ipfs/" + leaf);
        assertThat(file.body()).isEqualTo(blocks.get(leaf));
        assertThat(server.stats().zeroCopyBytes() - before).isEqualTo(2L * blocks.get(leaf).length);
        // A whole multi-block file: its raw leaves go out as slices of the piece file.
        long beforeFile = server.stats().zeroCopyBytes();
        assertThat(get("/ipfs/" + root).body()).isEqualTo(Vectors.xorshift(1006, 1048577));
        assertThat(server.stats().zeroCopyBytes() - beforeFile).isEqualTo(1048577);
        // A range of it is read through the UnixFS reader (copied) and exact.
        RawHttp.Response part = get("/ipfs/" + root, "Range: bytes=1048570-1048576");
        assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(Vectors.xorshift(1006, 1048577), 1048570, 1048577));
        // Over HTTP/2 the same slices are copied, byte-exact.
        try (H2Client h2 = new H2Client(server.port())) {
            assertThat(h2.request("GET", "/ipfs/" + root, Map.of()).body()).isEqualTo(Vectors.xorshift(1006, 1048577));
        }
        // A v0 file (dag-pb leaves holding their data) through the same path.
        Cid v0 = Cid.parse("QmSFTYfAaLf9gng4V9UEWDwA9i8fFQC33HDCqPwmqNuQy5");
        try (CarReader r = CarReader.open(Vectors.file("unixfs/file-1048577-unixfs-v0-2015.car"))) {
            for (CarBlock b : r) {
                blocks.put(b.cid(), b.data());
            }
        }
        assertThat(get("/ipfs/" + v0).body()).isEqualTo(Vectors.xorshift(1006, 1048577));
    }
}
