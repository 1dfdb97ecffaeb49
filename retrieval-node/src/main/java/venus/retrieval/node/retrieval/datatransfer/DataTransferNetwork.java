package venus.retrieval.node.retrieval.datatransfer;

import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.node.retrieval.CborStreamReader;

/**
 * {@value #PROTOCOL}: data-transfer messages outside graphsync (filecoin-retrieval.md §1, §3.2).
 * As Go does, a sender opens a new stream per message, writes it and closes; a receiver reads
 * messages until EOF. A malformed message resets its stream and nothing else.
 */
public final class DataTransferNetwork {
    public static final String PROTOCOL = "/fil/datatransfer/1.2.0";
    /** Largest message accepted (vouchers and results are small; selectors bounded). */
    public static final int MAX_MESSAGE = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger(DataTransferNetwork.class);

    /** Receives the messages peers send us. */
    @FunctionalInterface
    public interface Receiver {
        void onMessage(PeerId peer, TransferMessage message);
    }

    private final Host host;

    private DataTransferNetwork(Host host) {
        this.host = host;
    }

    /** Registers the protocol on {@code host}, delivering messages to {@code receiver}. */
    public static DataTransferNetwork register(Host host, Receiver receiver) {
        return register(host, receiver, null);
    }

    /** As {@link #register(Host, Receiver)}; {@code tap} (if not null) sees each message's exact bytes first. */
    public static DataTransferNetwork register(Host host, Receiver receiver, java.util.function.Consumer<byte[]> tap) {
        host.setHandler(PROTOCOL, stream -> stream.setListener(new CborStreamReader(MAX_MESSAGE, new CborStreamReader.Events() {
            @Override
            public void onItem(Stream s, Node item, byte[] raw) {
                if (tap != null) {
                    tap.accept(raw);
                }
                onItem(s, item);
            }

            @Override
            public void onItem(Stream s, Node item) {
                receiver.onMessage(s.connection().remotePeer(), TransferMessage.fromNode(item));
            }

            @Override
            public void onEnd(Stream s, boolean partial) {
                s.closeWrite();
            }

            @Override
            public void onError(Stream s, Exception cause) {
                log.info("data-transfer: {} sent a bad message, stream reset: {}", s.connection().remotePeer(), cause.getMessage());
            }
        })));
        return new DataTransferNetwork(host);
    }

    /** A sender only (clients that register no handler still need to send). */
    public static DataTransferNetwork sender(Host host) {
        return new DataTransferNetwork(host);
    }

    /** Sends one message on a new stream to a connected peer; completes once it is written. */
    public CompletableFuture<Void> send(PeerId peer, TransferMessage m) {
        byte[] bytes = m.encode();
        return host.newStream(peer, List.of(PROTOCOL)).thenAccept(s -> {
            s.setListener(new Stream.Listener() {
                @Override
                public void onData(Stream st, io.netty.buffer.ByteBuf data) {
                    data.release();
                }

                @Override
                public void onRemoteClosed(Stream st) {
                    st.closeWrite();
                }
            });
            s.write(Unpooled.wrappedBuffer(bytes));
            s.closeWrite();
        });
    }
}
