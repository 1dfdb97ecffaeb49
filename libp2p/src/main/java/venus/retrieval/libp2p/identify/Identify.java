package venus.retrieval.libp2p.identify;

import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.StreamReader;

/**
 * {@code /ipfs/id/1.0.0}: whoever wants to learn about a peer opens the stream; the responder
 * writes one length-prefixed {@link IdentifyMessage} and closes its side.
 */
public final class Identify {
    /** The protocol id. */
    public static final String PROTOCOL_ID = "/ipfs/id/1.0.0";
    /** The push variant: the sender opens the stream, writes one message and closes. */
    public static final String PUSH_PROTOCOL_ID = "/ipfs/id/push/1.0.0";
    /** What we put in protocolVersion (free-form; go and js send this). */
    public static final String PROTOCOL_VERSION = "ipfs/0.1.0";

    private Identify() {}

    /** Answers an inbound identify stream with {@code message}. */
    public static void respond(Stream stream, IdentifyMessage message) {
        stream.setListener((s, data) -> data.release()); // nothing is expected from the asker
        stream.write(Unpooled.wrappedBuffer(message.encodeDelimited()));
        stream.closeWrite();
    }

    /** Reads the peer's answer on an outbound identify stream. */
    public static CompletableFuture<IdentifyMessage> request(Stream stream) {
        StreamReader reader = new StreamReader(IdentifyMessage.MAX_SIZE + 16);
        stream.setListener(reader);
        stream.closeWrite(); // we send nothing
        return reader.result().thenApply(IdentifyMessage::decodeDelimited);
    }

    /** Reads an inbound push: everything the peer writes before closing its side. */
    public static CompletableFuture<IdentifyMessage> receivePush(Stream stream) {
        StreamReader reader = new StreamReader(IdentifyMessage.MAX_SIZE + 16);
        stream.setListener(reader);
        return reader.result().thenApply(bytes -> {
            stream.closeWrite();
            return IdentifyMessage.decodeDelimited(bytes);
        });
    }
}
