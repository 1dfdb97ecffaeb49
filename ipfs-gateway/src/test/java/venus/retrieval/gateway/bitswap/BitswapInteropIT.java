package venus.retrieval.gateway.bitswap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.gateway.FreePaymentGate;
import venus.retrieval.gateway.GatewayConfig;
import venus.retrieval.gateway.GatewayRoutes;
import venus.retrieval.gateway.GatewayServer;
import venus.retrieval.gateway.IpldGatewayBackend;
import venus.retrieval.gateway.routing.DelegatedRouting;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Interop;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;

/**
 * Helia (js-libp2p, @helia/bitswap) against our Bitswap server: every UnixFS vector file fetched
 * concurrently and one by one, {@code dir-site} and the 1,200-entry HAMT listed, DONT_HAVE on the
 * wire for a CID we lack, and discovery through our delegated-routing endpoint alone.
 */
class BitswapInteropIT {
    static final String SITE = "bafybeico3ftrhbglzf46qejzpogtcqsscwyrovzb2pis6ehemxsl4fcbou";
    static final String HAMT = "bafybeiawy276pj4agtln7sw7imbbr4yj34ko4i63t6n4ljwcd2ogjclug4";

    @TempDir
    static Path tmp;

    static final MapBlockSource store = new MapBlockSource();
    static Host host;
    static BitswapServer server;
    static GatewayServer gateway;

    @BeforeAll
    static void start() throws Exception {
        List<String> cars = new ArrayList<>(List.of("unixfs/dir-site.car", "unixfs/dir-hamt-1200.car"));
        for (JsonNode f : Vectors.manifest().get("unixfs")) {
            cars.add(f.get("car").asText());
        }
        for (String car : cars) {
            try (CarReader r = CarReader.open(Vectors.file(car))) {
                for (CarBlock b : r) {
                    store.blocks.put(b.cid(), b.data());
                }
            }
        }
        host = Host.create(PeerIdentity.generate(), HostConfig.defaults());
        BitswapEngine engine = new BitswapEngine(store, null, BitswapPolicy.serveAll(), BitswapConfig.defaults());
        server = new BitswapServer(host, engine);
        host.start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        DelegatedRouting routing = new DelegatedRouting(new GatewayRoutes(new IpldGatewayBackend(store::get)), engine::offers,
                () -> List.of(new DelegatedRouting.ProviderRecord(host.peerId().toString(),
                        host.listenAddrs().stream().map(Multiaddr::toString).toList(), List.of("transport-bitswap"))));
        gateway = new GatewayServer(GatewayConfig.defaults().withListen("127.0.0.1", 0), routing, FreePaymentGate.INSTANCE).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        server.close();
        host.close();
    }

    static String sha256(byte[] b) throws Exception {
        return Multibase.hex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void heliaFetchesEveryVectorListsDirectoriesAndSeesDontHave() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec = json.createObjectNode();
        ArrayNode files = spec.putArray("files");
        for (JsonNode f : Vectors.manifest().get("unixfs")) {
            byte[] content = Vectors.xorshift(f.get("seed").asLong(), f.get("size").asInt());
            files.addObject().put("cid", f.get("root").asText()).put("sha256", sha256(content)).put("size", content.length);
        }
        assertThat(files.size()).isGreaterThanOrEqualTo(20);
        ArrayNode dirs = spec.putArray("dirs");
        Set<String> top = new LinkedHashSet<>();
        for (JsonNode f : Vectors.manifest().get("directories").get(0).get("files")) {
            top.add(f.get("path").asText().split("/")[0]);
        }
        ArrayNode site = dirs.addObject().put("cid", SITE).putArray("names");
        top.forEach(site::add);
        ArrayNode hamt = dirs.addObject().put("cid", HAMT).putArray("names");
        for (int i = 0; i < 1200; i++) {
            hamt.add(String.format("entry-%05d.txt", i));
        }
        Cid missing = Cid.of(Multicodec.RAW, "vrn does not hold this".getBytes());
        spec.put("missing", missing.toString());
        Path specFile = tmp.resolve("bitswap-spec.json");
        Files.write(specFile, json.writeValueAsBytes(spec));
        String target = host.listenAddrs().get(0).withPeerId(host.peerId()).toString();
        Interop.Result res = Interop.run(Duration.ofMinutes(5), "helia-bitswap.mjs", "direct", target, specFile.toString()).assertOk();
        assertThat(res.stdout()).contains("dont-have ok " + missing, "ls ok " + HAMT + " 1200 entries", "ls ok " + SITE);
        assertThat(res.stdout().lines().filter(l -> l.startsWith("concurrent ok")).count()).isEqualTo(files.size());
        assertThat(res.stdout().lines().filter(l -> l.startsWith("cat ok")).count()).isEqualTo(files.size());
    }

    @Test
    void heliaFindsUsThroughDelegatedRoutingOnly() throws Exception {
        JsonNode f = Vectors.manifest().get("unixfs").get(Vectors.manifest().get("unixfs").size() - 1);
        byte[] content = Vectors.xorshift(f.get("seed").asLong(), f.get("size").asInt());
        Interop.Result res = Interop.run(Duration.ofMinutes(3), "helia-bitswap.mjs", "routing", gateway.url(),
                f.get("root").asText(), sha256(content), Integer.toString(content.length)).assertOk();
        assertThat(res.stdout()).contains("routing found " + host.peerId(), "routing ok " + f.get("root").asText());
    }
}
