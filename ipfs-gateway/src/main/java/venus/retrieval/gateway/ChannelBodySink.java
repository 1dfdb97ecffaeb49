package venus.retrieval.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's {@link BodySink}: batches small writes into chunks, hands them to the channel from
 * the worker thread, and blocks the worker while the channel is not writable. That is the whole
 * backpressure story: at most one chunk beyond the channel's high-water mark is ever queued, so a
 * client that reads slowly (or not at all) costs a parked thread, never memory.
 */
final class ChannelBodySink implements BodySink {
    /** Bytes gathered before a write; also the largest single write. */
    static final int CHUNK = 64 * 1024;
    /** Zero-copy regions are written in slices of this size so progress can be tracked. */
    private static final long REGION = 4L << 20;

    private final Channel channel;
    private final boolean zeroCopy;
    private final long stallNanos;
    private final GatewayStats stats;
    private final Object lock = new Object();
    private ByteBuf pending;
    private long written;
    private final AtomicLong delivered = new AtomicLong();
    private volatile ChannelFuture lastWrite;
    private volatile Throwable failure;

    ChannelBodySink(Channel channel, boolean zeroCopy, long stallNanos, GatewayStats stats) {
        this.channel = channel;
        this.zeroCopy = zeroCopy;
        this.stallNanos = stallNanos;
        this.stats = stats;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            check();
            if (pending == null) {
                pending = channel.alloc().buffer(Math.min(CHUNK, Math.max(len, 256)), CHUNK);
            }
            int n = Math.min(len, pending.maxWritableBytes());
            pending.writeBytes(b, off, n);
            off += n;
            len -= n;
            written += n;
            // maxWritableBytes, not isWritable(): the buffer starts small and grows up to CHUNK
            if (pending.maxWritableBytes() == 0) {
                flushPending();
            }
        }
    }

    @Override
    public void writeFile(Path file, long position, long count) throws IOException {
        flushPending();
        if (count == 0) {
            return;
        }
        if (zeroCopy) {
            long end = position + count;
            ChannelFuture last = null;
            for (long p = position; p < end; p += REGION) {
                check();
                long n = Math.min(REGION, end - p);
                ChannelFuture f = channel.writeAndFlush(new DefaultFileRegion(file.toFile(), p, n), tracked(n));
                // Keep at most two regions queued: the previous one must finish before a third is added.
                if (last != null) {
                    awaitDone(last);
                }
                last = f;
                written += n;
                stats.zeroCopyBytes.addAndGet(n);
            }
            if (last != null) {
                awaitDone(last);
            }
            return;
        }
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ)) {
            long p = position;
            long end = position + count;
            while (p < end) {
                check();
                int n = (int) Math.min(CHUNK, end - p);
                ByteBuf buf = channel.alloc().directBuffer(n);
                try {
                    while (buf.writerIndex() < n) {
                        int r = buf.writeBytes(fc, p + buf.writerIndex(), n - buf.writerIndex());
                        if (r < 0) {
                            throw new IOException("file " + file + " ends before byte " + end);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    buf.release();
                    throw e;
                }
                p += n;
                written += n;
                send(buf);
            }
        }
    }

    /** Sends what is gathered; called before the last content. */
    void finish() throws IOException {
        flushPending();
    }

    /** Drops a gathered buffer that was never sent (the response was abandoned). */
    void discard() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /** Body bytes handed to the connection so far (some may still be queued, or be dropped on close). */
    long written() {
        return written;
    }

    /**
     * Body bytes the transport has written out so far: what a paid gate may charge for. Final once
     * {@link #lastWrite()} is done (a channel completes its writes in order).
     */
    long delivered() {
        return delivered.get();
    }

    /** The future of the last body write, or null when nothing was written. */
    ChannelFuture lastWrite() {
        return lastWrite;
    }

    /**
     * A promise that adds the bytes of one write to {@link #delivered} as the transport reports
     * progress (cleartext HTTP/1.1: partial socket writes count) or, at the latest, on success.
     */
    private ChannelProgressivePromise tracked(long n) {
        ChannelProgressivePromise p = channel.newProgressivePromise();
        p.addListener(new ChannelProgressiveFutureListener() {
            private long counted;

            @Override
            public void operationProgressed(ChannelProgressiveFuture f, long progress, long total) {
                // only progress of this very message (an encoder may hand the promise to a framing buffer)
                if (total == n && progress > counted && progress <= n) {
                    delivered.addAndGet(progress - counted);
                    counted = progress;
                }
            }

            @Override
            public void operationComplete(ChannelProgressiveFuture f) {
                if (f.isSuccess()) {
                    delivered.addAndGet(n - counted);
                    counted = n;
                } else {
                    noteFailure(f);
                }
            }
        });
        lastWrite = p;
        return p;
    }

    /** Wakes a waiting writer: the channel's writability changed or it closed. */
    void signal() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private void flushPending() throws IOException {
        if (pending != null) {
            ByteBuf b = pending;
            pending = null;
            if (b.isReadable()) {
                send(b);
            } else {
                b.release();
            }
        }
    }

    private void send(ByteBuf buf) throws IOException {
        if (!channel.isActive()) {
            buf.release();
            throw new ClosedChannelException();
        }
        channel.writeAndFlush(new DefaultHttpContent(buf), tracked(buf.readableBytes()));
        notePending();
        awaitWritable();
    }

    private void noteFailure(io.netty.util.concurrent.Future<?> f) {
        if (!f.isSuccess() && failure == null) {
            failure = f.cause();
            signal();
        }
    }

    private void check() throws IOException {
        Throwable t = failure;
        if (t != null) {
            throw t instanceof IOException ? (IOException) t : new IOException(t);
        }
        if (!channel.isActive()) {
            throw new ClosedChannelException();
        }
    }

    private void notePending() {
        ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        if (ob == null && channel instanceof io.netty.handler.codec.http2.Http2StreamChannel && channel.parent() != null) {
            ob = channel.parent().unsafe().outboundBuffer();
        }
        if (ob != null) {
            stats.notePending(ob.totalPendingWriteBytes());
        }
    }

    private void awaitWritable() throws IOException {
        if (channel.isWritable()) {
            return;
        }
        stats.writeStalls.incrementAndGet();
        long deadline = System.nanoTime() + stallNanos;
        synchronized (lock) {
            while (!channel.isWritable()) {
                check();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("client stalled: no progress within the request timeout");
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the client", e);
                }
            }
        }
        check();
    }

    private void awaitDone(ChannelFuture f) throws IOException {
        try {
            if (!f.await(TimeUnit.NANOSECONDS.toMillis(stallNanos))) {
                throw new IOException("client stalled: no progress within the request timeout");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the client", e);
        }
        check();
    }
}
