package venus.retrieval.gateway;

import java.util.Locale;

/**
 * The representation a request asks for, from {@code ?format=} (which wins) or the first
 * recognised type in {@code Accept}, plus the CAR parameters ({@code car-*} query parameters win
 * over the {@code Accept} parameters).
 *
 * @param kind what to send
 * @param fromAccept true when only the {@code Accept} header chose it (sets Content-Location)
 * @param dups CAR: repeat duplicate blocks
 * @param order CAR: {@code dfs} or {@code unk} (we always send DFS)
 */
record ResponseFormat(Kind kind, boolean fromAccept, boolean dups, String order) {

    /** Representations. */
    enum Kind {
        /** No explicit format: the path gateway's deserialized response. */
        DEFAULT(null, null),
        RAW("raw", "application/vnd.ipld.raw"),
        CAR("car", "application/vnd.ipld.car"),
        DAG_JSON("dag-json", "application/vnd.ipld.dag-json"),
        DAG_CBOR("dag-cbor", "application/vnd.ipld.dag-cbor"),
        JSON("json", "application/json"),
        CBOR("cbor", "application/cbor");

        final String param;
        final String mediaType;

        Kind(String param, String mediaType) {
            this.param = param;
            this.mediaType = mediaType;
        }
    }

    /** Reads {@code format}, {@code Accept} and the {@code car-*} parameters; bad values are a 400. */
    static ResponseFormat negotiate(GatewayRequest req) {
        String accept = req.header("Accept");
        Kind kind = null;
        boolean fromAccept = false;
        String format = req.param("format");
        if (format != null) {
            kind = byParam(format.trim().toLowerCase(Locale.ROOT));
        }
        String carParams = null;
        if (accept != null) {
            for (String range : accept.split(",")) {
                String[] parts = range.split(";");
                String type = parts[0].trim().toLowerCase(Locale.ROOT);
                Kind k = byMediaType(type);
                if (k == null) {
                    if (type.startsWith("application/vnd.ipld.") || type.startsWith("application/vnd.ipfs.")) {
                        if (kind == null) {
                            throw bad("unsupported media type in Accept: " + type);
                        }
                    }
                    continue;
                }
                if (k == Kind.CAR && carParams == null) {
                    carParams = range;
                }
                if (kind == null) {
                    kind = k;
                    fromAccept = true;
                }
            }
        }
        if (kind == null) {
            kind = Kind.DEFAULT;
        }
        String version = null;
        String order = null;
        String dups = null;
        if (carParams != null) {
            String[] parts = carParams.split(";");
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                int eq = p.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String name = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String value = p.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "version" -> version = value;
                    case "order" -> order = value;
                    case "dups" -> dups = value;
                    default -> { }
                }
            }
        }
        if (req.param("car-version") != null) {
            version = req.param("car-version");
        }
        if (req.param("car-order") != null) {
            order = req.param("car-order");
        }
        if (req.param("car-dups") != null) {
            dups = req.param("car-dups");
        }
        if (version != null && !version.equals("1")) {
            throw bad("unsupported CAR version " + version + " (only 1)");
        }
        if (order == null) {
            order = "dfs";
        } else if (!order.equals("dfs") && !order.equals("unk")) {
            throw bad("unsupported CAR order \"" + order + "\" (dfs or unk)");
        }
        boolean d;
        if (dups == null || dups.equals("n")) {
            d = false;
        } else if (dups.equals("y")) {
            d = true;
        } else {
            throw bad("CAR dups must be y or n, got \"" + dups + "\"");
        }
        return new ResponseFormat(kind, fromAccept, d, order);
    }

    /** The CAR Content-Type with its parameters. */
    String carContentType() {
        // We always write pre-order DFS, so say so even when the client accepted "unk".
        return "application/vnd.ipld.car; version=1; order=dfs; dups=" + (dups ? "y" : "n");
    }

    private static Kind byParam(String p) {
        for (Kind k : Kind.values()) {
            if (p.equals(k.param)) {
                return k;
            }
        }
        if (p.equals("tar") || p.equals("ipns-record")) {
            throw bad("format=" + p + " is not supported by this gateway");
        }
        throw bad("unknown format \"" + p + "\"");
    }

    private static Kind byMediaType(String t) {
        for (Kind k : Kind.values()) {
            if (t.equals(k.mediaType)) {
                return k;
            }
        }
        return null;
    }

    private static GatewayException bad(String m) {
        return new GatewayException(GatewayException.Reason.BAD_REQUEST, m);
    }
}
