package venus.retrieval.libp2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.multistream.MultistreamNegotiation;

/**
 * One Yamux stream, exposed as a {@link Stream}. All state is touched on the session's event
 * loop only; public methods called from elsewhere hop there first.
 *
 * <p>Flow control: the peer may send at most {@code recvWindow} more bytes. Data counts as
 * consumed when handed to the listener (or the protocol negotiation); once half the window is
 * consumed we grant it back, doubling the window (up to the maximum) when it was used up within
 * a few round trips (or 50 ms). With auto-read off nothing is granted, so at most one window is held.
 */
public final class YamuxStream implements Stream {
    private static final Logger LOG = LoggerFactory.getLogger(YamuxStream.class);

    /** What a protocol negotiation on this stream reports. */
    public interface NegotiationCallback {
        void negotiated(YamuxStream stream, String protocol);

        void failed(YamuxStream stream, Libp2pException cause);
    }

    private final YamuxSession session;
    private final int id;
    private final boolean initiator;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
    private final ArrayDeque<ByteBuf> outbound = new ArrayDeque<>();
    boolean queued;
    private String protocol;
    private Listener listener;
    private MultistreamNegotiation negotiation;
    private NegotiationCallback negotiationCallback;
    private ByteBuf negotiationBuf;
    private boolean autoRead = true;
    private long inboundBytes;
    private long recvWindow;
    private int windowSize;
    private long lastGrantNanos = System.nanoTime();
    private boolean remoteFin;
    private boolean remoteFinDelivered;
    private long pendingBytes;
    private volatile long protocolBytes; // negotiation bytes queued, always ahead of written data
    private volatile long sentBytes; // every byte handed to the session, negotiation included
    private long sendWindow = YamuxConfig.DEFAULT_WINDOW; // what the peer starts granting us
    private volatile boolean writable = true; // read by writers on any thread
    private volatile boolean finRequested;
    private boolean finSent;
    private volatile boolean closed;
    /** {@link #whenSent} futures by the sentBytes each waits for, in order (event loop only). */
    private final ArrayDeque<SentMark> sentMarks = new ArrayDeque<>();

    private record SentMark(long at, CompletableFuture<Void> future) {}

    YamuxStream(YamuxSession session, int id, boolean initiator) {
        this.session = session;
        this.id = id;
        this.initiator = initiator;
        this.windowSize = session.config().initialWindow();
        this.recvWindow = windowSize; // the peer assumes 256 KiB; the rest rides on our SYN or ACK
    }

    /** The window beyond the default 256 KiB that the first frame (SYN or ACK) grants. */
    int initialExtraWindow() {
        return windowSize - YamuxConfig.DEFAULT_WINDOW;
    }

