package venus.retrieval.paych.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.Signature;
import venus.retrieval.paych.TokenAmount;

/**
 * {@link ChainApi} over a Lotus or Venus node's JSON-RPC 2.0 API ({@code POST …/rpc/v1},
 * {@code Authorization: Bearer <token>}, positional params, method names {@code Filecoin.<Name>}).
 * JSON follows Lotus: big integers as decimal strings, bytes as padded base64, CIDs as
 * {@code {"/": "…"}}, a null tipset key meaning the current head.
 */
public final class LotusChainApi implements ChainApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** StateWaitMsg look-back limit meaning "no limit". */
    private static final long LOOKBACK_NO_LIMIT = -1;

    private final URI endpoint;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;
    private final AtomicLong ids = new AtomicLong();

    /**
     * A client of {@code endpoint} (e.g. {@code http://127.0.0.1:1234/rpc/v1}).
     *
     * @param token the API token (JWT); null sends no Authorization header (read-only access)
     * @param timeout per-request timeout; StateWaitMsg waits for up to this long
     */
    public LotusChainApi(URI endpoint, String token, Duration timeout) {
        this.endpoint = endpoint;
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * A client from Lotus' {@code FULLNODE_API_INFO} convention, {@code TOKEN:/ip4/HOST/tcp/PORT/http}
     * (or a plain {@code http://…} URL, with or without {@code TOKEN:} before it).
     */
    public static LotusChainApi fromApiInfo(String info, Duration timeout) {
        String token = null;
        String addr = info;
        int url = Math.max(info.indexOf(":http://"), info.indexOf(":https://"));
        int colon = info.indexOf(":/");
        if (url > 0) {
            token = info.substring(0, url);
            addr = info.substring(url + 1);
        } else if (colon > 0 && !info.startsWith("http")) {
            token = info.substring(0, colon);
            addr = info.substring(colon + 1);
        }
        URI uri;
        if (addr.startsWith("/")) {
            String[] p = addr.split("/");
            // ["", "ip4"|"ip6"|"dns", host, "tcp", port, "http"]
            if (p.length < 5 || !p[3].equals("tcp")) {
                throw new PaychException(PaychException.Reason.CHAIN, "cannot read API address '" + addr + "' (want /ip4/HOST/tcp/PORT/http)");
            }
            String host = p[1].equals("ip6") ? "[" + p[2] + "]" : p[2];
            uri = URI.create("http://" + host + ":" + p[4] + "/rpc/v1");
        } else {
            uri = URI.create(addr.endsWith("/rpc/v1") || addr.endsWith("/rpc/v0") ? addr : addr.replaceAll("/+$", "") + "/rpc/v1");
        }
        return new LotusChainApi(uri, token, timeout);
    }

    /** The endpoint this client posts to. */
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public long chainHead() {
        JsonNode ts = call("ChainHead");
        if (!ts.path("Height").canConvertToLong()) {
            throw unexpected("ChainHead", "no Height");
        }
        return ts.get("Height").asLong();
    }

    @Override
    public PaychState stateReadState(Address paych) {
        JsonNode r;
        try {
            r = call("StateReadState", paych.toString(), null);
        } catch (PaychException e) {
            if (e.getMessage().contains("actor not found")) {
                throw new PaychException(PaychException.Reason.CHANNEL_NOT_FOUND, "payment channel " + paych + " not found on chain");
            }
            throw e;
        }
        JsonNode s = r.path("State");
        try {
            return new PaychState(
                    TokenAmount.ofAtto(text(r, "Balance", "StateReadState")),
                    Address.parse(text(s, "From", "StateReadState")),
                    Address.parse(text(s, "To", "StateReadState")),
                    TokenAmount.ofAtto(text(s, "ToSend", "StateReadState")),
                    s.path("SettlingAt").asLong(),
                    s.path("MinSettleHeight").asLong(),
                    cid(s.path("LaneStates"), "StateReadState"));
        } catch (PaychException e) {
            if (e.reason() == PaychException.Reason.CHAIN) {
                throw e;
            }
            throw unexpected("StateReadState", e.getMessage() + " (is " + paych + " a payment channel?)");
        }
    }

    @Override
    public Address stateAccountKey(Address address) {
        return Address.parse(textResult(call("StateAccountKey", address.toString(), null), "StateAccountKey"));
    }

    @Override
    public Address stateLookupId(Address address) {
        return Address.parse(textResult(call("StateLookupID", address.toString(), null), "StateLookupID"));
    }

    @Override
    public boolean walletVerify(Address signer, byte[] message, Signature signature) {
        ObjectNode sig = JSON.createObjectNode();
        sig.put("Type", signature.type().code());
        sig.put("Data", Base64.getEncoder().encodeToString(signature.data()));
        JsonNode r = call("WalletVerify", signer.toString(), Base64.getEncoder().encodeToString(message), sig);
        if (!r.isBoolean()) {
            throw unexpected("WalletVerify", "result is not a boolean");
        }
        return r.booleanValue();
    }

    @Override
    public Cid mpoolPushMessage(Message m) {
        ObjectNode msg = JSON.createObjectNode();
        msg.put("Version", 0);
        msg.put("To", m.to().toString());
        msg.put("From", m.from().toString());
        msg.put("Nonce", 0);
        msg.put("Value", m.value().toAttoString());
        msg.put("GasLimit", 0);
        msg.put("GasFeeCap", "0");
        msg.put("GasPremium", "0");
        msg.put("Method", m.method());
        if (m.params().length == 0) {
            msg.putNull("Params");
        } else {
            msg.put("Params", Base64.getEncoder().encodeToString(m.params()));
        }
        ObjectNode spec = JSON.createObjectNode();
        spec.put("MaxFee", "0");
        JsonNode r = call("MpoolPushMessage", msg, spec);
        return cid(r.path("CID"), "MpoolPushMessage");
    }

    @Override
    public MessageReceipt stateWaitMsg(Cid message, long confidence) {
        JsonNode r = call("StateWaitMsg", link(message), confidence, LOOKBACK_NO_LIMIT, true);
        JsonNode receipt = r.path("Receipt");
        if (!receipt.path("ExitCode").canConvertToLong()) {
            throw unexpected("StateWaitMsg", "no Receipt.ExitCode");
        }
        JsonNode ret = receipt.path("Return");
        byte[] returned = ret.isTextual() ? decodeBase64(ret.asText(), "StateWaitMsg") : new byte[0];
        Cid landed = r.path("Message").isObject() ? cid(r.get("Message"), "StateWaitMsg") : message;
        return new MessageReceipt(landed, receipt.get("ExitCode").asLong(), returned, r.path("Height").asLong());
    }

    @Override
    public byte[] chainReadObj(Cid cid) {
        return decodeBase64(textResult(call("ChainReadObj", link(cid)), "ChainReadObj"), "ChainReadObj");
    }

    /** Calls {@code Filecoin.<method>} with positional params; returns the {@code result}. */
    public JsonNode call(String method, Object... params) {
        ObjectNode req = JSON.createObjectNode();
        req.put("jsonrpc", "2.0");
        req.put("id", ids.incrementAndGet());
        req.put("method", "Filecoin." + method);
        ArrayNode ps = req.putArray("params");
        for (Object p : params) {
            ps.add(JSON.valueToTree(p));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(req.toString()));
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new PaychException(PaychException.Reason.CHAIN, "chain node " + endpoint + " unreachable (" + method + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PaychException(PaychException.Reason.CHAIN, "interrupted calling " + method, e);
        }
        if (resp.statusCode() == 401 || resp.statusCode() == 403) {
            throw new PaychException(PaychException.Reason.CHAIN, "chain node refused " + method + " (HTTP " + resp.statusCode() + "): check the API token and its permissions");
        }
        JsonNode body;
        try {
            body = JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new PaychException(PaychException.Reason.CHAIN, "chain node answered " + method + " with HTTP " + resp.statusCode() + " and no JSON");
        }
        if (body == null || !body.isObject()) {
            throw unexpected(method, "HTTP " + resp.statusCode() + ", body is not a JSON-RPC object");
        }
        JsonNode err = body.get("error");
        if (err != null && !err.isNull()) {
            throw new PaychException(PaychException.Reason.CHAIN,
                    method + " failed: " + err.path("message").asText("?") + " (code " + err.path("code").asText("?") + ")");
        }
        if (!body.has("result")) {
            throw unexpected(method, "HTTP " + resp.statusCode() + ", no result");
        }
        return body.get("result");
    }

    private static ObjectNode link(Cid cid) {
        ObjectNode o = JSON.createObjectNode();
        o.put("/", cid.toString());
        return o;
    }

    private static Cid cid(JsonNode link, String method) {
        if (!link.path("/").isTextual()) {
            throw unexpected(method, "missing CID link {\"/\": …}");
        }
        try {
            return Cid.parse(link.get("/").asText());
        } catch (IpldException e) {
            throw unexpected(method, "bad CID: " + e.getMessage());
        }
    }

    private static String text(JsonNode n, String field, String method) {
        if (!n.path(field).isTextual()) {
            throw unexpected(method, "missing field " + field);
        }
        return n.get(field).asText();
    }

    private static String textResult(JsonNode r, String method) {
        if (!r.isTextual()) {
            throw unexpected(method, "result is not a string");
        }
        return r.asText();
    }

    private static byte[] decodeBase64(String s, String method) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw unexpected(method, "result is not base64");
        }
    }

    private static PaychException unexpected(String method, String what) {
        return new PaychException(PaychException.Reason.CHAIN, "unexpected " + method + " answer: " + what);
    }
}
