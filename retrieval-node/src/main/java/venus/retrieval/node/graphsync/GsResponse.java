package venus.retrieval.node.graphsync;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.model.Node;

/**
 * One graphsync response (part of one): status, the links traversed since the previous message
 * in traversal order, extensions.
 */
public record GsResponse(UUID requestId, int status, List<Metadatum> metadata, Map<String, Node> extensions) {
    /** One traversed link and what the responder did with it. */
    public record Metadatum(Cid link, LinkAction action) {
        public Metadatum {
            Objects.requireNonNull(link, "link");
            Objects.requireNonNull(action, "action");
        }
    }

    public GsResponse {
        Objects.requireNonNull(requestId, "requestId");
        metadata = List.copyOf(metadata);
        extensions = Map.copyOf(extensions);
    }
}
