package venus.retrieval.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.jsonrpc4j.JsonRpcMethod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.node.api.ApiTokens;
import venus.retrieval.node.api.Permission;
import venus.retrieval.node.api.RequiresPermission;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.node.repo.RepoInit;

/** SIGTERM semantics: in-flight API calls finish within the grace period; later ones are refused; past it they are cut. */
class DaemonGraceTest {
    /** A test-only API method that blocks until released. */
    public interface SlowApi {
        @JsonRpcMethod("Test.Slow")
        @RequiresPermission(Permission.READ)
        String slow();
    }

    @TempDir
    Path tmp;

    final HttpClient http = HttpClient.newHttpClient();

    private Daemon start(Repo repo, String grace) {
        return Daemon.start(repo, NodeConfig.load(repo.configFile(), Map.of(), List.of("api.listen=127.0.0.1:0",
                "gateway.listen=127.0.0.1:0", "libp2p.listen=/ip4/127.0.0.1/tcp/0", "daemon.shutdown_grace=" + grace)));
    }

    private CompletableFuture<HttpResponse<String>> callSlow(String api, String token) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(api + "/rpc/v0")).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Test.Slow\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls (bounded) until the API refuses new requests, i.e. the daemon is stopping. */
    private void awaitRefusing(String api) throws Exception {
        for (int i = 0; i < 2000; i++) {
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create(api + "/metrics")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 503) {
                    return;
                }
            } catch (IOException e) {
                return; // already closed
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the API never started refusing requests");
    }

    @Test
    void inFlightCallFinishesWithinGraceAndNewOnesAreRefused() throws Exception {
        Repo repo = RepoInit.init(tmp.resolve("repo")).repo();
        Daemon daemon = start(repo, "60s");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        daemon.context().rpc().register(SlowApi.class, () -> {
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "done";
        });
        String api = daemon.context().boundAddresses().get("api").get(0);
        String token = ApiTokens.load(repo).token(Permission.READ).orElseThrow();
        CompletableFuture<HttpResponse<String>> slow = callSlow(api, token);
        assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(daemon::stop);
        awaitRefusing(api);
        assertThat(slow).isNotDone();
        assertThat(repo.daemonJson()).doesNotExist(); // removed first, so no client finds a stopping node
        release.countDown();
        HttpResponse<String> r = slow.get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"result\":\"done\"");
        stopping.get(60, TimeUnit.SECONDS);
    }

    @Test
    void callStillRunningAtTheEndOfGraceIsCut() throws Exception {
        Repo repo = RepoInit.init(tmp.resolve("repo")).repo();
        Daemon daemon = start(repo, "200ms");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        daemon.context().rpc().register(SlowApi.class, () -> {
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the cut
            }
            return "late";
        });
        String api = daemon.context().boundAddresses().get("api").get(0);
        CompletableFuture<HttpResponse<String>> slow = callSlow(api, ApiTokens.load(repo).token(Permission.READ).orElseThrow());
        assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
        daemon.stop(); // returns after the grace although the call never finished by itself
        try {
            HttpResponse<String> r = slow.get(60, TimeUnit.SECONDS);
            assertThat(r.body()).doesNotContain("\"result\":\"late\"");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(IOException.class); // connection closed under it
        } finally {
            release.countDown();
        }
        assertThat(repo.daemonJson()).doesNotExist();
    }
}
