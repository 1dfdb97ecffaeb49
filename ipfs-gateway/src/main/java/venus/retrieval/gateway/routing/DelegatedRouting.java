package venus.retrieval.gateway.routing;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import venus.retrieval.gateway.GatewayException;
import venus.retrieval.gateway.GatewayHandler;
import venus.retrieval.gateway.GatewayRequest;
import venus.retrieval.gateway.GatewayResponse;
import venus.retrieval.gateway.ResponseBody;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;

/**
 * Delegated Routing V1 HTTP API (ipfs/specs {@code routing/http-routing-v1}), the part that makes
 * this node findable: {@code GET /routing/v1/providers/{cid}} answers this node's own provider
 * record when it offers the content, 404 otherwise. JSON ({@code application/json},
 * {@code {"Providers":[…]}}) or NDJSON (one record per line) when the client accepts
 * {@code application/x-ndjson}. Other paths go to the wrapped handler.
 */
public final class DelegatedRouting implements GatewayHandler {
    static final String PREFIX = "/routing/v1/";
    static final String PROVIDERS = PREFIX + "providers/";
    static final String NDJSON = "application/x-ndjson";

    private final GatewayHandler next;
    private final Predicate<Cid> offers;
    private final Supplier<List<ProviderRecord>> self;

    /**
     * @param next   handles every other path
     * @param offers whether this node serves a CID (held and within policy)
     * @param self   this node's records (read per request: addresses are known once listeners bind)
     */
    public DelegatedRouting(GatewayHandler next, Predicate<Cid> offers, Supplier<List<ProviderRecord>> self) {
        this.next = next;
        this.offers = offers;
        this.self = self;
    }

    /**
     * One provider record of schema {@code peer}.
     *
     * @param id        the peer ID
     * @param addrs     multiaddrs (without {@code /p2p/})
     * @param protocols transfer protocols, e.g. {@code transport-bitswap}
     */
    public record ProviderRecord(String id, List<String> addrs, List<String> protocols) {
        public ProviderRecord {
            addrs = List.copyOf(addrs);
            protocols = List.copyOf(protocols);
        }

        /** The record as one JSON object. */
        public String toJson() {
            StringBuilder sb = new StringBuilder("{\"Schema\":\"peer\",\"ID\":");
            str(sb, id);
            sb.append(",\"Addrs\":");
            arr(sb, addrs);
            sb.append(",\"Protocols\":");
            arr(sb, protocols);
            return sb.append('}').toString();
        }
    }

    @Override
    public GatewayResponse handle(GatewayRequest req) {
        String path = req.rawPath();
        if (!path.startsWith(PREFIX)) {
            return next.handle(req);
        }
        if ("OPTIONS".equals(req.method())) {
            return new GatewayResponse(200).header(HttpHeaderNames.ALLOW, "GET, HEAD, OPTIONS");
        }
        if (!"GET".equals(req.method()) && !"HEAD".equals(req.method())) {
            throw new GatewayException(GatewayException.Reason.METHOD_NOT_ALLOWED, "405 Method Not Allowed: " + req.method());
        }
        if (!path.startsWith(PROVIDERS)) {
            throw new GatewayException(GatewayException.Reason.NOT_FOUND, "only /routing/v1/providers/{cid} is served by this node");
        }
        String text = path.substring(PROVIDERS.length());
        Cid cid;
        try {
            cid = Cid.parse(text);
        } catch (IpldException e) {
            throw new GatewayException(GatewayException.Reason.BAD_REQUEST, "bad CID: " + e.getMessage());
        }
        String accept = req.header(HttpHeaderNames.ACCEPT);
        boolean ndjson = accept != null && accept.contains(NDJSON);
        if (!offers.test(cid)) {
            GatewayResponse r = GatewayResponse.text(404, "no providers for " + cid);
            return r.header(HttpHeaderNames.CACHE_CONTROL, "public, max-age=15").header(HttpHeaderNames.VARY, "Accept");
        }
        List<ProviderRecord> records = self.get();
        StringBuilder sb = new StringBuilder();
        if (ndjson) {
            for (ProviderRecord p : records) {
                sb.append(p.toJson()).append('\n');
            }
        } else {
            sb.append("{\"Providers\":[");
            for (int i = 0; i < records.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(records.get(i).toJson());
            }
            sb.append("]}");
        }
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        return new GatewayResponse(200)
                .header(HttpHeaderNames.CONTENT_TYPE, ndjson ? NDJSON : "application/json")
                .header(HttpHeaderNames.CACHE_CONTROL, "public, max-age=300")
                .header(HttpHeaderNames.VARY, "Accept")
                .body(ResponseBody.of(body));
    }

    private static void arr(StringBuilder sb, List<String> values) {
        sb.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            str(sb, values.get(i));
        }
        sb.append(']');
    }

    private static void str(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
