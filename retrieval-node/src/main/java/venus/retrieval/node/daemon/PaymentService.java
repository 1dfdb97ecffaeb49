package venus.retrieval.node.daemon;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.gateway.FreePaymentGate;
import venus.retrieval.gateway.PaymentDecision;
import venus.retrieval.gateway.PaymentGate;
import venus.retrieval.gateway.PaymentRequest;
import venus.retrieval.gateway.VoucherPaymentGate;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.NodeException.Reason;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.Redeemer;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.VoucherValidator;
import venus.retrieval.paych.Wallet;
import venus.retrieval.paych.chain.ChainApi;
import venus.retrieval.paych.chain.DevLedger;
import venus.retrieval.paych.chain.LotusChainApi;
import venus.retrieval.paych.chain.LotusRpcHandler;

/**
 * Payments as a daemon service: when {@code gateway.price_per_byte > 0} it opens the voucher store,
 * the chain ({@code chain.api}, or on devnet the embedded dev ledger), and serves the
 * voucher-backed {@link PaymentGate}; a timer runs the {@link Redeemer} every
 * {@code paych.redeem_interval}. With price 0 the gate is free. On {@code network = devnet}
 * without {@code chain.api} it hosts the embedded dev ledger and serves it at {@code API/rpc/v1}.
 */
public final class PaymentService implements NodeService {
    private static final Logger LOG = LoggerFactory.getLogger(PaymentService.class);

    private final Path repoDir;
    private final NodeConfig config;
    private final boolean paid;
    /** Retrieval deals may be paid (retrieval prices or per-miner asks set): the voucher store and chain open. */
    private final boolean retrievalPaid;
    private volatile ChainApi chainApi;
    private final java.util.Map<venus.retrieval.paych.Address, PaymentReceiver> receivers = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.function.BiConsumer<String, DaemonContext.RawRpcEndpoint> mount;
    private volatile PaymentGate active;
    private VoucherStore store;
    private VoucherPaymentGate voucherGate;
    private AutoCloseable ledger;
    private ScheduledExecutorService timer;
    private volatile PaymentReceiver.Listener listener = PaymentReceiver.Listener.NONE;

    public PaymentService(Path repoDir, NodeConfig config) {
        this(repoDir, config, null);
    }

    /**
     * @param mount where to serve the dev ledger as the Lotus JSON-RPC subset ({@code /rpc/v1} on the
     *     admin API) when this node runs one; null to serve nothing
     */
    public PaymentService(Path repoDir, NodeConfig config, java.util.function.BiConsumer<String, DaemonContext.RawRpcEndpoint> mount) {
        this.mount = mount;
        this.repoDir = repoDir;
        this.config = config;
        this.paid = config.get(ConfigKeys.GATEWAY_PRICE_PER_BYTE).signum() > 0;
        this.retrievalPaid = config.get(ConfigKeys.RETRIEVAL_PRICE_PER_BYTE).signum() > 0
                || config.get(ConfigKeys.RETRIEVAL_UNSEAL_PRICE).signum() > 0 || !config.get(ConfigKeys.RETRIEVAL_MINERS).isBlank();
        this.active = paid ? null : FreePaymentGate.INSTANCE;
    }

    /** Who is told of every voucher the node's receivers take or refuse (metrics); set before {@link #start()}. */
    public void listener(PaymentReceiver.Listener l) {
        this.listener = java.util.Objects.requireNonNull(l, "listener");
    }

    @Override
    public String name() {
        return "payments";
    }

    /** The gate for the gateway; paid gates answer only once this service started. */
    public PaymentGate gate() {
        return new PaymentGate() {
            @Override
            public CompletionStage<PaymentDecision> decide(PaymentRequest request) {
                PaymentGate g = active;
                if (g == null) {
                    throw new IllegalStateException("the payment service is not running");
                }
                return g.decide(request);
            }

            @Override
            public void delivered(PaymentRequest request, long bytesSent, boolean complete) {
                PaymentGate g = active;
                if (g != null) {
                    g.delivered(request, bytesSent, complete);
                }
            }
        };
    }

