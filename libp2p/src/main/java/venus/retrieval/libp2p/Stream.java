package venus.retrieval.libp2p;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;

/**
 * One multiplexed stream of a connection, after its protocol was negotiated. It behaves like a
 * small Netty channel: inbound bytes arrive at the {@link Listener} on the connection's
 * {@link #eventLoop()}; outbound {@link ByteBuf}s are written with backpressure
 * ({@link #isWritable()} and {@link Listener#onWritabilityChanged}); {@link #closeWrite()}
 * half-closes (Yamux FIN) and {@link #reset()} aborts (RST).
 *
 * <p>Methods may be called from any thread (they hop to the event loop). Ownership of written
 * buffers passes to the stream; buffers given to {@link Listener#onData} belong to the listener,
 * which must release them.
 */
public interface Stream {
    /** Receives a stream's events, always on the stream's event loop. */
    interface Listener {
        /** Bytes from the peer; the listener owns (and must release) {@code data}. */
        void onData(Stream stream, ByteBuf data);

        /** The peer half-closed: no more data will arrive. */
        default void onRemoteClosed(Stream stream) {}

        /** {@link Stream#isWritable()} changed. */
        default void onWritabilityChanged(Stream stream) {}

        /**
         * The stream is over: both sides closed ({@code cause} null) or it was reset or its
         * connection closed ({@code cause} says why). Called exactly once.
         */
        default void onClosed(Stream stream, Libp2pException cause) {}
    }

    /** The negotiated protocol id. */
    String protocol();

    /** The connection this stream belongs to. */
    Connection connection();

    /** Whether we opened this stream. */
    boolean isInitiator();

    /** The event loop every callback of this stream runs on. */
    EventLoop eventLoop();

    /** The allocator for buffers to write. */
    ByteBufAllocator alloc();

    /**
     * Sets the listener. Data that arrived before (for example pipelined behind the protocol
     * negotiation) is delivered to it right away.
     */
    void setListener(Listener listener);

    /**
     * Queues {@code data} for sending (ownership passes to the stream). Writing after
     * {@link #closeWrite()} or after the stream ended releases the buffer and does nothing.
     */
    void write(ByteBuf data);

    /**
     * Bytes of {@link #write written} data handed to the connection so far, in write order (the
     * protocol negotiation is not counted). Written bytes beyond this were still queued; if the
     * stream ends early they were never sent. Any thread.
     */
    long bytesSent();

    /**
     * Completes once every byte {@link #write written} before this call has been handed to the
     * connection (within the peer's flow-control window, as a blocking write returns in go-yamux);
     * exceptionally if the stream ends first, or has ended. Callbacks may run on the event loop:
     * hop elsewhere for anything slow.
     */
    CompletableFuture<Void> whenSent();

    /** Whether the queue of unsent bytes is below the configured high-water mark. */
    boolean isWritable();

    /**
     * Inbound flow control: with auto-read off, received data is held (at most one receive
     * window) and the peer is not granted more window until auto-read is switched back on.
     */
    void setAutoRead(boolean autoRead);

    /** Half-closes our side after everything queued has been sent (Yamux FIN). */
    void closeWrite();

    /** Aborts the stream in both directions (Yamux RST); queued data is dropped. */
    void reset();

    /**
     * Completes when the stream is over: normally once both sides closed, exceptionally (with a
     * {@link Libp2pException}) when it was reset or its connection closed.
     */
    CompletableFuture<Void> closeFuture();
}
