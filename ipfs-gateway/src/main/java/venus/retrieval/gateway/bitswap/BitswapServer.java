package venus.retrieval.gateway.bitswap;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.gateway.GatewayException;
import venus.retrieval.ipld.Varint;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.ConnectionListener;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;

/**
 * Bitswap 1.2.0, 1.1.0 and 1.0.0 on a libp2p {@link Host}: reads every inbound bitswap stream
 * until EOF (a peer may send many messages on one stream) and answers on a stream we open to the
 * peer, negotiated with the version the peer used. That stream is reused while answers keep
 * flowing and half-closed after {@value #IDLE_CLOSE_MILLIS} ms without one (Helia drops inbound
 * bitswap streams idle for 10 s).
 * A malformed or oversized message resets the stream it came on; the connection stays.
 */
public final class BitswapServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BitswapServer.class);

    private final Host host;
    private final BitswapEngine engine;
    /** A reply stream idle this long is half-closed (Helia drops inbound bitswap streams silent for 10 s). */
    static final long IDLE_CLOSE_MILLIS = 3000;

    private final Map<PeerId, PeerOutbox> outboxes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService idleTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vrn-bitswap-idle");
        t.setDaemon(true);
        return t;
    });
    private final ConnectionListener connections = new ConnectionListener() {
        @Override
        public void onDisconnected(Connection connection) {
            PeerId peer = connection.remotePeer();
            if (host.connection(peer) == null) {
                engine.peerGone(peer);
                outboxes.remove(peer);
            }
        }
    };

    /** Registers the four protocol ids on {@code host} (before it starts, so identify lists them). */
    public BitswapServer(Host host, BitswapEngine engine) {
        this.host = host;
        this.engine = engine;
        for (String id : BitswapProtocol.IDS) {
            BitswapProtocol proto = BitswapProtocol.of(id);
            host.setHandler(id, stream -> stream.setListener(new Inbound(proto)));
        }
        host.addConnectionListener(connections);
    }

    /** The engine (ledgers, scheduler, counters). */
    public BitswapEngine engine() {
        return engine;
    }

    /** Unregisters the protocols and stops the engine. */
    @Override
    public void close() {
        for (String id : BitswapProtocol.IDS) {
            host.removeHandler(id);
        }
        host.removeConnectionListener(connections);
        engine.close();
        idleTimer.shutdownNow();
        for (PeerOutbox o : outboxes.values()) {
            o.closeNow();
        }
        outboxes.clear();
    }

    /** Encodes {@code m} with its length prefix. */
    static byte[] frame(BitswapMessage m) {
        byte[] body = BitswapCodec.encode(m);
        byte[] out = new byte[Varint.size(body.length) + body.length];
        int off = Varint.write(body.length, out, 0);
        System.arraycopy(body, 0, out, off, body.length);
        return out;
    }

    /** One inbound stream: decodes messages until EOF and hands them to the engine. */
    private final class Inbound implements Stream.Listener {
        private final BitswapProtocol proto;
        private BitswapFrameDecoder decoder;

        Inbound(BitswapProtocol proto) {
            this.proto = proto;
        }

        @Override
        public void onData(Stream stream, ByteBuf data) {
            if (decoder == null) {
                decoder = new BitswapFrameDecoder(stream.alloc(), engine.config().maxMessageBytes());
            }
            List<BitswapMessage> messages;
            try {
                messages = decoder.decode(data);
            } catch (GatewayException e) {
                LOG.info("bitswap peer {}: {}; resetting the stream", stream.connection().remotePeer(), e.getMessage());
                decoder.release();
                stream.reset();
                return;
            }
            if (messages.isEmpty()) {
                return;
            }
            Connection c = stream.connection();
            PeerId peer = c.remotePeer();
            PeerOutbox out = outboxes.compute(peer, (p, o) -> o != null && o.connection.isOpen() && o.proto == proto ? o : new PeerOutbox(p, c, proto));
            for (BitswapMessage m : messages) {
                engine.receive(peer, proto, m, out);
            }
        }

        @Override
        public void onRemoteClosed(Stream stream) {
            stream.closeWrite(); // we never answer on the peer's stream
        }

        @Override
        public void onClosed(Stream stream, Libp2pException cause) {
            if (decoder != null) {
                decoder.release();
            }
        }
    }

    /**
     * Our stream to one peer, opened on demand, kept while answers keep flowing (so a DAG walk's
     * many small rounds do not each pay a stream negotiation) and half-closed once it has been idle
     * for {@link #IDLE_CLOSE_MILLIS}. Sends and the idle close are serialized on this object; the
     * close runs on a timer thread, never on the event loop a send may be waiting for.
     *
     * <p>Each message's delivery is settled by the stream's {@link Stream#bytesSent()}: sent once
     * its last byte left, lost if the stream ended before that (the engine then queues its wants
     * again).
     */
    private final class PeerOutbox implements BitswapEngine.Outbox {
        final PeerId peer;
        final Connection connection;
        final BitswapProtocol proto;
        private final java.util.concurrent.atomic.AtomicReference<Reply> reply = new java.util.concurrent.atomic.AtomicReference<>();
        private long lastSend;
        private boolean closeScheduled;

        PeerOutbox(PeerId peer, Connection connection, BitswapProtocol proto) {
            this.peer = peer;
            this.connection = connection;
            this.proto = proto;
        }

        @Override
        public boolean isWritable() {
            Reply r = reply.get();
            return r == null ? connection.isOpen() : r.stream.isWritable();
        }

        @Override
        public void send(BitswapMessage message, BitswapEngine.Delivery delivery) {
            List<BitswapEngine.Delivery> settled;
            synchronized (this) {
                Reply r = reply.get();
                if (r == null || r.ended()) {
                    r = open();
                    if (r == null) {
                        delivery.lost();
                        return;
                    }
                }
                byte[] bytes = frame(message);
                ByteBuf buf = r.stream.alloc().buffer(bytes.length);
                buf.writeBytes(bytes);
                settled = r.write(buf, delivery);
                lastSend = System.nanoTime();
            }
            if (settled == null) {
                delivery.lost();
                return;
            }
            settled.forEach(BitswapEngine.Delivery::sent);
        }

        private Reply open() {
            Stream s;
            try {
                s = connection.newStream(List.of(proto.id())).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.info("bitswap peer {}: cannot open a stream to answer: {}", peer, e.getMessage());
                return null;
            }
            Reply r = new Reply(s);
            s.setListener(new Stream.Listener() {
                @Override
                public void onData(Stream st, ByteBuf data) {
                    data.release(); // peers do not answer on our stream
                }

                @Override
                public void onRemoteClosed(Stream st) {
                    // the peer closed its side (Helia does at once); we keep writing
                }

                @Override
                public void onWritabilityChanged(Stream st) {
                    if (st.isWritable()) {
                        engine.writable(peer);
                    }
                }

                @Override
                public void onClosed(Stream st, Libp2pException cause) {
                    // Not under the outbox's lock: a send may hold it while it waits for this event loop.
                    List<BitswapEngine.Delivery> sent = new ArrayList<>();
                    List<BitswapEngine.Delivery> lost = new ArrayList<>();
                    r.end(sent, lost);
                    reply.compareAndSet(r, null);
                    sent.forEach(BitswapEngine.Delivery::sent);
                    if (!lost.isEmpty()) {
                        LOG.debug("bitswap peer {}: reply stream ended with {} messages unsent ({})", peer, lost.size(),
                                cause == null ? "closed" : cause.getMessage());
                        lost.forEach(BitswapEngine.Delivery::lost);
                    }
                    engine.writable(peer); // a fresh stream may be opened
                }
            });
            reply.set(r);
            return r;
        }

        @Override
        public void idle() {
            List<BitswapEngine.Delivery> settled;
            synchronized (this) {
                Reply r = reply.get();
                if (r == null) {
                    return;
                }
                settled = r.settled();
                if (!closeScheduled) {
                    closeScheduled = true;
                    try {
                        idleTimer.schedule(this::closeIfIdle, IDLE_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        closeScheduled = false; // shutting down
                    }
                }
            }
            settled.forEach(BitswapEngine.Delivery::sent);
        }

        private synchronized void closeIfIdle() {
            closeScheduled = false;
            long idleNanos = System.nanoTime() - lastSend;
            if (idleNanos >= TimeUnit.MILLISECONDS.toNanos(IDLE_CLOSE_MILLIS)) {
                closeNow();
            } else if (reply.get() != null) {
                try {
                    idleTimer.schedule(this::closeIfIdle, TimeUnit.MILLISECONDS.toNanos(IDLE_CLOSE_MILLIS) - idleNanos, TimeUnit.NANOSECONDS);
                    closeScheduled = true;
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    closeNow(); // shutting down
                }
            }
        }

        /** Half-closes the stream; what is queued on it still goes out (and is settled when it ends). */
        synchronized void closeNow() {
            Reply r = reply.getAndSet(null);
            if (r != null) {
                r.stream.closeWrite();
            }
        }
    }

    /**
     * One reply stream and the messages written to it whose delivery is not settled yet. Its own
     * lock (never held while waiting for anything) guards it, so the event loop can settle it.
     */
    private static final class Reply {
        final Stream stream;
        /** End offset (in written bytes) of each unsettled message, oldest first, parallel to {@link #deliveries}. */
        private final ArrayDeque<Long> ends = new ArrayDeque<>();
        private final ArrayDeque<BitswapEngine.Delivery> deliveries = new ArrayDeque<>();
        private long written;
        private boolean ended;

        Reply(Stream stream) {
            this.stream = stream;
        }

        synchronized boolean ended() {
            return ended;
        }

        /**
         * Writes one message and tracks its delivery; returns the deliveries now known sent, or
         * null when the stream has just ended (the message was not written).
         */
        synchronized List<BitswapEngine.Delivery> write(ByteBuf message, BitswapEngine.Delivery d) {
            if (ended) {
                message.release();
                return null;
            }
            List<BitswapEngine.Delivery> sent = new ArrayList<>();
            settle(stream.bytesSent(), sent);
            written += message.readableBytes();
            ends.add(written);
            deliveries.add(d);
            stream.write(message);
            return sent;
        }

        /** The deliveries now known sent. */
        synchronized List<BitswapEngine.Delivery> settled() {
            List<BitswapEngine.Delivery> sent = new ArrayList<>();
            settle(stream.bytesSent(), sent);
            return sent;
        }

        /** The stream ended: messages whose last byte left are sent, the rest lost. */
        synchronized void end(List<BitswapEngine.Delivery> sent, List<BitswapEngine.Delivery> lost) {
            ended = true;
            settle(stream.bytesSent(), sent);
            lost.addAll(deliveries);
            deliveries.clear();
            ends.clear();
        }

        private void settle(long sentBytes, List<BitswapEngine.Delivery> out) {
            while (!ends.isEmpty() && ends.peekFirst() <= sentBytes) {
                ends.pollFirst();
                out.add(deliveries.pollFirst());
            }
        }
    }
}
