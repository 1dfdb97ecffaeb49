package venus.retrieval.libp2p;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Stream.Listener} that collects everything the peer sends until it half-closes, up to
 * a limit (for small request/response protocols such as identify). Completes with the bytes, or
 * exceptionally when the limit is passed (the stream is then reset) or the stream fails.
 */
public final class StreamReader implements Stream.Listener {
    private final int limit;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private CompositeByteBuf buf;

    public StreamReader(int limit) {
        this.limit = limit;
    }

    /** Completes with every byte the peer sent before closing its side. */
    public CompletableFuture<byte[]> result() {
        return result;
    }

    @Override
    public void onData(Stream stream, ByteBuf data) {
        if (buf == null) {
            buf = stream.alloc().compositeBuffer();
        }
        if (result.isDone() || buf.readableBytes() + data.readableBytes() > limit) {
            data.release();
            if (!result.isDone()) {
                result.completeExceptionally(new Libp2pException(Libp2pException.Reason.FRAME_TOO_LARGE,
                        stream.protocol() + " response exceeds " + limit + " bytes"));
                stream.reset();
            }
            return;
        }
        buf.addComponent(true, data);
    }

    @Override
    public void onRemoteClosed(Stream stream) {
        byte[] out = new byte[buf == null ? 0 : buf.readableBytes()];
        if (buf != null) {
            buf.readBytes(out);
            buf.release();
            buf = null;
        }
        result.complete(out);
    }

    @Override
    public void onClosed(Stream stream, Libp2pException cause) {
        if (buf != null) {
            buf.release();
            buf = null;
        }
        if (cause != null) {
            result.completeExceptionally(cause);
        }
    }
}
