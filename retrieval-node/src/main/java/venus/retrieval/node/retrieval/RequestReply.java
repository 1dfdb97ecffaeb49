package venus.retrieval.node.retrieval;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;

/**
 * The client side of the one-shot libp2p protocols (query, transports): open a stream, send at most
 * one dag-cbor message, read exactly one dag-cbor answer. Failures are {@link NodeException}s whose
 * message starts with {@code what}.
 */
public final class RequestReply {
    private RequestReply() {}

    /**
     * Asks {@code provider} over {@code protocol} and returns its one answer.
     *
     * @param request the encoded request, or null for protocols where the asker sends nothing
     */
    public static Node exchange(Host host, Multiaddr provider, String protocol, byte[] request, int maxMessage,
                                Duration timeout, String what) {
        CompletableFuture<Node> reply = new CompletableFuture<>();
        try {
            Stream s = host.newStream(provider, List.of(protocol)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            s.setListener(new CborStreamReader(maxMessage, new CborStreamReader.Events() {
                @Override
                public void onItem(Stream st, Node item) {
                    reply.complete(item);
                    st.closeWrite();
                }

                @Override
                public void onEnd(Stream st, boolean partial) {
                    reply.completeExceptionally(Wire.bad(protocol + ": provider closed the stream without an answer"));
                }

                @Override
                public void onError(Stream st, Exception cause) {
                    reply.completeExceptionally(cause);
                }
            }));
            if (request != null) {
                s.write(Unpooled.wrappedBuffer(request));
            }
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof NodeException ne ? ne
                    : new NodeException(NodeException.Reason.RETRIEVAL_FAILED, what + ": " + c.getMessage(), c);
        } catch (TimeoutException e) {
            throw new NodeException(NodeException.Reason.RETRIEVAL_FAILED, what + ": no answer within " + timeout.toSeconds() + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException(NodeException.Reason.RETRIEVAL_FAILED, what + ": interrupted");
        }
    }
}
