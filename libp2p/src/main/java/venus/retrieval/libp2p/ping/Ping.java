package venus.retrieval.libp2p.ping;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.ProtocolHandler;
import venus.retrieval.libp2p.Stream;

/** {@code /ipfs/ping/1.0.0}: the dialer sends 32 random bytes, the listener echoes them, until the dialer closes. */
public final class Ping {
    /** The protocol id. */
    public static final String PROTOCOL_ID = "/ipfs/ping/1.0.0";
    /** Bytes per ping. */
    public static final int SIZE = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ping() {}

    /** The responder: echoes every 32-byte ping, closes when the dialer does. */
    public static ProtocolHandler handler() {
        return stream -> stream.setListener(new Stream.Listener() {
            private final byte[] pending = new byte[SIZE];
            private int filled;

            @Override
            public void onData(Stream s, ByteBuf data) {
                try {
                    while (data.isReadable()) {
                        int n = Math.min(SIZE - filled, data.readableBytes());
                        data.readBytes(pending, filled, n);
                        filled += n;
                        if (filled == SIZE) {
                            s.write(Unpooled.wrappedBuffer(pending.clone()));
                            filled = 0;
                        }
                    }
                } finally {
                    data.release();
                }
            }

            @Override
            public void onRemoteClosed(Stream s) {
                s.closeWrite();
            }
        });
    }

    /** Sends one ping on an outbound ping stream, then closes it; completes with the round trip. */
    public static CompletableFuture<Duration> ping(Stream stream) {
        CompletableFuture<Duration> result = new CompletableFuture<>();
        byte[] payload = new byte[SIZE];
        RANDOM.nextBytes(payload);
        long start = System.nanoTime();
        stream.setListener(new Stream.Listener() {
            private final byte[] got = new byte[SIZE];
            private int filled;

            @Override
            public void onData(Stream s, ByteBuf data) {
                try {
                    int n = Math.min(SIZE - filled, data.readableBytes());
                    data.readBytes(got, filled, n);
                    filled += n;
                    if (data.isReadable()) {
                        fail(s, "ping answer longer than " + SIZE + " bytes");
                        return;
                    }
                } finally {
                    data.release();
                }
                if (filled == SIZE) {
                    if (Arrays.equals(got, payload)) {
                        result.complete(Duration.ofNanos(System.nanoTime() - start));
                        s.closeWrite();
                    } else {
                        fail(s, "ping answer does not match");
                    }
                }
            }

            private void fail(Stream s, String why) {
                result.completeExceptionally(new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, why));
                s.reset();
            }

            @Override
            public void onRemoteClosed(Stream s) {
                if (!result.isDone()) {
                    result.completeExceptionally(new Libp2pException(Libp2pException.Reason.CLOSED, "peer closed the ping stream"));
                }
                s.closeWrite();
            }

            @Override
            public void onClosed(Stream s, Libp2pException cause) {
                if (cause != null) {
                    result.completeExceptionally(cause);
                }
            }
        });
        stream.write(Unpooled.wrappedBuffer(payload.clone()));
        return result;
    }
}
