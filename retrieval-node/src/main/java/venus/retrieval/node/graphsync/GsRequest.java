package venus.retrieval.node.graphsync;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.model.Node;

/**
 * One graphsync request. New requests carry {@code root} and {@code selector}; cancels carry only
 * the id; updates carry the id and extensions.
 *
 * @param id the requester's request id (16 bytes on the wire)
 * @param type new, cancel or update
 * @param priority {@code pri}, 0 when absent
 * @param root the DAG root (new requests), else null
 * @param selector the selector node (new requests), else null
 * @param extensions extension name to value (possibly {@link Node#NULL}); empty when none
 */
public record GsRequest(UUID id, RequestType type, long priority, Cid root, Node selector, Map<String, Node> extensions) {
    public GsRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        extensions = Map.copyOf(extensions);
        if (type == RequestType.NEW && (root == null || selector == null)) {
            throw new IllegalArgumentException("a new request needs a root and a selector");
        }
    }

    /** A new request. */
    public static GsRequest newRequest(UUID id, Cid root, Node selector, Map<String, Node> extensions) {
        return new GsRequest(id, RequestType.NEW, 0, root, selector, extensions);
    }

    /** A cancel. */
    public static GsRequest cancel(UUID id) {
        return new GsRequest(id, RequestType.CANCEL, 0, null, null, Map.of());
    }

    /** An update carrying {@code extensions}. */
    public static GsRequest update(UUID id, Map<String, Node> extensions) {
        return new GsRequest(id, RequestType.UPDATE, 0, null, null, extensions);
    }
}
