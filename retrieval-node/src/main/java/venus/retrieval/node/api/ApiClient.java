package venus.retrieval.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.NodeException.Reason;
import venus.retrieval.node.repo.Repo;

/**
 * A client of the admin API of the daemon running on a repository, found through
 * {@code REPO/daemon.json} and authorised with the repository's token files. CLI commands that
 * change a running node use it ({@link #ofRunningDaemon}) and fall back to working offline when
 * no daemon runs.
 */
public final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI rpc;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong ids = new AtomicLong();

    /**
     * @param apiBase the {@code api} URL of {@code daemon.json} (no trailing slash)
     * @param token a bearer token
     */
    public ApiClient(String apiBase, String token) {
        this.rpc = URI.create(apiBase + "/rpc/v0");
        this.token = token;
    }

    /**
     * The daemon running on {@code repo}, if {@code daemon.json} exists and names a live process;
     * authorised with the token of {@code permission}.
     */
    public static Optional<ApiClient> ofRunningDaemon(Repo repo, Permission permission) {
        JsonNode dj;
        try {
            if (!Files.isRegularFile(repo.daemonJson())) {
                return Optional.empty();
            }
            dj = JSON.readTree(repo.daemonJson().toFile());
        } catch (IOException e) {
            return Optional.empty(); // being rewritten or removed: treat as not running
        }
        long pid = dj.path("pid").asLong(-1);
        String api = dj.path("api").asText(null);
        if (api == null || pid <= 0 || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE) {
            return Optional.empty();
        }
        String token = ApiTokens.load(repo).token(permission).orElseThrow(() ->
                new NodeException(Reason.IO, "no " + permission.label() + " API token in " + repo.keystore()));
        return Optional.of(new ApiClient(api, token));
    }

    /**
     * Calls a method with positional parameters and returns its {@code result}.
     *
     * @throws NodeException one line: the server's error message, or why the call failed
     */
    public JsonNode call(String method, Object... params) {
        ObjectNode req = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", ids.incrementAndGet()).put("method", method);
        ArrayNode p = req.putArray("params");
        for (Object o : params) {
            p.add(JSON.valueToTree(o));
        }
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(HttpRequest.newBuilder(rpc).timeout(Duration.ofMinutes(10))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(req))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new NodeException(Reason.SERVICE_FAILED, "cannot reach the daemon API at " + rpc + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException(Reason.SERVICE_FAILED, "interrupted while calling " + method, e);
        }
        if (resp.statusCode() == 401) {
            throw new NodeException(Reason.SERVICE_FAILED, "the daemon refused the API token (401)");
        }
        JsonNode body;
        try {
            body = JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new NodeException(Reason.SERVICE_FAILED, method + ": HTTP " + resp.statusCode() + " without a JSON-RPC answer");
        }
        JsonNode error = body.get("error");
        if (error != null && !error.isNull()) {
            throw new NodeException(Reason.SERVICE_FAILED, error.path("message").asText("error " + error.path("code").asInt()));
        }
        return body.get("result");
    }

    /** Calls a method and maps its result onto {@code type}. */
    public <T> T call(Class<T> type, String method, Object... params) {
        return JSON.convertValue(call(method, params), type);
    }
}
