package venus.retrieval.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.api.ApiClient;
import venus.retrieval.node.api.ApiTokens;
import venus.retrieval.node.api.VrnApi;
import venus.retrieval.node.api.Permission;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.node.repo.RepoInit;

/** The daemon in-process: daemon.json, API auth and permissions, metrics, stop. */
class DaemonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    Repo repo;
    Daemon daemon;
    String api;
    ApiTokens tokens;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        repo = RepoInit.init(tmp.resolve("repo")).repo();
        Files.writeString(repo.daemonJson(), "{\"stale\":true}");
        daemon = Daemon.start(repo, NodeConfig.load(repo.configFile(), Map.of(),
                List.of("api.listen=127.0.0.1:0", "gateway.listen=127.0.0.1:0", "libp2p.listen=/ip4/127.0.0.1/tcp/0", "daemon.shutdown_grace=1s")));
        JsonNode dj = JSON.readTree(repo.daemonJson().toFile());
        api = dj.get("api").asText();
        tokens = ApiTokens.load(repo);
    }

    @AfterEach
    void stop() {
        daemon.stop();
    }

    private HttpResponse<String> rpc(String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + "/rpc/v0"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String token(Permission p) {
        return tokens.token(p).orElseThrow();
    }

    @Test
    void daemonJsonHasActualAddressesAndReplacesStaleFile() throws Exception {
        JsonNode dj = JSON.readTree(repo.daemonJson().toFile());
        List<String> fields = new java.util.ArrayList<>();
        dj.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("gateway", "api", "libp2p", "peerId", "pid");
        assertThat(dj.get("api").asText()).matches("http://127\\.0\\.0\\.1:\\d+").doesNotEndWith(":0");
        assertThat(dj.get("gateway").asText()).matches("http://127\\.0\\.0\\.1:\\d+").doesNotEndWith(":0");
        assertThat(dj.get("peerId").asText()).startsWith("12D3KooW");
        assertThat(dj.get("libp2p")).hasSize(1);
        assertThat(dj.get("libp2p").get(0).asText()).matches("/ip4/127\\.0\\.0\\.1/tcp/[1-9]\\d*/p2p/" + dj.get("peerId").asText());
        assertThat(dj.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(dj.has("stale")).isFalse();
    }

    @Test
    void missingOrBadTokenIs401BeforeDispatch() throws Exception {
        String call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VRN.Shutdown\",\"params\":[]}";
        assertThat(rpc(null, call).statusCode()).isEqualTo(401);
        assertThat(rpc("0123", call).statusCode()).isEqualTo(401);
        assertThat(rpc(token(Permission.ADMIN) + "x", call).statusCode()).isEqualTo(401);
        // Not even a malformed body is looked at without a token.
        assertThat(rpc(null, "{not json").statusCode()).isEqualTo(401);
        assertThat(repo.daemonJson()).exists(); // nothing was dispatched
    }

    @Test
    void readTokenCallsReadMethods() throws Exception {
        HttpResponse<String> r = rpc(token(Permission.READ), "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"VRN.Version\",\"params\":[]}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("id").asInt()).isEqualTo(7);
        assertThat(body.at("/result/version").asText()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(body.at("/result/network").asText()).isEqualTo("mainnet");
        JsonNode id = JSON.readTree(rpc(token(Permission.READ), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VRN.ID\"}").body());
        assertThat(id.at("/result/peerId").asText()).isEqualTo(JSON.readTree(repo.daemonJson().toFile()).get("peerId").asText());
        assertThat(id.at("/result/api").asText()).isEqualTo(api);
        JsonNode perms = JSON.readTree(rpc(token(Permission.WRITE), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VRN.AuthVerify\"}").body());
        assertThat(perms.get("result")).hasSize(2);
        assertThat(perms.get("result").toString()).isEqualTo("[\"read\",\"write\"]");
        JsonNode cfg = JSON.readTree(rpc(token(Permission.READ), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VRN.Config\"}").body());
        assertThat(cfg.at("/result/api.listen").asText()).isEqualTo("127.0.0.1:0");
    }

    @Test
    void insufficientPermissionIs403AndNothingRuns() throws Exception {
        String shutdown = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"VRN.Shutdown\"}";
        for (Permission p : List.of(Permission.READ, Permission.WRITE)) {
            HttpResponse<String> r = rpc(token(p), shutdown);
            assertThat(r.statusCode()).isEqualTo(403);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.at("/error/code").asInt()).isEqualTo(-32001);
            assertThat(body.at("/error/message").asText()).isEqualTo("permission denied: VRN.Shutdown needs 'admin'");
        }
        // A batch with one forbidden call is refused whole.
        HttpResponse<String> batch = rpc(token(Permission.READ), "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VRN.Version\"}," + shutdown + "]");
        assertThat(batch.statusCode()).isEqualTo(403);
        assertThat(repo.daemonJson()).exists();
    }

    @Test
    void jsonRpcErrors() throws Exception {
        String admin = token(Permission.ADMIN);
        JsonNode parse = JSON.readTree(rpc(admin, "{not json").body());
        assertThat(parse.at("/error/code").asInt()).isEqualTo(-32700);
        JsonNode unknown = JSON.readTree(rpc(admin, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VRN.Nope\"}").body());
        assertThat(unknown.at("/error/code").asInt()).isEqualTo(-32601);
        JsonNode batch = JSON.readTree(rpc(admin, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VRN.Version\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"VRN.ID\"}]").body());
        assertThat(batch).hasSize(2);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(api + "/rpc/v0"))
                .header("Authorization", "Bearer " + admin).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(api + "/nope")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(404);
    }

    @Test
    void apiClientFindsTheRunningDaemon() {
        ApiClient read = ApiClient.ofRunningDaemon(repo, Permission.READ).orElseThrow();
        assertThat(read.call(VrnApi.Version.class, "VRN.Version").network()).isEqualTo("mainnet");
        assertThatThrownBy(() -> read.call("VRN.Shutdown")).isInstanceOf(NodeException.class)
                .hasMessage("permission denied: VRN.Shutdown needs 'admin'");
        assertThatThrownBy(() -> read.call("VRN.Nope")).isInstanceOf(NodeException.class).hasMessageContaining("not found");
        assertThatThrownBy(() -> new ApiClient(api, "bad").call("VRN.Version")).hasMessageContaining("401");
        daemon.stop();
        assertThat(ApiClient.ofRunningDaemon(repo, Permission.READ)).isEmpty();
    }

    @Test
    void metricsNeedNoToken() throws Exception {
        assertThat(rpc(null, "{}").statusCode()).isEqualTo(401);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(r.body()).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
        assertThat(r.body()).contains("vrn_api_requests_total{path=\"/rpc/v0\",status=\"401\"} 1.0")
                .contains("vrn_libp2p_connections 0.0").contains("vrn_libp2p_streams 0.0")
                .contains("vrn_libp2p_streams_opened_total{direction=\"inbound\"} 0.0");
        // a peer connects and identifies: its identify stream is an inbound stream on the node
        try (Host client = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start()) {
            Connection c = client.connect(Multiaddr.parse(JSON.readTree(repo.daemonJson().toFile()).get("libp2p").get(0).asText()))
                    .get(30, TimeUnit.SECONDS);
            c.identified().get(30, TimeUnit.SECONDS);
            String body = http.send(HttpRequest.newBuilder(URI.create(api + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).containsPattern("vrn_libp2p_streams_opened_total\\{direction=\"inbound\"} [1-9]")
                    .contains("vrn_libp2p_connections 1.0");
        }
    }

    @Test
    void stopRemovesDaemonJsonAndReleasesLock() throws Exception {
        assertThatThrownBy(repo::lockForWrite).hasMessageContaining("is in use by another vrn process");
        assertThat(daemon.context().store().indexEntries()).isZero(); // storage is open while running
        daemon.stop();
        assertThatThrownBy(() -> daemon.context().store().indexEntries()).hasMessageContaining("closed"); // LMDB closed
        assertThat(repo.daemonJson()).doesNotExist();
        try (Repo.WriteLock l = repo.lockForWrite()) {
            assertThat(l.isValid()).isTrue();
        }
        daemon.stop(); // idempotent
    }

    @Test
    void shutdownMethodStopsTheDaemon() throws Exception {
        HttpResponse<String> r = rpc(token(Permission.ADMIN), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VRN.Shutdown\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("result").asBoolean()).isTrue();
        daemon.awaitStopped();
        assertThat(repo.daemonJson()).doesNotExist();
    }

    @Test
    void secondDaemonOnSameRepoIsRefused() {
        assertThatThrownBy(() -> Daemon.start(repo, NodeConfig.load(repo.configFile(), Map.of(), List.of("api.listen=127.0.0.1:0", "gateway.listen=127.0.0.1:0", "libp2p.listen=/ip4/127.0.0.1/tcp/0"))))
                .isInstanceOf(NodeException.class)
                .hasMessage("repository " + repo.dir() + " is in use by another vrn process (pid " + ProcessHandle.current().pid() + ")");
        assertThat(repo.daemonJson()).exists();
    }

    @Test
    void gatewayServesFromTheStore() throws Exception {
        String gw = JSON.readTree(repo.daemonJson().toFile()).get("gateway").asText();
        // An identity CID answers without storage; a missing block is a 404-class answer, not a crash.
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(gw + "/ipfs/bafkqaaa?format=raw")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void gatewayPortInUseIsOneLine() throws Exception {
        Repo other = RepoInit.init(tmp.resolve("other")).repo();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            String listen = "gateway.listen=127.0.0.1:" + taken.getLocalPort();
            assertThatThrownBy(() -> Daemon.start(other, NodeConfig.load(other.configFile(), Map.of(),
                    List.of(listen, "api.listen=127.0.0.1:0", "libp2p.listen=/ip4/127.0.0.1/tcp/0"))))
                    .isInstanceOf(NodeException.class)
                    .hasMessageStartingWith("gateway.listen: ")
                    .extracting(e -> ((NodeException) e).reason()).isEqualTo(NodeException.Reason.BIND_FAILED);
        }
        assertThat(other.daemonJson()).doesNotExist();
        try (Repo.WriteLock l = other.lockForWrite()) {
            assertThat(l.isValid()).isTrue();
        }
    }

    @Test
    void libp2pPortInUseIsOneLine() throws Exception {
        Repo other = RepoInit.init(tmp.resolve("other")).repo();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            String listen = "libp2p.listen=/ip4/127.0.0.1/tcp/" + taken.getLocalPort();
            assertThatThrownBy(() -> Daemon.start(other, NodeConfig.load(other.configFile(), Map.of(),
                    List.of(listen, "api.listen=127.0.0.1:0", "gateway.listen=127.0.0.1:0"))))
                    .isInstanceOf(NodeException.class)
                    .hasMessageStartingWith("libp2p.listen: ")
                    .hasMessageContaining("/ip4/127.0.0.1/tcp/" + taken.getLocalPort())
                    .extracting(e -> ((NodeException) e).reason()).isEqualTo(NodeException.Reason.BIND_FAILED);
        }
        assertThat(other.daemonJson()).doesNotExist();
    }

    @Test
    void portInUseIsOneLineAndLeavesNothingBehind() throws Exception {
        Repo other = RepoInit.init(tmp.resolve("other")).repo();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            String listen = "api.listen=127.0.0.1:" + taken.getLocalPort();
            assertThatThrownBy(() -> Daemon.start(other, NodeConfig.load(other.configFile(), Map.of(),
                    List.of(listen, "libp2p.listen=/ip4/127.0.0.1/tcp/0", "gateway.listen=127.0.0.1:0"))))
                    .isInstanceOf(NodeException.class)
                    .hasMessageStartingWith("api.listen 127.0.0.1:" + taken.getLocalPort() + ": ")
                    .hasMessageContaining("in use")
                    .extracting(e -> ((NodeException) e).reason()).isEqualTo(NodeException.Reason.BIND_FAILED);
        }
        assertThat(other.daemonJson()).doesNotExist();
        try (Repo.WriteLock l = other.lockForWrite()) {
            assertThat(l.isValid()).isTrue();
        }
    }
}