    @Override
    public List<String> start() {
        boolean devnet = "devnet".equals(config.get(ConfigKeys.NETWORK)) && config.get(ConfigKeys.CHAIN_API).isBlank();
        if (!paid && !devnet && !retrievalPaid) {
            return List.of();
        }
        Set<Cid> free = new HashSet<>();
        for (String c : config.get(ConfigKeys.GATEWAY_FREE).split(",")) {
            if (!c.isBlank()) {
                try {
                    free.add(Cid.parse(c.strip()));
                } catch (IpldException e) {
                    throw new NodeException(Reason.CONFIG_INVALID, "config: gateway.free: \"" + c.strip() + "\" is not a CID");
                }
            }
        }
        ChainApi chain = chain();
        chainApi = chain;
        if (ledger != null && mount != null) {
            // a devnet node serves its ledger the way Lotus serves a chain, so clients use the Lotus code path
            LotusRpcHandler rpc = new LotusRpcHandler(devLedger());
            mount.accept("/rpc/v1", new DaemonContext.RawRpcEndpoint(LotusRpcHandler::writes, rpc::handle));
        }
        if (!paid && !retrievalPaid) {
            return List.of();
        }
        try {
            store = VoucherStore.open(repoDir);
            if (!paid) {
                LOG.info("retrieval payments: voucher store open, chain {}", ledger != null ? "dev ledger" : "chain.api");
                return List.of();
            }
            venus.retrieval.paych.Address payee = Wallet.open(repoDir).defaultAddress();
            PaymentReceiver receiver = new PaymentReceiver(new VoucherValidator(chain, payee, config.get(ConfigKeys.PAYCH_REDEEM_MARGIN)), store, listener);
            BigInteger price = config.get(ConfigKeys.GATEWAY_PRICE_PER_BYTE);
            voucherGate = new VoucherPaymentGate(receiver, new TokenAmount(price), free, true);
            active = voucherGate;
            Redeemer redeemer = new Redeemer(chain, store, payee, 1);
            long every = config.get(ConfigKeys.PAYCH_REDEEM_INTERVAL).toMillis();
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "vrn-paych-redeemer");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(() -> {
                try {
                    redeemer.tick();
                } catch (RuntimeException e) {
                    LOG.warn("redeemer pass failed: {}", e.getMessage());
                }
            }, every, every, TimeUnit.MILLISECONDS);
            LOG.info("paid gateway: {} attoFIL/byte to {}, {} free CIDs", price, payee, free.size());
        } catch (PaychException e) {
            stop(Duration.ZERO);
            throw new NodeException(Reason.CONFIG_INVALID, "payments: " + e.getMessage());
        }
        return List.of();
    }

    /** The chain the payments use: {@code chain.api}, or the dev ledger on devnet. */
    private ChainApi chain() {
        String api = config.get(ConfigKeys.CHAIN_API);
        if (!api.isBlank()) {
            return LotusChainApi.fromApiInfo(api.strip(), Duration.ofSeconds(60));
        }
        if (!"devnet".equals(config.get(ConfigKeys.NETWORK))) {
            throw new NodeException(Reason.CONFIG_INVALID,
                    "config: paid gateway or retrieval (gateway.price_per_byte, retrieval.price_per_byte/unseal_price/miners) needs chain.api (a Lotus/Venus node) unless network = devnet");
        }
        DevLedger d = DevLedger.open(repoDir.resolve("lmdb").resolve("devledger"), Clock.systemUTC(),
                config.get(ConfigKeys.DEVNET_EPOCH), config.get(ConfigKeys.DEVNET_SETTLE_DELAY));
        ledger = d;
        return d;
    }

    /** Whether retrieval deals can be paid on this node (a voucher store and a chain are opened at start). */
    public boolean takesRetrievalPayments() {
        return paid || retrievalPaid;
    }

    /**
     * The payment receiver for vouchers paying {@code payee} (one validator per payment address,
     * one durable store), for the retrieval provider.
     *
     * @throws PaychException {@code STORE} when payments are not running
     */
    public PaymentReceiver receiver(venus.retrieval.paych.Address payee) {
        VoucherStore s = store;
        ChainApi c = chainApi;
        if (s == null || c == null) {
            throw new PaychException(PaychException.Reason.STORE, "payments are not running on this node");
        }
        return receivers.computeIfAbsent(payee, p -> new PaymentReceiver(new VoucherValidator(c, p, config.get(ConfigKeys.PAYCH_REDEEM_MARGIN)), s, listener));
    }

    /** The voucher store while payments run (paid gateway or retrieval), else null; for the admin API. */
    public VoucherStore voucherStore() {
        return store;
    }

    /** The embedded dev ledger when the node runs one (devnet without chain.api), else null. */
    public DevLedger devLedger() {
        return ledger instanceof DevLedger d ? d : null;
    }

    @Override
    public void stop(Duration grace) {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (paid) {
            active = null;
        }
        try {
            if (voucherGate != null) {
                voucherGate.close(); // saves credit debits before the store closes
            }
            if (store != null) {
                store.close();
            }
            if (ledger != null) {
                ledger.close();
            }
        } catch (Exception e) {
            LOG.warn("closing payment stores: {}", e.getMessage());
        }
    }
}
