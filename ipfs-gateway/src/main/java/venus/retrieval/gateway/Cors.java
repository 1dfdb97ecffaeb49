package venus.retrieval.gateway;

import io.netty.handler.codec.http.HttpHeaders;

/** The CORS headers every gateway response carries (content is public and immutable). */
final class Cors {
    static final String ALLOW_METHODS = "GET, HEAD, OPTIONS";
    static final String ALLOW_HEADERS = "Content-Type, Range, User-Agent, X-Requested-With";
    static final String EXPOSE_HEADERS = "Content-Length, Content-Range, Content-Type, Etag, X-Chunked-Output, "
            + "X-Stream-Output, X-Ipfs-Path, X-Ipfs-Roots";

    private Cors() {}

    static void apply(HttpHeaders h) {
        h.set("Access-Control-Allow-Origin", "*");
        h.set("Access-Control-Allow-Methods", ALLOW_METHODS);
        h.set("Access-Control-Allow-Headers", ALLOW_HEADERS);
        h.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    }
}
