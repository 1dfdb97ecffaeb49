package venus.retrieval.libp2p.host;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.ProtocolHandler;
import venus.retrieval.libp2p.Stream;

/** Test protocol: echoes every byte back with backpressure, half-closes when the peer does. */
final class Echo {
    static final String PROTOCOL = "/vrn/test/echo/1.0.0";

    private Echo() {}

    static ProtocolHandler handler() {
        return stream -> stream.setListener(new Stream.Listener() {
            @Override
            public void onData(Stream s, ByteBuf data) {
                s.write(data);
                if (!s.isWritable()) {
                    s.setAutoRead(false); // stop reading until what we echo drains
                }
            }

            @Override
            public void onWritabilityChanged(Stream s) {
                if (s.isWritable()) {
                    s.setAutoRead(true);
                }
            }

            @Override
            public void onRemoteClosed(Stream s) {
                s.closeWrite();
            }
        });
    }

    /** Result of one echo run: bytes and SHA-256 of what came back. */
    record Result(long bytes, byte[] sha256) {}

    /**
     * Sends {@code data} on {@code stream} (respecting writability), half-closes, and collects the
     * echo; completes when the peer half-closes.
     */
    static CompletableFuture<Result> run(Stream stream, byte[] data, int chunk) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        MessageDigest md = sha256();
        stream.eventLoop().execute(() -> stream.setListener(new Stream.Listener() {
            int offset;
            long received;

            void pump(Stream s) {
                while (offset < data.length && s.isWritable()) {
                    int n = Math.min(chunk, data.length - offset);
                    s.write(Unpooled.wrappedBuffer(data, offset, n));
                    offset += n;
                }
                if (offset == data.length) {
                    offset++; // once
                    s.closeWrite();
                }
            }

            {
                pump(stream);
            }

            @Override
            public void onData(Stream s, ByteBuf buf) {
                try {
                    received += buf.readableBytes();
                    md.update(buf.nioBuffer());
                } finally {
                    buf.release();
                }
            }

            @Override
            public void onWritabilityChanged(Stream s) {
                pump(s);
            }

            @Override
            public void onRemoteClosed(Stream s) {
                result.complete(new Result(received, md.digest()));
            }

            @Override
            public void onClosed(Stream s, Libp2pException cause) {
                if (cause != null) {
                    result.completeExceptionally(cause);
                }
            }
        }));
        return result;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
