package venus.retrieval.node.graphsync;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;

/**
 * Our one outbound graphsync stream to a peer (as go-graphsync keeps one per peer), opened on the
 * existing connection when there is something to send, reopened after the peer reset an idle one.
 *
 * <p>Backpressure: frames wait in our queue and move into the stream only while it is writable;
 * producers ask {@link #hasRoom()} before building a message and park with {@link #whenRoom}
 * otherwise. Bytes in flight per peer stay under {@link #BUDGET} plus the stream's own buffer.
 */
final class PeerSender implements Stream.Listener {
    /** Queued bytes above which producers wait. */
    static final long BUDGET = 8L << 20;

    private final Host host;
    private final PeerId peer;
    private final Consumer<Throwable> onFailure;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private final List<Runnable> waiters = new ArrayList<>();
    private long queuedBytes;
    private Stream stream;
    private boolean opening;
    private boolean dead;

    /** A queued frame; {@code sent} (may be null) hears when it was handed to the connection. */
    private record Frame(ByteBuf buf, CompletableFuture<Void> sent) {}

    PeerSender(Host host, PeerId peer, Consumer<Throwable> onFailure) {
        this.host = host;
        this.peer = peer;
        this.onFailure = onFailure;
    }

    synchronized boolean hasRoom() {
        return dead || queuedBytes < BUDGET;
    }

    synchronized boolean isDead() {
        return dead;
    }

    /** Runs {@code r} (on the caller's thread or later) once there is room or the sender died. */
    void whenRoom(Runnable r) {
        synchronized (this) {
            if (!hasRoom()) {
                waiters.add(r);
                return;
            }
        }
        r.run();
    }

    /** Queues one message (encoded with its length prefix, blocks wrapped rather than copied). */
    void send(GsMessage m) {
        enqueue(GraphsyncCodec.encodeFramed(m), null);
    }

    /**
     * Queues one message; the result completes once it was handed to the connection
     * (go-graphsync's "sent"), exceptionally when the peer's connection fails first.
     */
    CompletableFuture<Void> sendTracked(GsMessage m) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        enqueue(GraphsyncCodec.encodeFramed(m), sent);
        return sent;
    }

    /** Queues one framed message; takes ownership of {@code frame}. */
    private void enqueue(ByteBuf frame, CompletableFuture<Void> sent) {
        Stream s;
        synchronized (this) {
            if (dead) {
                frame.release();
                if (sent != null) {
                    sent.completeExceptionally(new Libp2pException(Libp2pException.Reason.CLOSED, "connection to " + peer + " failed"));
                }
                return;
            }
            queue.add(new Frame(frame, sent));
            queuedBytes += frame.readableBytes();
            s = stream;
            if (s == null && !opening) {
                opening = true;
                open();
                return;
            }
        }
        if (s != null) {
            s.eventLoop().execute(this::drain);
        }
    }

    private void open() {
        host.newStream(peer, List.of(Graphsync.PROTOCOL)).whenComplete((s, err) -> {
            if (err != null) {
                fail(err);
                return;
            }
            synchronized (this) {
                opening = false;
                if (dead) {
                    s.reset();
                    return;
                }
                stream = s;
            }
            s.setListener(this);
            s.eventLoop().execute(this::drain);
        });
    }

    /** Moves queued frames into the stream while it is writable (on its event loop). */
    private void drain() {
        List<Runnable> wake = null;
        synchronized (this) {
            Stream s = stream;
            if (s == null) {
                return;
            }
            while (!queue.isEmpty() && s.isWritable()) {
                Frame f = queue.poll();
                queuedBytes -= f.buf().readableBytes();
                s.write(f.buf());
                if (f.sent() != null) {
                    // on the event loop, so the mark is this frame's end
                    s.whenSent().whenComplete((v, e) -> {
                        if (e == null) {
                            f.sent().complete(null);
                        } else {
                            f.sent().completeExceptionally(e);
                        }
                    });
                }
            }
            if ((queuedBytes < BUDGET / 2 || dead) && !waiters.isEmpty()) {
                wake = new ArrayList<>(waiters);
                waiters.clear();
            }
        }
        if (wake != null) {
            wake.forEach(Runnable::run);
        }
    }

    @Override
    public void onData(Stream s, ByteBuf data) {
        data.release(); // the peer answers on its own stream, never on ours
    }

    @Override
    public void onWritabilityChanged(Stream s) {
        drain();
    }

    @Override
    public void onClosed(Stream s, Libp2pException cause) {
        boolean reopen;
        synchronized (this) {
            if (stream == s) {
                stream = null;
            }
            reopen = !dead && s.connection().isOpen() && !queue.isEmpty();
            if (reopen) {
                opening = true;
            }
        }
        if (reopen) {
            open();
        } else if (!s.connection().isOpen()) {
            fail(cause != null ? cause : new Libp2pException(Libp2pException.Reason.CLOSED, "connection to " + peer + " closed"));
        }
    }

    /** The peer is gone: drop what is queued, wake waiters, tell the owner. */
    void fail(Throwable cause) {
        List<Runnable> wake;
        synchronized (this) {
            if (dead) {
                return;
            }
            dead = true;
            opening = false;
            dropQueue(cause);
            queuedBytes = 0;
            wake = new ArrayList<>(waiters);
            waiters.clear();
        }
        wake.forEach(Runnable::run);
        onFailure.accept(cause);
    }

    /** Releases what is queued; its tracked frames were never sent (caller holds this). */
    private void dropQueue(Throwable cause) {
        for (Frame f : queue) {
            f.buf().release();
            if (f.sent() != null) {
                f.sent().completeExceptionally(cause);
            }
        }
        queue.clear();
    }

    /** Half-closes the stream after what is queued (node shutdown). */
    void close() {
        Stream s;
        synchronized (this) {
            dead = true;
            s = stream;
            dropQueue(new Libp2pException(Libp2pException.Reason.CLOSED, "graphsync closed"));
        }
        if (s != null) {
            s.closeWrite();
        }
    }
}
