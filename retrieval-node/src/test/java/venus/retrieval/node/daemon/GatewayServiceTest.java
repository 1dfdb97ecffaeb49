package venus.retrieval.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportProgress;
import venus.retrieval.blockstore.ImportResult;
import venus.retrieval.blockstore.commp.CommPHasher;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.node.repo.RepoInit;

/** The gateway inside the daemon: served from imported pieces, URL in daemon.json, config keys, bind errors. */
class GatewayServiceTest {
    private static final List<String> PORT0 = List.of("api.listen=127.0.0.1:0", "gateway.listen=127.0.0.1:0",
            "libp2p.listen=/ip4/127.0.0.1/tcp/0", "daemon.shutdown_grace=1s");

    @TempDir
    Path tmp;

    Repo repo;
    Daemon daemon;
    String gateway;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void init() {
        repo = RepoInit.init(tmp.resolve("repo")).repo();
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.stop();
        }
    }

    private void start(List<String> sets) throws Exception {
        daemon = Daemon.start(repo, NodeConfig.load(repo.configFile(), Map.of(), sets));
        gateway = new ObjectMapper().readTree(repo.daemonJson().toFile()).get("gateway").asText();
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesImportedPiecesAndTheirBlocks() throws Exception {
        start(PORT0);
        assertThat(gateway).matches("http://127\\.0\\.0\\.1:[1-9]\\d*");
        ImportResult file = daemon.context().store().importPiece(Vectors.file("unixfs/file-1048577-unixfs-v1-2025.car"),
                ImportOptions.defaults().withCopy(true), ImportProgress.NONE);
        // A piece whose blocks are cached in LMDB, then its file removed: blocks still served, /piece/ is 404.
        Path siteCopy = tmp.resolve("site.car");
        Files.copy(Vectors.file("unixfs/dir-site.car"), siteCopy);
        ImportResult site = daemon.context().store().importPiece(siteCopy, ImportOptions.defaults().withCache(true), ImportProgress.NONE);
        Files.delete(siteCopy);

        HttpResponse<byte[]> whole = get("/ipfs/bafybeiacftqp4vjhb5aelbt76t7vpx64flvtz7ikieeezyckdlss4gpwma");
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(Vectors.xorshift(1006, 1048577));
        HttpResponse<byte[]> piece = get("/piece/" + file.piece().pieceCid());
        assertThat(piece.statusCode()).isEqualTo(200);
        assertThat(piece.headers().firstValue("Content-Type")).hasValue("application/piece");
        assertThat(CommPHasher.compute(piece.body()).cidV1()).isEqualTo(file.piece().pieceCid());
        assertThat(get("/piece/" + file.piece().pieceCidV2()).statusCode()).isEqualTo(200);

        HttpResponse<byte[]> index = get("/ipfs/bafybeico3ftrhbglzf46qejzpogtcqsscwyrovzb2pis6ehemxsl4fcbou/index.html");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).hasSize(32);
        HttpResponse<byte[]> cachedPiece = get("/piece/" + site.piece().pieceCid());
        assertThat(cachedPiece.statusCode()).isEqualTo(404);
        assertThat(new String(cachedPiece.body())).contains("cached without an unsealed piece file");

        assertThat(get("/ipfs/" + Cid.of(0x55, new byte[] {1, 2, 3})).statusCode()).isEqualTo(404);
        assertThat(get("/ipfs/bafkqaaa?format=raw").statusCode()).isEqualTo(200);

        String api = new ObjectMapper().readTree(repo.daemonJson().toFile()).get("api").asText();
        String metrics = http.send(HttpRequest.newBuilder(URI.create(api + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("vrn_gateway_requests_total").contains("vrn_gateway_open_connections");
    }

    @Test
    void gatewayPortInUseIsOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            assertThatThrownBy(() -> start(List.of("api.listen=127.0.0.1:0", "libp2p.listen=/ip4/127.0.0.1/tcp/0",
                    "gateway.listen=127.0.0.1:" + taken.getLocalPort())))
                    .isInstanceOf(NodeException.class)
                    .hasMessageStartingWith("gateway.listen: ")
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()))
                    .extracting(e -> ((NodeException) e).reason()).isEqualTo(NodeException.Reason.BIND_FAILED);
        }
        assertThat(repo.daemonJson()).doesNotExist();
    }

    @Test
    void gatewayKeysConfigureTheServer() {
        NodeConfig c = NodeConfig.load(repo.configFile(), Map.of(), List.of("gateway.listen=0.0.0.0:0",
                "gateway.max_concurrent_requests=7", "gateway.max_header_bytes=8KiB", "gateway.request_timeout=3s",
                "gateway.idle_timeout=9s", "gateway.max_http2_streams=5"));
        var g = GatewayService.gatewayConfig(c, repo.dir());
        assertThat(g.host()).isEqualTo("0.0.0.0");
        assertThat(g.maxConcurrentRequests()).isEqualTo(7);
        assertThat(g.maxHeaderBytes()).isEqualTo(8192);
        assertThat(g.requestTimeout()).hasSeconds(3);
        assertThat(g.idleTimeout()).hasSeconds(9);
        assertThat(g.maxHttp2Streams()).isEqualTo(5);
        assertThat(g.tls()).isFalse();
        NodeConfig half = NodeConfig.load(repo.configFile(), Map.of(), List.of("gateway.tls_cert=cert.pem"));
        assertThatThrownBy(() -> GatewayService.gatewayConfig(half, repo.dir())).isInstanceOf(NodeException.class)
                .hasMessage("config: gateway.tls_cert and gateway.tls_key must be set together");
        NodeConfig missing = NodeConfig.load(repo.configFile(), Map.of(), List.of("gateway.tls_cert=cert.pem", "gateway.tls_key=key.pem"));
        assertThatThrownBy(() -> GatewayService.gatewayConfig(missing, repo.dir())).isInstanceOf(NodeException.class)
                .hasMessageContaining("is not readable");
        assertThatThrownBy(() -> NodeConfig.load(repo.configFile(), Map.of(), List.of("gateway.max_concurrent_requests=0")))
                .isInstanceOf(NodeException.class).hasMessageContaining("gateway.max_concurrent_requests");
    }
}
