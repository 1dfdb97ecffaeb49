package venus.retrieval.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static venus.retrieval.node.testing.Launcher.PORT0;
import static venus.retrieval.node.testing.Launcher.awaitDaemonJson;
import static venus.retrieval.node.testing.Launcher.daemonArgs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.testing.Launcher;

/** The real launcher: {@code bin/vrn init}, {@code bin/vrn daemon} as a subprocess, SIGTERM. */
class DaemonIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final Launcher launcher = new Launcher();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void killLeftovers() {
        launcher.close();
    }

    private Process vrn(Path stderr, String... args) throws IOException {
        return launcher.start(null, stderr, args);
    }

    private Path init() throws Exception {
        Path repo = tmp.resolve("repo");
        Process p = vrn(tmp.resolve("init.err"), "init", "--repo", repo.toString());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("init.err"))).isZero();
        return repo;
    }


    private static String stderrLines(Path f) throws IOException {
        return Files.readString(f, StandardCharsets.UTF_8);
    }

    @Test
    void daemonServesApiAndMetricsAndStopsOnSigterm() throws Exception {
        Path repo = init();
        Path err = tmp.resolve("daemon.err");
        Process d = vrn(err, daemonArgs(repo, PORT0));
        JsonNode dj = awaitDaemonJson(repo, d, err);
        assertThat(dj.get("pid").asLong()).isEqualTo(d.pid()); // bin/vrn execs java
        assertThat(dj.get("peerId").asText()).startsWith("12D3KooW");
        // The libp2p address in daemon.json is dialable: connect, check the peer id, ping.
        String p2p = dj.get("libp2p").get(0).asText();
        assertThat(p2p).matches("/ip4/127\\.0\\.0\\.1/tcp/[1-9]\\d*/p2p/" + dj.get("peerId").asText());
        try (Host client = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start()) {
            Connection c = client.connect(Multiaddr.parse(p2p)).get(30, TimeUnit.SECONDS);
            assertThat(c.remotePeer().toString()).isEqualTo(dj.get("peerId").asText());
            assertThat(client.ping(c).get(30, TimeUnit.SECONDS).isNegative()).isFalse();
        }
        String api = dj.get("api").asText();
        assertThat(api).matches("http://127\\.0\\.0\\.1:[1-9]\\d*");
        String gateway = dj.get("gateway").asText();
        assertThat(gateway).matches("http://127\\.0\\.0\\.1:[1-9]\\d*");
        HttpResponse<byte[]> raw = http.send(HttpRequest.newBuilder(URI.create(gateway + "/ipfs/bafkqaaa?format=raw")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(raw.statusCode()).isEqualTo(200);

        String call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"VRN.Version\",\"params\":[]}";
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(api + "/rpc/v0")).POST(HttpRequest.BodyPublishers.ofString(call));
        assertThat(http.send(req.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        String token = Files.readString(repo.resolve("keystore/api-token-admin")).trim();
        HttpResponse<String> ok = http.send(req.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).at("/result/version").asText()).isEqualTo("0.1.0-SNAPSHOT");

        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(api + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes");

        d.destroy(); // SIGTERM
        assertThat(d.waitFor(10, TimeUnit.SECONDS)).as("exited within 10 s of SIGTERM").isTrue();
        assertThat(repo.resolve("daemon.json")).doesNotExist();
        String log = stderrLines(err);
        assertThat(log).contains("api listening on " + api).contains("gateway listening on " + gateway)
                .contains("libp2p listening on ").contains("vrn daemon stopped");
        assertThat(log.lines().filter(l -> l.contains(" listening on "))).hasSize(3); // one line per address
        assertThat(log).doesNotContain(token);
        for (String t : List.of("read", "write")) {
            assertThat(log).doesNotContain(Files.readString(repo.resolve("keystore/api-token-" + t)).trim());
        }
        assertThat(log).doesNotContain("Exception").doesNotContain("\tat ");

        // Restart on the same repository: same identity, a fresh daemon.json naming the new process.
        Path err2 = tmp.resolve("daemon2.err");
        Process again = vrn(err2, daemonArgs(repo, PORT0));
        JsonNode dj2 = awaitDaemonJson(repo, again, err2);
        assertThat(dj2.get("peerId").asText()).isEqualTo(dj.get("peerId").asText());
        assertThat(dj2.get("pid").asLong()).isEqualTo(again.pid());
        // `vrn stop` asks it to stop through the API and waits until the repository is free.
        Process stop = vrn(tmp.resolve("stop.err"), "stop", "--repo", repo.toString());
        assertThat(stop.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(stop.exitValue()).as(stderrLines(tmp.resolve("stop.err"))).isZero();
        assertThat(again.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).isZero();
        assertThat(repo.resolve("daemon.json")).doesNotExist();
        Process none = vrn(tmp.resolve("none.err"), "stop", "--repo", repo.toString());
        assertThat(none.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(none.exitValue()).isNotZero();
        assertThat(stderrLines(tmp.resolve("none.err"))).isEqualTo("vrn: no vrn daemon is running on " + repo + "\n");
    }

    @Test
    void secondDaemonOnTheSameRepoNamesTheHolder() throws Exception {
        Path repo = init();
        Path err = tmp.resolve("d1.err");
        Process first = vrn(err, daemonArgs(repo, PORT0));
        awaitDaemonJson(repo, first, err);
        Path err2 = tmp.resolve("d2.err");
        Process second = vrn(err2, daemonArgs(repo, PORT0));
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isNotZero();
        assertThat(stderrLines(err2)).isEqualTo("vrn: repository " + repo + " is in use by another vrn process (pid "
                + first.pid() + ")\n");
        assertThat(repo.resolve("daemon.json")).exists(); // the refused one did not delete the live file
        first.destroy();
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void badConfigAndPortInUseAreOneLine() throws Exception {
        Path repo = init();
        Path err = tmp.resolve("bad.err");
        Process bad = vrn(err, daemonArgs(repo, List.of("--set", "network=moonnet")));
        assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isNotZero();
        assertThat(stderrLines(err)).isEqualTo("vrn: config: network = \"moonnet\" (from --set): expected one of mainnet, calibnet, devnet\n");

        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            Path err2 = tmp.resolve("port.err");
            Process busy = vrn(err2, daemonArgs(repo, List.of("--set", "api.listen=127.0.0.1:" + taken.getLocalPort())));
            assertThat(busy.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(busy.exitValue()).isNotZero();
            String text = stderrLines(err2);
            assertThat(text.lines().filter(l -> l.startsWith("vrn: "))).hasSize(1);
            assertThat(text).contains("vrn: api.listen 127.0.0.1:" + taken.getLocalPort() + ": ").doesNotContain("\tat ");
        }
        assertThat(repo.resolve("daemon.json")).doesNotExist();

        Path err3 = tmp.resolve("missing.err");
        Process missing = vrn(err3, "daemon", "--repo", tmp.resolve("nothing-here").toString());
        assertThat(missing.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(missing.exitValue()).isNotZero();
        assertThat(stderrLines(err3)).isEqualTo("vrn: no vrn repository at " + tmp.resolve("nothing-here")
                + " (run `vrn init`)\n");
        assertThat(new File(tmp.toFile(), "nothing-here")).doesNotExist();
    }
}
