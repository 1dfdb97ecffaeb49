package venus.retrieval.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static venus.retrieval.node.testing.Launcher.PORT0;
import static venus.retrieval.node.testing.Launcher.awaitDaemonJson;
import static venus.retrieval.node.testing.Launcher.daemonArgs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.testing.Launcher;

/**
 * The real {@code bin/vrn daemon} as a subprocess: pieces imported through the admin API (directly
 * and by {@code vrn piece add} against the running daemon), fetched over HTTP, counted in
 * {@code /metrics}; tokens enforced; SIGTERM, restart, everything still there.
 */
class AdminApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final Launcher launcher = new Launcher();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void killLeftovers() {
        launcher.close();
    }

    private Process vrn(Path stdout, Path stderr, String... args) throws IOException {
        return launcher.start(stdout, stderr, args);
    }

    private String run(String... args) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = vrn(out, err, args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
        return Files.readString(out);
    }


    private Process daemon(Path repo, Path err) throws IOException {
        return vrn(null, err, daemonArgs(repo, PORT0));
    }

    private HttpResponse<String> rpc(String api, String token, String method, Object... params) throws Exception {
        Map<String, Object> call = Map.of("jsonrpc", "2.0", "id", 1, "method", method, "params", List.of(params));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + "/rpc/v0"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(call)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode result(String api, String token, String method, Object... params) throws Exception {
        HttpResponse<String> r = rpc(api, token, method, params);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.has("error")).as(r.body()).isFalse();
        return body.get("result");
    }

    private byte[] get(String url) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    private static double metric(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(series + " in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void piecesThroughTheApiSurviveARestart() throws Exception {
        Path repo = tmp.resolve("repo");
        String init = run("init", "--repo", repo.toString(), "--json");
        assertThat(JSON.readTree(init).get("paymentAddress").asText()).startsWith("f1"); // mainnet by default
        String read = Files.readString(repo.resolve("keystore/api-token-read")).trim();
        String write = Files.readString(repo.resolve("keystore/api-token-write")).trim();
        String admin = Files.readString(repo.resolve("keystore/api-token-admin")).trim();

        Path err = tmp.resolve("daemon.err");
        Process d = daemon(repo, err);
        JsonNode dj = awaitDaemonJson(repo, d, err);
        String api = dj.get("api").asText();
        String gateway = dj.get("gateway").asText();

        JsonNode fileVec = null;
        for (JsonNode u : Vectors.manifest().get("unixfs")) {
            if (u.get("name").asText().equals("file-1048577-unixfs-v1-2025")) {
                fileVec = u;
            }
        }
        Path car = Vectors.file(fileVec.get("car").asText());
        byte[] expected = Vectors.xorshift(fileVec.get("seed").asLong(), fileVec.get("size").asInt());

        // Tokens: none or a wrong one -> 401 before dispatch; read on a write method -> 403, nothing imported.
        assertThat(rpc(api, null, "VRN.PieceAdd", car.toString(), Map.of()).statusCode()).isEqualTo(401);
        assertThat(rpc(api, "not-a-token", "VRN.PieceList").statusCode()).isEqualTo(401);
        HttpResponse<String> denied = rpc(api, read, "VRN.PieceAdd", car.toString(), Map.of("copy", true));
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("VRN.PieceAdd needs 'write'");
        assertThat(rpc(api, read, "VRN.PieceRemove", "#1").statusCode()).isEqualTo(403);
        assertThat(result(api, read, "VRN.PieceList")).isEmpty();
        // A relative path is refused with a clear message.
        JsonNode rel = JSON.readTree(rpc(api, write, "VRN.PieceAdd", "relative.car", Map.of()).body());
        assertThat(rel.at("/error/message").asText()).contains("absolute path");

        // Import through the API: a copied piece, and `vrn piece add` which finds the daemon and uses the API.
        JsonNode added = result(api, write, "VRN.PieceAdd", car.toString(), Map.of("copy", true));
        String pieceCid = added.get("pieceCid").asText();
        assertThat(added.get("state").asText()).isEqualTo("ready");
        assertThat(added.get("copied").asBoolean()).isTrue();
        assertThat(added.get("alreadyPresent").asBoolean()).isFalse();
        String cliOut = run("piece", "add", Vectors.file("unixfs/dir-site.car").toString(), "--repo", repo.toString(), "--json");
        JsonNode cli = JSON.readTree(cliOut);
        assertThat(cli.get("alreadyPresent").asBoolean()).isFalse();
        String sitePiece = cli.get("pieceCid").asText();
        JsonNode again = result(api, write, "VRN.PieceAdd", car.toString(), Map.of());
        assertThat(again.get("alreadyPresent").asBoolean()).isTrue();

        assertThat(result(api, read, "VRN.PieceList")).hasSize(2);
        assertThat(result(api, read, "VRN.PieceInfo", pieceCid).get("blocks").asLong()).isEqualTo(added.get("blocks").asLong());
        JsonNode verified = result(api, read, "VRN.PieceVerify", pieceCid);
        assertThat(verified.get("ok").asBoolean()).as(verified.toString()).isTrue();
        JsonNode missing = JSON.readTree(rpc(api, read, "VRN.PieceInfo", "baga6ea4seaqphxnjbm3eep255czfw3gofqimnjgz56gft2dyk42qbl6utf6wqjq").body());
        assertThat(missing.at("/error/message").asText()).startsWith("no piece ");

        // Fetch over HTTP, then the metrics count it.
        String root = fileVec.get("root").asText();
        assertThat(get(gateway + "/ipfs/" + root)).isEqualTo(expected);
        JsonNode site = Vectors.manifest().get("directories").get(0);
        assertThat(get(gateway + "/ipfs/" + site.get("root").asText() + "/index.html")).hasSize(site.get("files").get(0).get("size").asInt());
        // The gateway reports delivered bytes once the last write settled, just after the client has them.
        String metrics = new String(get(api + "/metrics"), StandardCharsets.UTF_8);
        for (int i = 0; i < 200 && metric(metrics, "vrn_served_bytes_total{protocol=\"gateway\"}") < expected.length; i++) {
            Thread.onSpinWait();
            metrics = new String(get(api + "/metrics"), StandardCharsets.UTF_8);
        }
        assertThat(metric(metrics, "vrn_served_bytes_total{protocol=\"gateway\"}")).isGreaterThanOrEqualTo(expected.length);
        assertThat(metric(metrics, "vrn_served_requests_total{protocol=\"gateway\"}")).isGreaterThanOrEqualTo(2);
        assertThat(metric(metrics, "vrn_import_pieces_total")).isEqualTo(2);
        assertThat(metric(metrics, "vrn_import_bytes_total")).isGreaterThanOrEqualTo(Files.size(car));
        assertThat(metric(metrics, "vrn_blocks_lookups_total")).isGreaterThan(0);
        assertThat(metric(metrics, "vrn_pieces")).isEqualTo(2);
        assertThat(metrics).contains("jvm_memory_used_bytes").contains("vrn_libp2p_connections")
                .contains("vrn_paych_received_attofil").contains("vrn_blocks_cache_hit_ratio")
                .contains("vrn_served_bytes_total{protocol=\"bitswap\"}");

        // Peers, asks, earnings, deals.
        try (Host client = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start()) {
            Connection c = client.connect(Multiaddr.parse(dj.get("libp2p").get(0).asText())).get(30, TimeUnit.SECONDS);
            c.identified().get(30, TimeUnit.SECONDS);
            JsonNode peers = result(api, read, "VRN.NetPeers");
            assertThat(peers.findValuesAsText("peerId")).contains(client.peerId().toString());
            assertThat(metric(new String(get(api + "/metrics"), StandardCharsets.UTF_8), "vrn_libp2p_connections")).isGreaterThanOrEqualTo(1);
        }
        JsonNode asks = result(api, read, "VRN.AskList");
        assertThat(asks.get(0).get("pricePerByte").asText()).isEqualTo("0");
        assertThat(asks.get(0).get("paymentAddress").asText()).startsWith("f1");
        assertThat(result(api, read, "VRN.Earnings").get("receivedAttoFil").asText()).isEqualTo("0");
        assertThat(result(api, read, "VRN.PaychList")).isEmpty();
        assertThat(result(api, read, "VRN.DealList").isArray()).isTrue();
        assertThat(result(api, read, "VRN.Traffic").get("vrn.served.bytes{gateway}").asDouble()).isGreaterThanOrEqualTo(expected.length);

        // SIGTERM, restart: the pieces and their bytes are still there.
        d.destroy();
        assertThat(d.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Path err2 = tmp.resolve("daemon2.err");
        Process d2 = daemon(repo, err2);
        JsonNode dj2 = awaitDaemonJson(repo, d2, err2);
        String api2 = dj2.get("api").asText();
        assertThat(result(api2, read, "VRN.PieceList").findValuesAsText("pieceCid")).containsExactlyInAnyOrder(pieceCid, sitePiece);
        assertThat(get(dj2.get("gateway").asText() + "/ipfs/" + root)).isEqualTo(expected);

        // `vrn piece rm` against the running daemon goes through the API.
        String rm = run("piece", "rm", sitePiece, "--repo", repo.toString());
        assertThat(rm).contains("removed piece " + sitePiece);
        assertThat(result(api2, read, "VRN.PieceList")).hasSize(1);
        assertThat(result(api2, admin, "VRN.Shutdown").asBoolean()).isTrue();
        assertThat(d2.waitFor(10, TimeUnit.SECONDS)).isTrue();

        for (Path log : List.of(err, err2)) {
            String text = Files.readString(log);
            for (String secret : List.of(read, write, admin)) {
                assertThat(text).doesNotContain(secret);
            }
            assertThat(text).doesNotContain("\tat ");
        }
    }
}