    /** The Yamux stream id. */
    public int id() {
        return id;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public Connection connection() {
        return session.connection();
    }

    @Override
    public boolean isInitiator() {
        return initiator;
    }

    @Override
    public EventLoop eventLoop() {
        return session.ctx().channel().eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return session.ctx().alloc();
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    @Override
    public long bytesSent() {
        return Math.max(0, sentBytes - protocolBytes);
    }

    @Override
    public CompletableFuture<Void> whenSent() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (eventLoop().inEventLoop()) {
            markSent(f);
        } else {
            eventLoop().execute(() -> markSent(f));
        }
        return f;
    }

    private void markSent(CompletableFuture<Void> f) {
        if (closed) {
            // what was written may have been dropped with the stream
            f.completeExceptionally(new Libp2pException(Libp2pException.Reason.CLOSED, "stream " + Integer.toUnsignedString(id) + " ended"));
        } else if (pendingBytes == 0) {
            f.complete(null);
        } else {
            sentMarks.add(new SentMark(sentBytes + pendingBytes, f));
        }
    }

    @Override
    public boolean isWritable() {
        return writable && !closed && !finRequested;
    }

    /**
     * Runs multistream-select on this stream before any listener sees data. Bytes that follow the
     * deciding message stay queued for the listener.
     */
    public void negotiate(MultistreamNegotiation n, NegotiationCallback callback) {
        if (!eventLoop().inEventLoop()) {
            eventLoop().execute(() -> negotiate(n, callback));
            return;
        }
        if (closed) {
            callback.failed(this, new Libp2pException(Libp2pException.Reason.CLOSED, "stream closed before negotiation"));
            return;
        }
        negotiation = n;
        negotiationCallback = callback;
        negotiationBuf = alloc().buffer(64);
        ByteBuf out = alloc().buffer(64);
        n.start(out);
        protocolBytes += out.readableBytes();
        enqueue(out);
    }

    /** Marks the stream as carrying {@code p} without negotiating it (tests, and muxers under test). */
    void assumeProtocol(String p) {
        protocol = p;
    }

    @Override
    public void setListener(Listener l) {
        if (!eventLoop().inEventLoop()) {
            eventLoop().execute(() -> setListener(l));
            return;
        }
        listener = l;
        deliver();
    }

    @Override
    public void setAutoRead(boolean on) {
        if (!eventLoop().inEventLoop()) {
            eventLoop().execute(() -> setAutoRead(on));
            return;
        }
        autoRead = on;
        if (on) {
            deliver();
        }
    }

    @Override
    public void write(ByteBuf data) {
        if (!eventLoop().inEventLoop()) {
            eventLoop().execute(() -> write(data));
            return;
        }
        if (closed || finRequested) {
            data.release();
            return;
        }
        enqueue(data);
    }

    private void enqueue(ByteBuf data) {
        if (!data.isReadable()) {
            data.release();
            return;
        }
        outbound.add(data);
        pendingBytes += data.readableBytes();
        if (writable && pendingBytes >= session.config().maxPendingBytes()) {
            writable = false;
            notifyWritability();
        }
        if (sendWindow > 0) {
            session.schedule(this);
        }
    }

    @Override
    public void closeWrite() {
        if (!eventLoop().inEventLoop()) {
            eventLoop().execute(this::closeWrite);
            return;
        }
        if (closed || finRequested) {
            return;
        }
        finRequested = true;
        session.schedule(this);
    }

    @Override
    public void reset() {
        if (!eventLoop().inEventLoop()) {
            eventLoop().execute(this::reset);
            return;
        }
        if (closed) {
            return;
        }
        if (!session.isClosed()) {
            session.writeFrame(YamuxFrame.control(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, id, 0));
            session.ctx().flush();
        }
        terminate(new Libp2pException(Libp2pException.Reason.RESET, "stream reset locally"));
    }

    // ---- called by the session, on the event loop ----

    void onAck() {
        // the peer accepted the stream; nothing to do: data may flow before the ACK
    }

    void onWindowUpdate(long delta) {
        sendWindow += delta;
        if (sendWindow > 0xFFFF_FFFFL) {
            throw new Libp2pException(Libp2pException.Reason.FLOW_CONTROL, "peer grew stream " + Integer.toUnsignedString(id) + "'s window past 2^32");
        }
        if (wantsToSend()) {
            session.schedule(this);
        }
    }

    void onData(ByteBuf data) {
        int n = data.readableBytes();
        if (closed || remoteFin) {
            data.release(); // data racing a reset or after FIN: drop it
            return;
        }
        if (n > recvWindow) {
            data.release();
            throw new Libp2pException(Libp2pException.Reason.FLOW_CONTROL, "peer sent " + n + " bytes on stream "
                    + Integer.toUnsignedString(id) + " with a window of " + recvWindow);
        }
        recvWindow -= n;
        if (negotiation != null && protocol == null) {
            negotiationBuf.writeBytes(data);
            data.release();
            runNegotiation();
            grantWindow();
            return;
        }
        inbound.add(data);
        inboundBytes += n;
        deliver();
    }

    void onRemoteFin() {
        if (remoteFin) {
            return;
        }
        remoteFin = true;
        if (negotiation != null && protocol == null && !closed) {
            failNegotiation(new Libp2pException(Libp2pException.Reason.NEGOTIATION_FAILED, "peer closed the stream during negotiation"));
            return;
        }
        deliver();
    }

    void onRemoteReset() {
        terminate(new Libp2pException(Libp2pException.Reason.RESET, "stream reset by peer"));
    }

    void onConnectionClosed(Libp2pException cause) {
        terminate(cause);
    }

    boolean wantsToSend() {
        if (closed) {
            return false;
        }
        return (!outbound.isEmpty() && sendWindow > 0) || (finRequested && !finSent && outbound.isEmpty());
    }

    /** Writes at most one Data frame; returns whether something was written. */
    boolean writeOneFrame(int maxFrame) {
        if (closed) {
            return false;
        }
        if (!outbound.isEmpty() && sendWindow > 0) {
            int budget = (int) Math.min(maxFrame, sendWindow);
            int align = session.config().frameAlign();
            if (align > 0 && budget > align) {
                // header + payload a whole number of encrypted frames: no short tail frame per Data frame
                budget = (budget + YamuxFrame.HEADER_LENGTH) / align * align - YamuxFrame.HEADER_LENGTH;
            }
            ByteBuf data = takeOutbound(budget);
            int take = data.readableBytes();
            pendingBytes -= take;
            sendWindow -= take;
            sentBytes += take;
            session.writeFrame(YamuxFrame.data(0, id, data));
            while (!sentMarks.isEmpty() && sentMarks.peek().at() <= sentBytes) {
                sentMarks.poll().future().complete(null);
            }
            if (!writable && pendingBytes <= session.config().maxPendingBytes() / 2) {
                writable = true;
                notifyWritability();
            }
            return true;
        }
        if (finRequested && !finSent && outbound.isEmpty()) {
            // FIN travels alone, as go-yamux sends it: js-yamux drops the payload of a Data frame that carries FIN
            finSent = true;
            session.writeFrame(YamuxFrame.control(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_FIN, id, 0));
            checkFullyClosed();
            return true;
        }
        return false;
    }

    // ---- internals ----

    /**
     * Up to {@code budget} queued bytes as one buffer: several queued writes share a Data frame
     * (a peer pays per frame: js-yamux answers every Data frame with a window update).
     */
    private ByteBuf takeOutbound(int budget) {
        ByteBuf head = outbound.peek();
        if (head.readableBytes() >= budget) {
            return head.readableBytes() == budget ? outbound.poll() : head.readRetainedSlice(budget);
        }
        ByteBuf first = outbound.poll();
        if (outbound.isEmpty()) {
            return first;
        }
        CompositeByteBuf c = alloc().compositeBuffer(64);
        c.addComponent(true, first);
        while (c.readableBytes() < budget && !outbound.isEmpty() && c.numComponents() < 64) {
            ByteBuf h = outbound.peek();
            int n = Math.min(budget - c.readableBytes(), h.readableBytes());
            c.addComponent(true, n == h.readableBytes() ? outbound.poll() : h.readRetainedSlice(n));
        }
        return c;
    }

    private void runNegotiation() {
        ByteBuf reply = alloc().buffer(64);
        String selected;
        try {
            selected = negotiation.onInbound(negotiationBuf, reply);
        } catch (Libp2pException e) {
            reply.release();
            failNegotiation(e);
            return;
        }
        if (reply.isReadable()) {
            protocolBytes += reply.readableBytes();
            enqueue(reply);
        } else {
            reply.release();
        }
        if (selected == null) {
            return;
        }
        protocol = selected;
        ByteBuf rest = negotiationBuf;
        negotiationBuf = null;
        NegotiationCallback cb = negotiationCallback;
        negotiationCallback = null;
        if (rest.isReadable()) {
            inbound.addFirst(rest);
            inboundBytes += rest.readableBytes();
        } else {
            rest.release();
        }
        cb.negotiated(this, selected);
        if (remoteFin) {
            deliver();
        }
    }

    private void failNegotiation(Libp2pException cause) {
        NegotiationCallback cb = negotiationCallback;
        negotiationCallback = null;
        reset();
        if (cb != null) {
            cb.failed(this, cause);
        }
    }

    private void deliver() {
        if (closed || listener == null || protocol == null) {
            return;
        }
        while (autoRead && !inbound.isEmpty() && !closed && listener != null) {
            ByteBuf b = inbound.poll();
            inboundBytes -= b.readableBytes();
            try {
                listener.onData(this, b);
            } catch (RuntimeException e) {
                LOG.warn("stream {} ({}) handler failed, resetting it: {}", Integer.toUnsignedString(id), protocol, e.toString());
                reset();
                return;
            }
        }
        grantWindow();
        if (remoteFin && inbound.isEmpty() && !remoteFinDelivered && !closed && listener != null) {
            remoteFinDelivered = true;
            try {
                listener.onRemoteClosed(this);
            } catch (RuntimeException e) {
                LOG.warn("stream {} ({}) handler failed, resetting it: {}", Integer.toUnsignedString(id), protocol, e.toString());
                reset();
                return;
            }
            checkFullyClosed();
        }
    }

    private void grantWindow() {
        if (closed || remoteFin || !autoRead) {
            return;
        }
        long grant = windowSize - recvWindow - inboundBytes;
        if (grant < windowSize / 2) {
            return;
        }
        long now = System.nanoTime();
        long rtt = session.rttNanos;
        int max = session.config().maxWindow();
        // grow when a whole window went by within a few round trips, or within 50 ms (a stream moving
        // more than window/50ms is worth a bigger window even when loopback RTTs are microseconds)
        if (windowSize < max && now - lastGrantNanos < Math.max(4 * rtt, 50_000_000L)) {
            windowSize = (int) Math.min((long) windowSize * 2, max); // the window, not the reader, is the bottleneck
            grant = windowSize - recvWindow - inboundBytes;
        }
        lastGrantNanos = now;
        recvWindow += grant;
        session.writeFrame(YamuxFrame.control(YamuxFrame.TYPE_WINDOW_UPDATE, 0, id, (int) grant));
        session.ctx().flush();
    }

    private void checkFullyClosed() {
        if (!closed && finSent && remoteFinDelivered) {
            closed = true;
            session.removeStream(this);
            releaseAll();
            Listener l = listener;
            if (l != null) {
                try {
                    l.onClosed(this, null);
                } catch (RuntimeException e) {
                    LOG.warn("stream {} ({}) close handler failed: {}", Integer.toUnsignedString(id), protocol, e.toString());
                }
            }
            closeFuture.complete(null);
        }
    }

    private void terminate(Libp2pException cause) {
        if (closed) {
            return;
        }
        closed = true;
        session.removeStream(this);
        releaseAll();
        NegotiationCallback cb = negotiationCallback;
        negotiationCallback = null;
        if (cb != null) {
            cb.failed(this, cause);
        }
        Listener l = listener;
        if (l != null) {
            try {
                l.onClosed(this, cause);
            } catch (RuntimeException e) {
                LOG.warn("stream {} ({}) close handler failed: {}", Integer.toUnsignedString(id), protocol, e.toString());
            }
        }
        closeFuture.completeExceptionally(cause);
    }

    private void releaseAll() {
        ByteBuf b;
        while ((b = inbound.poll()) != null) {
            b.release();
        }
        while ((b = outbound.poll()) != null) {
            b.release();
        }
        if (negotiationBuf != null) {
            negotiationBuf.release();
            negotiationBuf = null;
        }
        inboundBytes = 0;
        pendingBytes = 0;
        SentMark m;
        while ((m = sentMarks.poll()) != null) {
            m.future().completeExceptionally(new Libp2pException(Libp2pException.Reason.CLOSED,
                    "stream " + Integer.toUnsignedString(id) + " ended before its data was sent"));
        }
    }

    private void notifyWritability() {
        Listener l = listener;
        if (l != null && protocol != null) {
            try {
                l.onWritabilityChanged(this);
            } catch (RuntimeException e) {
                LOG.warn("stream {} ({}) writability handler failed: {}", Integer.toUnsignedString(id), protocol, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "YamuxStream(" + Integer.toUnsignedString(id) + ", " + protocol + ")";
    }
}
