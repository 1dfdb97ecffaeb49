package venus.retrieval.node.graphsync;

/** A graphsync request's {@code type}: one letter on the wire. */
public enum RequestType {
    /** {@code "n"}: a new request (root, selector, extensions). */
    NEW("n"),
    /** {@code "c"}: cancel the request (id and type only). */
    CANCEL("c"),
    /** {@code "u"}: update a running request with extensions (id, type, ext). */
    UPDATE("u");

    private final String wire;

    RequestType(String wire) {
        this.wire = wire;
    }

    /** The wire letter. */
    public String wire() {
        return wire;
    }

    static RequestType of(String wire) {
        for (RequestType t : values()) {
            if (t.wire.equals(wire)) {
                return t;
            }
        }
        return null;
    }
}
