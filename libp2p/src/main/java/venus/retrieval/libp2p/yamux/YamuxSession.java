package venus.retrieval.libp2p.yamux;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.Libp2pException;

/**
 * The Yamux session logic of one connection (it sees {@link YamuxFrame}s only). The dialer is
 * the client (odd stream ids), the listener the server (even ids). Outbound data leaves in
 * round-robin frames of at most {@code maxDataFrame} bytes, within each stream's send window and
 * only while the channel is writable, so nothing queues without bound below the streams.
 */
public final class YamuxSession extends ChannelDuplexHandler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(YamuxSession.class);
    private final boolean client;
    private final YamuxConfig config;
    private final Consumer<YamuxStream> onInbound;
    private final StreamCounters counters;
    private final IntObjectMap<YamuxStream> streams = new IntObjectHashMap<>();
    private final ArrayDeque<YamuxStream> sendQueue = new ArrayDeque<>();
    private final Map<Integer, CompletableFuture<Long>> pings = new HashMap<>();
    private final Map<Integer, Long> pingStarts = new HashMap<>();
    private ChannelHandlerContext ctx;
    private Connection connection;
    private int nextStreamId;
    private long lastRemoteId;
    private int nextPing = 1;
    private int rejected;
    private boolean localGoAway;
    private boolean remoteGoAway;
    private boolean closed;
    private boolean flushing;
    private boolean probed;
    volatile long rttNanos;

    /**
     * @param client    true on the dialer's side
     * @param onInbound called (on the event loop) for every stream the peer opens
     */
    public YamuxSession(boolean client, YamuxConfig config, Consumer<YamuxStream> onInbound) {
        this(client, config, onInbound, new StreamCounters());
    }

    /**
     * As {@link #YamuxSession(boolean, YamuxConfig, Consumer)}, counting this session's streams in
     * {@code counters} (shared by the host's sessions).
     */
    public YamuxSession(boolean client, YamuxConfig config, Consumer<YamuxStream> onInbound, StreamCounters counters) {
        this.client = client;
        this.config = config;
        this.onInbound = onInbound;
        this.counters = java.util.Objects.requireNonNull(counters, "counters");
        this.nextStreamId = client ? 1 : 2;
    }

    /** Sets the connection streams report as theirs. */
    public void setConnection(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    YamuxConfig config() {
        return config;
    }

    ChannelHandlerContext ctx() {
        return ctx;
    }

    /** Number of open streams. */
    public int streamCount() {
        return streams.size();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            probeRtt();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        probeRtt(); // added before the connection was up
        ctx.fireChannelActive();
    }

    /** Measures the round trip once: receive windows grow when a window is used up within a few RTTs. */
    private void probeRtt() {
        if (!probed) {
            probed = true;
            ping();
        }
    }

    /**
     * Opens a new outbound stream (on the event loop); its SYN goes out at once.
     *
     * @throws Libp2pException CLOSED or LIMIT_EXCEEDED
     */
    public YamuxStream openStream() {
        if (closed || localGoAway || remoteGoAway) {
            throw new Libp2pException(Libp2pException.Reason.CLOSED, "Yamux session is going away");
        }
        if (streams.size() >= config.maxStreams()) {
            throw new Libp2pException(Libp2pException.Reason.LIMIT_EXCEEDED, "too many streams (" + config.maxStreams() + ")");
        }
        if (nextStreamId < 0) {
            throw new Libp2pException(Libp2pException.Reason.LIMIT_EXCEEDED, "Yamux stream ids exhausted");
        }
        int id = nextStreamId;
        nextStreamId += 2;
        YamuxStream s = new YamuxStream(this, id, true);
        streams.put(id, s);
        counters.opened(true);
        writeFrame(YamuxFrame.control(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, id, s.initialExtraWindow()));
        ctx.flush();
        return s;
    }

    /** Sends a Yamux ping; completes with the round trip in nanoseconds. */
    public CompletableFuture<Long> ping() {
        CompletableFuture<Long> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new Libp2pException(Libp2pException.Reason.CLOSED, "session closed"));
            return f;
        }
        int id = nextPing++;
        pings.put(id, f);
        pingStarts.put(id, System.nanoTime());
        writeFrame(YamuxFrame.control(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, id));
        ctx.flush();
        return f;
    }

    /** Sends go-away (no new streams either way) with {@code code}. */
    public void goAway(int code) {
        if (!localGoAway && !closed) {
            localGoAway = true;
            writeFrame(YamuxFrame.control(YamuxFrame.TYPE_GO_AWAY, 0, 0, code));
            ctx.flush();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof YamuxFrame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        YamuxFrame f = (YamuxFrame) msg;
        if (LOG.isTraceEnabled()) {
            LOG.trace("in  {}", f);
        }
        try {
            switch (f.type()) {
                case YamuxFrame.TYPE_DATA:
                case YamuxFrame.TYPE_WINDOW_UPDATE:
                    onStreamFrame(f);
                    break;
                case YamuxFrame.TYPE_PING:
                    onPing(f);
                    break;
                case YamuxFrame.TYPE_GO_AWAY:
                    remoteGoAway = true;
                    if (f.length() != YamuxFrame.GO_AWAY_NORMAL) {
                        throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "peer sent go-away with error code " + f.length());
                    }
                    break;
                default:
                    throw new AssertionError(f.type());
            }
        } finally {
            f.release();
        }
    }

    private void onPing(YamuxFrame f) {
        if (f.streamId() != 0) {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "Yamux ping on stream " + f.streamId());
        }
        if (f.hasFlag(YamuxFrame.FLAG_SYN)) {
            writeFrame(YamuxFrame.control(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_ACK, 0, f.length()));
            ctx.flush();
        } else if (f.hasFlag(YamuxFrame.FLAG_ACK)) {
            CompletableFuture<Long> p = pings.remove(f.length());
            Long start = pingStarts.remove(f.length());
            if (p != null) {
                long rtt = System.nanoTime() - start;
                rttNanos = rtt;
                p.complete(rtt);
            }
        }
    }

    private void onStreamFrame(YamuxFrame f) {
        int id = f.streamId();
        if (id == 0) {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "Yamux stream frame on stream 0");
        }
        YamuxStream s;
        if (f.hasFlag(YamuxFrame.FLAG_SYN)) {
            s = accept(id);
            if (s == null) {
                return;
            }
        } else {
            s = streams.get(id);
            if (s == null) {
                return; // late frames for a stream that already ended
            }
        }
        if (f.hasFlag(YamuxFrame.FLAG_ACK)) {
            s.onAck();
        }
        if (f.type() == YamuxFrame.TYPE_WINDOW_UPDATE) {
            s.onWindowUpdate(Integer.toUnsignedLong(f.length()));
        } else if (f.length() > 0) {
            s.onData(f.data().retain());
        }
        if (f.hasFlag(YamuxFrame.FLAG_RST)) {
            s.onRemoteReset();
        } else if (f.hasFlag(YamuxFrame.FLAG_FIN)) {
            s.onRemoteFin();
        }
    }

    private YamuxStream accept(int id) {
        long uid = Integer.toUnsignedLong(id);
        boolean remoteParity = client ? (id & 1) == 0 : (id & 1) == 1;
        if (!remoteParity) {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "peer opened stream " + uid + " with our parity");
        }
        if (uid <= lastRemoteId) {
            throw new Libp2pException(Libp2pException.Reason.PROTOCOL_VIOLATION, "peer reused or reordered stream id " + uid);
        }
        lastRemoteId = uid;
        if (localGoAway || closed || streams.size() >= config.maxStreams()) {
            writeFrame(YamuxFrame.control(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, id, 0));
            ctx.flush();
            // a peer that keeps opening streams we keep refusing is flooding us
            if (++rejected > 4 * config.maxStreams()) {
                throw new Libp2pException(Libp2pException.Reason.LIMIT_EXCEEDED, "peer opened " + rejected + " streams over the limit of " + config.maxStreams());
            }
            return null;
        }
        YamuxStream s = new YamuxStream(this, id, false);
        streams.put(id, s);
        counters.opened(false);
        writeFrame(YamuxFrame.control(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_ACK, id, s.initialExtraWindow()));
        onInbound.accept(s);
        return s;
    }

    /** A stream has data to send and window to send it in. */
    void schedule(YamuxStream s) {
        if (!s.queued) {
            s.queued = true;
            sendQueue.add(s);
        }
        flushStreams();
    }

    /** Sends queued stream data while the channel takes it. */
    void flushStreams() {
        if (flushing || ctx == null) {
            return;
        }
        flushing = true;
        boolean wrote = false;
        try {
            while (ctx.channel().isWritable() && !sendQueue.isEmpty()) {
                YamuxStream s = sendQueue.poll();
                s.queued = false;
                wrote |= s.writeOneFrame(config.maxDataFrame());
                if (s.wantsToSend() && !s.queued) {
                    s.queued = true;
                    sendQueue.add(s);
                }
            }
        } finally {
            flushing = false;
        }
        if (wrote) {
            ctx.flush();
        }
    }

    void writeFrame(YamuxFrame f) {
        if (LOG.isTraceEnabled()) {
            LOG.trace("out {}", f);
        }
        ctx.write(f, ctx.voidPromise());
    }

    void removeStream(YamuxStream s) {
        // only the map's removal counts: a stream ended twice (reset after FIN, or by closeAll) ends once
        if (streams.remove(s.id()) != null) {
            counters.ended(1);
        }
        sendQueue.remove(s);
        s.queued = false;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush(); // answers to what was just read (ACKs, pongs, resets) leave together
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            flushStreams();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAll(new Libp2pException(Libp2pException.Reason.CLOSED, "connection closed"));
        ctx.fireChannelInactive();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        goAway(YamuxFrame.GO_AWAY_NORMAL);
        ctx.close(promise);
    }

    private void closeAll(Libp2pException cause) {
        if (closed) {
            return;
        }
        closed = true;
        List<YamuxStream> all = new ArrayList<>(streams.values());
        streams.clear();
        counters.ended(all.size());
        sendQueue.clear();
        for (YamuxStream s : all) {
            s.onConnectionClosed(cause);
        }
        pings.values().forEach(p -> p.completeExceptionally(cause));
        pings.clear();
    }

    boolean isClosed() {
        return closed;
    }
}
