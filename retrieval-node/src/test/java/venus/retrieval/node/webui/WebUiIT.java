package venus.retrieval.node.webui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.testing.Interop;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.node.testing.Launcher;

/**
 * The status page in a real browser: {@code bin/vrn daemon}, a vector imported through the admin
 * API and fetched over HTTP, then headless Chromium (driven by {@code interop/webui-check.mjs})
 * loads {@code /webui/#token=…}; the DOM shows the piece and the bytes served, the screenshot is
 * a real rendering. Also: the page refuses a wrong token, CORS is granted only to the gateway origin.
 */
class WebUiIT {
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

    private JsonNode rpc(String api, String token, String method, Object... params) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/rpc/v0"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(
                        Map.of("jsonrpc", "2.0", "id", 1, "method", method, "params", List.of(params))))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("result");
    }

    @Test
    void statusPageShowsRealDataInChromium() throws Exception {
        Path repo = tmp.resolve("repo");
        Process init = vrn(tmp.resolve("init.err"), "init", "--repo", repo.toString());
        assertThat(init.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(init.exitValue()).isZero();
        Path err = tmp.resolve("daemon.err");
        Process d = vrn(err, Launcher.daemonArgs(repo, Launcher.PORT0));
        JsonNode daemon = Launcher.awaitDaemonJson(repo, d, err);
        String api = daemon.get("api").asText();
        String gateway = daemon.get("gateway").asText();
        String read = Files.readString(repo.resolve("keystore/api-token-read")).trim();
        String write = Files.readString(repo.resolve("keystore/api-token-write")).trim();

        JsonNode piece = rpc(api, write, "VRN.PieceAdd", Vectors.file("unixfs/dir-site.car").toString(), Map.of());
        String pieceCid = piece.get("pieceCid").asText();
        JsonNode site = Vectors.manifest().get("directories").get(0);
        HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(URI.create(gateway + "/ipfs/" + site.get("root").asText()
                + "/index.html")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(got.statusCode()).isEqualTo(200);
        int served = got.body().length;
        // The gateway reports delivered bytes once the last write settled, just after the client has them.
        for (int i = 0; i < 200 && rpc(api, read, "VRN.Traffic").path("vrn.served.bytes{gateway}").asDouble() < served; i++) {
            Thread.onSpinWait();
        }
        assertThat(rpc(api, read, "VRN.Traffic").path("vrn.served.bytes{gateway}").asDouble()).isEqualTo(served);

        // CORS: the gateway origin may call the API from a browser; another origin gets no grant.
        HttpResponse<String> pre = http.send(HttpRequest.newBuilder(URI.create(api + "/rpc/v0"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", gateway)
                .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(pre.statusCode()).isEqualTo(204);
        assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue(gateway);
        HttpResponse<String> evil = http.send(HttpRequest.newBuilder(URI.create(api + "/rpc/v0"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Origin", "http://evil.example")
                .header("Authorization", "Bearer " + read).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(evil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        Path out = Files.createDirectories(tmp.resolve("chromium"));
        Interop.run(Duration.ofMinutes(3), "webui-check.mjs", gateway + "/webui/#token=" + read, out.toString()).assertOk();
        String dom = Files.readString(out.resolve("dom.html"));
        assertThat(dom).contains("data-loaded=\"true\"").contains(pieceCid).contains(site.get("root").asText())
                .contains("<td>gateway</td><td class=\"num\">" + served + "</td>")
                .contains(daemon.get("peerId").asText());
        assertThat(dom).doesNotContain(read); // the token left the URL and is not rendered
        BufferedImage shot = ImageIO.read(out.resolve("shot.png").toFile());
        assertThat(shot.getWidth()).isEqualTo(1280);
        assertThat(shot.getHeight()).isEqualTo(900);
        Set<Integer> colors = new HashSet<>();
        for (int y = 0; y < shot.getHeight(); y += 3) {
            for (int x = 0; x < shot.getWidth(); x += 3) {
                colors.add(shot.getRGB(x, y));
            }
        }
        assertThat(colors.size()).as("distinct colours in the screenshot (text, header, tables)").isGreaterThan(20);
        // The header bar is the page's dark blue: the stylesheet was applied.
        int header = shot.getRGB(640, 5);
        assertThat((header >> 16) & 0xff).isLessThan(80);
        assertThat(header & 0xff).isGreaterThan(90);

        // A wrong token shows the login form with the refusal, and no data.
        Path bad = Files.createDirectories(tmp.resolve("bad"));
        Interop.run(Duration.ofMinutes(3), "webui-check.mjs", gateway + "/webui/#token=wrong", bad.toString()).assertOk();
        String badDom = Files.readString(bad.resolve("dom.html"));
        assertThat(badDom).contains("the API refused the token").doesNotContain(pieceCid);

        d.destroy();
        assertThat(d.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(err)).doesNotContain(read).doesNotContain(write);
    }
}
