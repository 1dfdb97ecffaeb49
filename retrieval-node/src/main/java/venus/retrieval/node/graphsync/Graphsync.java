package venus.retrieval.node.graphsync;

import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.ConnectionListener;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.node.NodeException;

/**
 * Graphsync 2.0.0 ({@value #PROTOCOL}) on a libp2p host: the {@link GraphsyncResponder} serving
 * blocks and the {@link GraphsyncRequester} fetching them. Each side writes on its own outbound
 * stream to the other (one per peer) and reads every inbound stream until EOF; a malformed message
 * resets that stream and nothing else.
 */
public final class Graphsync implements AutoCloseable {
    /** The protocol id. */
    public static final String PROTOCOL = "/ipfs/graphsync/2.0.0";
    /** Request extension: an int N, the responder does not send the blocks of the first N links of the walk (a restart). */
    public static final String DO_NOT_SEND_FIRST_BLOCKS = "graphsync/do-not-send-first-blocks";
    /** Request extension: a list of links whose blocks the requester has (go-graphsync {@code cidset}). */
    public static final String DO_NOT_SEND_CIDS = "graphsync/do-not-send-cids";

    private static final Logger log = LoggerFactory.getLogger(Graphsync.class);
    /** Bytes of received messages waiting for the workers above which a stream stops reading. */
    static final long INBOUND_HIGH = 8L << 20;
    /** ... and below which it reads again. */
    static final long INBOUND_LOW = 2L << 20;

    private final Host host;
    private final ExecutorService workers;
    private final Map<PeerId, PeerSender> senders = new ConcurrentHashMap<>();
    private final GraphsyncResponder responder;
    private final GraphsyncRequester requester;
    private final ConnectionListener connections;

    private Graphsync(Host host, BlockGetter blocks, GraphsyncHooks hooks, int threads) {
        this.host = host;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "graphsync-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.responder = new GraphsyncResponder(blocks, hooks, workers, this::sender);
        this.requester = new GraphsyncRequester(this::sender);
        this.connections = new ConnectionListener() {
            @Override
            public void onDisconnected(Connection c) {
                PeerId p = c.remotePeer();
                if (host.connection(p) == null) {
                    PeerSender s = senders.get(p);
                    Libp2pException cause = new Libp2pException(Libp2pException.Reason.CLOSED, "connection to " + p + " closed");
                    if (s != null) {
                        s.fail(cause);
                    } else {
                        peerFailed(p, cause);
                    }
                }
            }
        };
    }

    /**
     * Registers graphsync on {@code host} (before or after it starts), serving {@code blocks}
     * under {@code hooks} ({@link GraphsyncHooks#FREE} serves everything) with {@code threads}
     * workers.
     */
    public static Graphsync register(Host host, BlockGetter blocks, GraphsyncHooks hooks, int threads) {
        Graphsync g = new Graphsync(host, blocks, hooks, threads);
        host.setHandler(PROTOCOL, g::accept);
        host.addConnectionListener(g.connections);
        return g;
    }

    /** The responder (unpause, cancel, send extensions). */
    public GraphsyncResponder responder() {
        return responder;
    }

    /** The requester. */
    public GraphsyncRequester requester() {
        return requester;
    }

    private PeerSender sender(PeerId peer) {
        return senders.computeIfAbsent(peer, p -> new PeerSender(host, p, cause -> {
            senders.remove(p);
            peerFailed(p, cause);
        }));
    }

    private void peerFailed(PeerId p, Throwable cause) {
        responder.peerFailed(p, cause);
        requester.peerFailed(p, cause);
    }

    /**
     * Reads one inbound stream. Decoding, block hashing and the handlers run on the workers, one
     * message at a time in stream order, so the event loop only decrypts and frames: a 1 MiB
     * block is verified and stored while the next one is being decrypted. Reading pauses while
     * more than {@link #INBOUND_HIGH} bytes of messages wait for the workers.
     */
    private void accept(Stream stream) {
        PeerId peer = stream.connection().remotePeer();
        SerialExecutor serial = new SerialExecutor(workers);
        stream.setListener(new Stream.Listener() {
            private final GraphsyncFrameDecoder decoder = new GraphsyncFrameDecoder();
            private final java.util.concurrent.atomic.AtomicLong waiting = new java.util.concurrent.atomic.AtomicLong();
            private volatile boolean broken;
            private volatile boolean held; // auto-read switched off (event loop writes it)

            @Override
            public void onData(Stream s, ByteBuf data) {
                if (broken) {
                    data.release();
                    return;
                }
                try {
                    decoder.feed(data, body -> {
                        if (waiting.addAndGet(body.length) > INBOUND_HIGH && !held) {
                            held = true;
                            s.setAutoRead(false);
                        }
                        serial.execute(() -> handle(s, body));
                    });
                } catch (NodeException e) {
                    broken(s, e);
                }
            }

            private void handle(Stream s, byte[] body) {
                try {
                    if (!broken) {
                        GsMessage m = GraphsyncCodec.decode(body);
                        for (GsRequest r : m.requests()) {
                            responder.onRequest(peer, r);
                        }
                        requester.onMessage(peer, m);
                    }
                } catch (NodeException e) {
                    broken(s, e);
                } finally {
                    if (waiting.addAndGet(-body.length) < INBOUND_LOW && held) {
                        s.eventLoop().execute(() -> {
                            if (held && waiting.get() < INBOUND_LOW) {
                                held = false;
                                s.setAutoRead(true);
                            }
                        });
                    }
                }
            }

            private void broken(Stream s, NodeException e) {
                if (broken) {
                    return;
                }
                broken = true;
                log.info("graphsync: {} sent a bad message, stream reset: {}", peer, e.getMessage());
                s.eventLoop().execute(decoder::release);
                s.reset();
            }

            @Override
            public void onRemoteClosed(Stream s) {
                if (decoder.hasPartial()) {
                    log.info("graphsync: {} closed its stream inside a message", peer);
                }
                // behind the messages still being handled: a bad one among them must still reset
                // the stream rather than find it already closed in good order
                serial.execute(() -> {
                    if (!broken) {
                        s.closeWrite();
                    }
                });
            }

            @Override
            public void onClosed(Stream s, Libp2pException cause) {
                decoder.release();
            }
        });
    }

    /** Runs tasks one at a time, in order, on a shared pool (tasks of other queues interleave). */
    private static final class SerialExecutor {
        private static final int BATCH = 16;
        private final ExecutorService pool;
        private final java.util.ArrayDeque<Runnable> queue = new java.util.ArrayDeque<>();
        private boolean running;

        SerialExecutor(ExecutorService pool) {
            this.pool = pool;
        }

        void execute(Runnable r) {
            synchronized (this) {
                queue.add(r);
                if (running) {
                    return;
                }
                running = true;
            }
            submit();
        }

        private void submit() {
            try {
                pool.execute(this::runSome);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                synchronized (this) { // shutting down
                    queue.clear();
                    running = false;
                }
            }
        }

        private void runSome() {
            for (int i = 0; i < BATCH; i++) {
                Runnable r;
                synchronized (this) {
                    r = queue.poll();
                    if (r == null) {
                        running = false;
                        return;
                    }
                }
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.warn("graphsync: message handler failed: {}", e.toString());
                }
            }
            submit(); // let other queues' tasks run in between
        }
    }

    @Override
    public void close() {
        host.removeHandler(PROTOCOL);
        host.removeConnectionListener(connections);
        senders.values().forEach(PeerSender::close);
        senders.clear();
        workers.shutdownNow();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
