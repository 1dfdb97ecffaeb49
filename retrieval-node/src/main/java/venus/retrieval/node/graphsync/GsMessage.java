package venus.retrieval.node.graphsync;

import java.util.List;

/** One graphsync 2.0.0 message: {@code {"gs2": {"req": [...], "rsp": [...], "blk": [...]}}}. */
public record GsMessage(List<GsRequest> requests, List<GsResponse> responses, List<GsBlock> blocks) {
    public GsMessage {
        requests = List.copyOf(requests);
        responses = List.copyOf(responses);
        blocks = List.copyOf(blocks);
    }

    /** A message with requests only. */
    public static GsMessage ofRequests(GsRequest... requests) {
        return new GsMessage(List.of(requests), List.of(), List.of());
    }

    /** Whether the message carries nothing. */
    public boolean isEmpty() {
        return requests.isEmpty() && responses.isEmpty() && blocks.isEmpty();
    }
}
