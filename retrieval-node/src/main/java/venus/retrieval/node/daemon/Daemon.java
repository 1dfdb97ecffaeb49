package venus.retrieval.node.daemon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.NodeException.Reason;
import venus.retrieval.node.api.AdminApiService;
import venus.retrieval.node.api.ApiTokens;
import venus.retrieval.node.api.VrnApi;
import venus.retrieval.node.api.VrnApiImpl;
import venus.retrieval.node.api.PieceApi;
import venus.retrieval.node.api.PieceApiImpl;
import venus.retrieval.node.api.StatusApi;
import venus.retrieval.node.api.StatusApiImpl;
import venus.retrieval.node.metrics.NodeMeters;
import venus.retrieval.node.metrics.VoucherMeters;
import io.micrometer.core.instrument.FunctionCounter;
import venus.retrieval.gateway.bitswap.BitswapEngine;
import venus.retrieval.node.metrics.ServedMeters;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.repo.Repo;

/**
 * The running node: takes the repository's writer lock, starts every {@link NodeService}, writes
 * {@code REPO/daemon.json} once all of them serve, and undoes all of it on {@link #stop()}.
 *
 * <p>{@link #wire} is the one place where parts of the node are added.
 */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final DaemonContext ctx;
    private final Repo.WriteLock lock;
    private final List<NodeService> started = new ArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Daemon(DaemonContext ctx, Repo.WriteLock lock) {
        this.ctx = ctx;
        this.lock = lock;
    }

    /**
     * Wires the node's parts: registers admin API interfaces and returns the services in start order
     * (they stop in reverse). Add a part here: construct it from {@code ctx}, register its API
     * interface on {@code ctx.rpc()}, and add its service. Resources that must outlive every service
     * (LMDB environments) go to {@code ctx.closeOnShutdown}.
     */
    static List<NodeService> wire(DaemonContext ctx) {
        ctx.rpc().register(VrnApi.class, new VrnApiImpl(ctx));
        List<NodeService> services = new ArrayList<>();
        // Start order: transports, then protocol services on them, the admin API last (it answers
        // once everything serves). Stop order is the reverse.
        Libp2pService libp2p = new Libp2pService(ctx);
        services.add(libp2p);
        // Protocols on libp2p register here, before start: libp2p.host().setHandler(id, handler).
        BitswapService bitswap = null;
        if (ctx.config().get(ConfigKeys.BITSWAP_ENABLED)) {
            bitswap = new BitswapService(ctx, libp2p.host());
            services.add(bitswap);
        }
        // Payments are constructed first (the retrieval provider takes vouchers through them) and start
        // before the gateway: its gate is the voucher-backed one when gateway.price_per_byte > 0.
        PaymentService payments = new PaymentService(ctx.repo().dir(), ctx.config(), ctx::registerRawRpc);
        // Filecoin retrieval: query, transports, data-transfer; graphsync runs the provider's hooks.
        RetrievalService retrieval = new RetrievalService(ctx, libp2p.host(), payments);
        var registry = ctx.metrics().registry();
        GraphsyncService graphsync = new GraphsyncService(libp2p.host(), ctx.store().blockSource(),
                new CountingGraphsyncHooks(retrieval.hooks(), ServedMeters.of(registry, "graphsync")));
        retrieval.hooks().attachGraphsync(graphsync.graphsync());
        services.add(graphsync);
        services.add(payments);
        services.add(retrieval);
        // The gateway also answers delegated routing (/routing/v1) with this node's Bitswap addresses.
        services.add(new GatewayService(ctx, new CountingPaymentGate(payments.gate(), ServedMeters.of(registry, "gateway")), bitswap));
        // The admin API over every part: pieces, peers, vouchers, asks, deals.
        ctx.rpc().register(PieceApi.class, new PieceApiImpl(ctx.store(), registry));
        ctx.rpc().register(StatusApi.class, new StatusApiImpl(libp2p.host(), payments::voucherStore, retrieval.asks(),
                retrieval.hooks()::deals, registry, ctx.config().get(ConfigKeys.NETWORK)));
        NodeMeters.bind(registry, ctx.store(), payments::voucherStore);
        payments.listener(new VoucherMeters(registry));
        if (bitswap != null) {
            BitswapEngine engine = bitswap.engine();
            FunctionCounter.builder("vrn.served.bytes", engine, BitswapEngine::bytesSent).tag("protocol", "bitswap")
                    .baseUnit("bytes").description("block or body bytes sent, by protocol").register(registry);
            FunctionCounter.builder("vrn.served.blocks", engine, BitswapEngine::blocksSent).tag("protocol", "bitswap")
                    .description("blocks sent, by protocol").register(registry);
        }
        services.add(new AdminApiService(ctx));
        return services;
    }

    /**
     * The piece store as the config asks for it: the hot-block cache size
     * ({@code blockstore.cache_bytes}) and whether blocks read from piece files are re-hashed
     * ({@code blockstore.verify_reads}).
     */
    public static PieceStore.Options pieceStoreOptions(NodeConfig config) {
        return PieceStore.Options.defaults()
                .withCacheBytes(config.get(ConfigKeys.BLOCKSTORE_CACHE_BYTES))
                .withVerifyFileReads(config.get(ConfigKeys.BLOCKSTORE_VERIFY_READS));
    }

    /**
     * Starts the daemon on an opened repository with a validated config.
     *
     * @throws NodeException when the repository is locked, a key is missing, or a service fails to
     *     start (every service already started is stopped again)
     */
    public static Daemon start(Repo repo, NodeConfig config) {
        Repo.WriteLock lock = repo.lockForWrite();
        Daemon d = null;
        PieceStore store = null;
        try {
            Files.deleteIfExists(repo.daemonJson());
            PeerIdentity identity = PeerIdentity.load(repo.libp2pKey());
            ApiTokens tokens = ApiTokens.load(repo);
            store = PieceStore.open(repo.lmdb(), repo.pieces(), pieceStoreOptions(config));
            if (store.options().verifyFileReads()) {
                LOG.info("blocks read from piece files are re-hashed before they are served (blockstore.verify_reads)");
            }
            DaemonContext ctx = new DaemonContext(repo, config, identity, tokens, store);
            d = new Daemon(ctx, lock);
            ctx.onShutdownRequest(d::stopAsync);
            for (NodeService s : wire(ctx)) {
                List<String> addrs = s.start();
                d.started.add(s);
                if (s.name().equals("libp2p")) {
                    addrs = withPeerId(addrs, identity.peerId().toString());
                }
                ctx.bound(s.name(), addrs);
                if (!s.logsListenAddresses()) {
                    for (String a : addrs) {
                        LOG.info("{} listening on {}", s.name(), a);
                    }
                }
            }
            Repo.writeAtomically(repo.daemonJson(), d.daemonJson(), false);
            LOG.info("vrn daemon ready: peer {} pid {} ({}), Java {}", identity.peerId(), ProcessHandle.current().pid(), repo.daemonJson(),
                    Runtime.version());
            return d;
        } catch (Exception e) {
            if (d != null) {
                d.stopServices(Duration.ZERO);
                d.closeResources();
            } else if (store != null) {
                store.close();
            }
            lock.close();
            if (e instanceof NodeException ne) {
                throw ne;
            }
            if (e instanceof RuntimeException re && re.getClass().getName().startsWith("venus.retrieval.")) {
                throw re;
            }
            throw new NodeException(Reason.SERVICE_FAILED, "daemon failed to start: " + e, e);
        }
    }

    private static List<String> withPeerId(List<String> addrs, String peerId) {
        List<String> out = new ArrayList<>();
        for (String a : addrs) {
            out.add(a.contains("/p2p/") ? a : a + "/p2p/" + peerId);
        }
        return out;
    }

    /** The content of {@code daemon.json}: base URLs, libp2p multiaddrs, peer ID and pid. */
    byte[] daemonJson() throws IOException {
        var bound = ctx.boundAddresses();
        ObjectNode o = ctx.json().createObjectNode();
        o.put("gateway", first(bound.get("gateway")));
        o.put("api", first(bound.get("api")));
        ArrayNode p2p = o.putArray("libp2p");
        bound.getOrDefault("libp2p", List.of()).forEach(p2p::add);
        o.put("peerId", ctx.identity().peerId().toString());
        o.put("pid", ProcessHandle.current().pid());
        return ctx.json().writeValueAsBytes(o);
    }

    private static String first(List<String> l) {
        return l == null || l.isEmpty() ? null : l.get(0);
    }

    /** The started service of this type (for tests), or null. */
    <T extends NodeService> T service(Class<T> type) {
        for (NodeService s : started) {
            if (type.isInstance(s)) {
                return type.cast(s);
            }
        }
        return null;
    }

    /** The shared context (for tests and the CLI). */
    public DaemonContext context() {
        return ctx;
    }

    /**
     * Stops the daemon: removes {@code daemon.json} (clients stop finding it), stops every service in
     * reverse order within {@code daemon.shutdown_grace} in total, closes resources, releases the lock.
     * Idempotent; a second caller waits for the first.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        try {
            deleteDaemonJson();
            LOG.info("vrn daemon stopping (grace {})", ctx.config().text(ConfigKeys.DAEMON_SHUTDOWN_GRACE));
            stopServices(ctx.config().get(ConfigKeys.DAEMON_SHUTDOWN_GRACE));
            closeResources();
            LOG.info("vrn daemon stopped");
        } finally {
            lock.close();
            stopped.countDown();
        }
    }

    /** Stops on another thread (used by the {@code VRN.Shutdown} API method, which must answer first). */
    void stopAsync() {
        Thread t = new Thread(this::stop, "vrn-shutdown");
        t.setDaemon(false);
        t.start();
    }

    /** Blocks until {@link #stop()} completed. */
    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Removes {@code daemon.json}; safe to call from an emergency path. */
    public void deleteDaemonJson() {
        try {
            Files.deleteIfExists(ctx.repo().daemonJson());
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", ctx.repo().daemonJson(), e.getMessage());
        }
    }

    private void stopServices(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        for (int i = started.size() - 1; i >= 0; i--) {
            NodeService s = started.get(i);
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            try {
                s.stop(left);
            } catch (RuntimeException e) {
                LOG.warn("{} did not stop cleanly: {}", s.name(), e.toString());
            }
        }
        started.clear();
    }

    private void closeResources() {
        Deque<AutoCloseable> resources = ctx.takeResources();
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", r, e.toString());
            }
        }
        ctx.metrics().close();
    }
}
