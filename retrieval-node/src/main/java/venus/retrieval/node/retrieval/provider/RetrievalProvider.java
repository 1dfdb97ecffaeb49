package venus.retrieval.node.retrieval.provider;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.ipld.BlockGetter;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.graphsync.Graphsync;
import venus.retrieval.node.graphsync.GraphsyncHooks;
import venus.retrieval.node.graphsync.GsRequest;
import venus.retrieval.node.graphsync.ResponseStatus;
import venus.retrieval.node.retrieval.PieceFinder;
import venus.retrieval.node.retrieval.RetrievalAsk;
import venus.retrieval.node.retrieval.datatransfer.DataTransferNetwork;
import venus.retrieval.node.retrieval.datatransfer.DealPayment;
import venus.retrieval.node.retrieval.datatransfer.DealProposal;
import venus.retrieval.node.retrieval.datatransfer.DealResponse;
import venus.retrieval.node.retrieval.datatransfer.DealStatus;
import venus.retrieval.node.retrieval.datatransfer.MessageType;
import venus.retrieval.node.retrieval.datatransfer.TransferMessage;
import venus.retrieval.node.retrieval.datatransfer.TransferRequest;
import venus.retrieval.node.retrieval.datatransfer.TransferResponse;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;

/**
 * The retrieval provider: validates deal proposals that arrive in graphsync requests, drives each
 * deal through {@link ProviderFsm}, persists it in the {@link DealStore} on every transition (a
 * payment round's in the background, see {@link DealStore#putLater}), asks
 * for payment every interval and takes vouchers through the {@link PaymentReceiver} (durable
 * before anything more is sent). Free deals answer exactly like Boost: DealResponse Accepted in
 * the first graphsync response, blocks at once, DT Complete with DealResponse Completed after the
 * final status 20.
 *
 * <p>Payments and crashes: a voucher's commit in the voucher store is the one synchronous write
 * between its arrival and the data it unlocks. It carries a {@link CreditMemo} (the deal's funds
 * with it, in the same transaction); the deal record follows in the background. Should the node
 * stop before the record lands, the memo is newer than the record and {@code settle} raises the
 * record's funds to it: at start-up, or at the client's restart when payments were not running
 * yet. A voucher refused writes nothing, so it credits nothing.
 *
 * <p>Locking: a deal's monitor guards its fields and transitions; graphsync calls (unpause,
 * cancel) are made only after it is released, because graphsync calls our hooks under its own
 * per-request lock.
 */
public final class RetrievalProvider implements GraphsyncHooks, DataTransferNetwork.Receiver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetrievalProvider.class);

    /** How long an interrupted deal waits for a restart by default (lassie gives up on a provider far sooner). */
    public static final java.time.Duration DEFAULT_RESTART_WINDOW = java.time.Duration.ofMinutes(10);

    private record ChannelKey(PeerId peer, long transferId) {}

    private record RequestKey(PeerId peer, UUID requestId) {}

    /** One live deal. Guarded by its own monitor. */
    static final class Deal {
        final PeerId peer;
        /** The graphsync request serving it now (a restart moves the deal to a new one). */
        volatile UUID requestId;
        final long transferId;
        final DealProposal proposal;
        /** The proposal as the client sent it (dag-cbor): a restart must carry the same. */
        final byte[] proposalBytes;
        final PaymentMath math;
        final Address payee;
        final Cid pieceCid;
        ProviderFsm.State state = ProviderFsm.State.NEW;
        BigInteger funds = BigInteger.ZERO;
        long bytesSent;
        /** The highest traversal index counted in bytesSent: after a restart only blocks beyond it count. */
        long progress;
        long dataLimit;
        Address channel;
        String message = "";
        /** A voucher being committed to the voucher store now (in memory only: the payment timer lets it count). */
        SignedVoucher pending;
        /** Counts interruptions, so an expiry timer only fails the interruption it was set for. */
        int interruptions;
        /** Counts the waits for a payment, so a payment timer only fails the wait it was set for. */
        int paymentWaits;
        /** The client asked to pause (DT Update, Paus true) and has not resumed. */
        boolean clientPaused;
        /** Graphsync is paused for the client only: its resume unpauses. */
        boolean pausedForClient;
        /**
         * A completed deal served again: its client restarted because it lost the connection before
         * it had everything (the final messages may be lost after they left us). The record stays
         * COMPLETED; the response ends with DealResponse 15 again.
         */
        boolean replay;
        /** Bytes a replay put on the wire, against {@link #replayBudget}. */
        long replayBytes;
        /**
         * What a replay of a paid deal may send: the deal's last payment interval. A client pays for
         * what it received, so what it can have lost in a cut connection is the tail it had not paid
         * for when the provider asked last; more than that would be the paid data again for nothing.
         * Long.MAX_VALUE for a free deal (nothing to protect).
         */
        long replayBudget = Long.MAX_VALUE;
        /** The replay ran over its budget: it stops after the block going out, with an error. */
        boolean replayOverBudget;

        Deal(PeerId peer, UUID requestId, long transferId, DealProposal proposal, byte[] proposalBytes, Cid pieceCid, Address payee) {
            this.peer = peer;
            this.requestId = requestId;
            this.transferId = transferId;
            this.proposal = proposal;
            this.proposalBytes = proposalBytes;
            this.pieceCid = pieceCid;
            this.payee = payee;
            PaymentMath m;
            try {
                m = new PaymentMath(proposal.pricePerByte(), proposal.paymentInterval(), proposal.paymentIntervalIncrease(),
                        proposal.unsealPrice());
            } catch (IllegalArgumentException e) {
                m = null; // refused during validation
            }
            this.math = m;
        }

        /** A deal back from its record (a restart after the connection or the provider went away). */
        static Deal fromRecord(PeerId peer, DealRecord r) {
            DealProposal p = DealProposal.fromNode(DagCbor.decode(r.proposal()));
            Deal d = new Deal(peer, null, r.transferId(), p, r.proposal(), r.pieceCid(), r.payee() == null ? null : Address.fromBytes(r.payee()));
            d.state = r.state();
            d.funds = r.funds();
            d.bytesSent = r.bytesSent();
            d.progress = r.progress();
            d.dataLimit = r.dataLimit();
            d.channel = r.paymentChannel() == null ? null : Address.fromBytes(r.paymentChannel());
            d.message = r.message();
            return d;
        }

        DealRecord record() {
            return new DealRecord(peer.bytes(), transferId, proposal.id(), proposal.payloadCid(),
                    pieceCid == null ? proposal.pieceCid() : pieceCid, state, proposal.pricePerByte(),
                    proposal.unsealPrice(), funds, bytesSent, channel == null ? null : channel.bytes(), message,
                    proposal.paymentInterval(), proposal.paymentIntervalIncrease(), dataLimit, progress, proposalBytes,
                    payee == null ? null : payee.bytes(), null, BigInteger.ZERO); // pending: older versions' write-ahead only
        }
    }

    private final PieceFinder finder;
    private final Function<Address, PaymentReceiver> receivers;
    private final DealStore store;
    private final Map<ChannelKey, Deal> byChannel = new ConcurrentHashMap<>();
    private final Map<RequestKey, Deal> byRequest = new ConcurrentHashMap<>();
    /** Replays served per completed channel (bounded, least recently replayed forgotten first). */
    private final Map<ChannelKey, Integer> replays = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<ChannelKey, Integer> eldest) {
                    return size() > MAX_REPLAYED_CHANNELS;
                }
            });
    /** A completed deal is served again at most this many times per process (a lost end, not a free mirror). */
    public static final int MAX_REPLAYS_PER_DEAL = 3;
    private static final int MAX_REPLAYED_CHANNELS = 10_000;
    private final ScheduledExecutorService control;
    /** How long an interrupted deal waits for the client's restart before it fails. */
    private volatile java.time.Duration restartWindow = DEFAULT_RESTART_WINDOW;
    private volatile Graphsync graphsync;
    private volatile DataTransferNetwork network;
    private boolean ownsGraphsync;

    /**
     * @param receivers the payment receiver for a payment address (per miner); null when the
     *     node takes no payments (then only free proposals are accepted)
     */
    public RetrievalProvider(PieceFinder finder, Function<Address, PaymentReceiver> receivers, DealStore store) {
        this(finder, receivers, store, DEFAULT_RESTART_WINDOW);
    }

    /**
     * As {@link #RetrievalProvider(PieceFinder, Function, DealStore)} with the restart window
     * ({@code retrieval.restart_window}); it also times the deals the last run left waiting.
     */
    public RetrievalProvider(PieceFinder finder, Function<Address, PaymentReceiver> receivers, DealStore store,
                             java.time.Duration restartWindow) {
        this.finder = finder;
        this.receivers = receivers;
        this.store = store;
        setRestartWindow(restartWindow);
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "retrieval-provider");
            t.setDaemon(true);
            return t;
        });
        recoverAfterRestart();
    }

    /** Registers graphsync (serving {@code blocks} under this provider) and data-transfer on {@code host}. */
    public static RetrievalProvider register(Host host, BlockGetter blocks, PieceFinder finder,
                                             Function<Address, PaymentReceiver> receivers, DealStore store, int threads) {
        RetrievalProvider p = new RetrievalProvider(finder, receivers, store);
        p.graphsync = Graphsync.register(host, blocks, p, threads);
        p.ownsGraphsync = true;
        p.network = DataTransferNetwork.register(host, p);
        return p;
    }

    /** The graphsync instance running this provider as its hooks (when someone else registered it). */
    public void attachGraphsync(Graphsync g) {
        this.graphsync = g;
    }

    /** Where provider data-transfer messages go out (when someone else registered the protocol). */
    public void attachNetwork(DataTransferNetwork n) {
        this.network = n;
    }

    /** The graphsync instance this provider registered. */
    public Graphsync graphsync() {
        return graphsync;
    }

    /**
     * Deals the node was running when it stopped: their graphsync requests are gone, so they wait
     * (AWAITING_RESTART) for the client to restart the channel; a deal never accepted fails.
     */
    private void recoverAfterRestart() {
        List<DealRecord> waiting = new java.util.ArrayList<>();
        int unsettled = 0;
        for (DealRecord r : store.all()) {
            if (r.pendingVoucher() != null || !r.state().terminal()) {
                DealRecord settled = settle(r);
                if (settled == null) {
                    // e.g. the daemon builds this provider before its payment service opens the
                    // voucher store: the client's restart settles the record
                    unsettled++;
                } else {
                    r = settled;
                }
            }
            if (!r.state().terminal()) {
                ProviderFsm.Transition t = ProviderFsm.next(r.state(), ProviderFsm.Event.PROVIDER_RESTARTED);
                store.put(r.with(t.next(), "provider restarted during the transfer"));
                log.info("retrieval deal {} (transfer {}) was {} at restart: now {}", r.dealId(), r.transferId(), r.state(), t.next());
                if (t.next() == ProviderFsm.State.AWAITING_RESTART) {
                    waiting.add(r);
                }
            }
        }
        if (unsettled > 0) {
            log.info("{} paid retrieval deal(s) settle with the voucher store when their client restarts (payments not running yet)", unsettled);
        }
        if (!waiting.isEmpty()) {
            schedule(() -> expireRecovered(waiting));
        }
    }

    /**
     * The record with every credit the voucher store holds for it and the record lacks (the node
     * stopped after a voucher's commit, before the record's update): the funds become the deal's
     * {@link CreditMemo}'s when that is higher, and a pending voucher that an older version wrote
     * ahead is credited if the store has it. Stored when it changed. Returns the record as it is
     * when there is nothing to settle (a free deal, or nothing newer), and null when the voucher
     * store cannot be asked now (payments not running yet).
     */
    private DealRecord settle(DealRecord r) {
        boolean paid = r.pricePerByte().signum() > 0 || r.unsealPrice().signum() > 0;
        if (r.pendingVoucher() == null && (!paid || receivers == null || r.payee() == null)) {
            return r;
        }
        BigInteger funds = r.funds();
        byte[] channel = r.paymentChannel();
        SignedVoucher sv = null;
        if (r.pendingVoucher() != null) {
            try {
                sv = SignedVoucher.fromCbor(r.pendingVoucher());
            } catch (RuntimeException e) {
                log.warn("retrieval deal {}: unreadable pending voucher dropped: {}", r.dealId(), e.getMessage());
            }
        }
        if (receivers != null && r.payee() != null) {
            VoucherStore vouchers;
            byte[] memo;
            SignedVoucher best;
            try {
                vouchers = receivers.apply(Address.fromBytes(r.payee())).store();
                memo = vouchers.memo(CreditMemo.key(r.client(), r.transferId()));
                best = sv == null ? null : vouchers.bestReceived(sv.channel()).get(sv.lane());
            } catch (RuntimeException e) {
                log.debug("retrieval deal {}: cannot ask the voucher store now: {}", r.dealId(), e.getMessage());
                return null;
            }
            if (sv != null && sv.equals(best)) { // an older version's write-ahead: credit = amount − baseline
                BigInteger credit = sv.amount().atto().subtract(r.pendingBaseline()).max(BigInteger.ZERO);
                funds = funds.add(credit);
                channel = sv.channel().bytes();
                log.info("retrieval deal {}: voucher nonce {} was stored before the stop, crediting {} attoFIL", r.dealId(), sv.nonce(), credit);
            }
            if (memo != null) {
                try {
                    CreditMemo m = CreditMemo.decode(memo);
                    if (m.dealId() == r.dealId() && m.funds().compareTo(funds) > 0) {
                        log.info("retrieval deal {}: a voucher was stored before the stop, funds {} -> {} attoFIL", r.dealId(), funds, m.funds());
                        funds = m.funds();
                        channel = m.channel();
                    }
                } catch (NodeException e) {
                    log.warn("retrieval deal {}: {}", r.dealId(), e.getMessage());
                }
            }
        }
        if (r.pendingVoucher() == null && funds.equals(r.funds())) {
            return r;
        }
        DealRecord out = r.settled(funds, channel);
        store.put(out);
        return out;
    }

    /** Every persisted deal (for the API and tests). */
    public List<DealRecord> deals() {
        return store.all();
    }

    // ---- FSM ----

    /** Applies {@code e} to {@code d} (caller holds d's monitor) and persists; NONE when the event is illegal. */
    private ProviderFsm.Action fire(Deal d, ProviderFsm.Event e) {
        ProviderFsm.Transition t = ProviderFsm.next(d.state, e);
        if (t == null) {
            log.debug("retrieval deal {}: event {} ignored in state {}", d.proposal.id(), e, d.state);
            return ProviderFsm.Action.NONE;
        }
        ProviderFsm.State from = d.state;
        d.state = t.next();
        if (paymentRound(from, d.state) || (credit(e) && !d.state.terminal())) {
            // a payment round's own records and a voucher's credit: written behind (the voucher and
            // its credit memo are durable already; the data waits for nothing else) and logged at
            // debug (hundreds per retrieval)
            store.putLater(d.record());
            if (from != d.state) {
                log.debug("retrieval deal {} from {} (transfer {}): {} -> {}", d.proposal.id(), d.peer, d.transferId, from, d.state);
            }
        } else {
            store.put(d.record());
            if (from != d.state) {
                log.info("retrieval deal {} from {} (transfer {}): {} -> {}{}", d.proposal.id(), d.peer, d.transferId, from, d.state,
                        d.message.isEmpty() ? "" : " (" + d.message + ")");
            }
        }
        if (d.state.terminal()) {
            byChannel.remove(new ChannelKey(d.peer, d.transferId), d);
            byRequest.remove(new RequestKey(d.peer, d.requestId), d);
        }
        // a new wait for the client's money (entered now, or asked again by a restart; a partial
        // payment continues the same wait): a client that never pays must not hold the deal forever
        if (ProviderFsm.awaitingPayment(d.state) && (!ProviderFsm.awaitingPayment(from) || restartEvent(e))) {
            int n = ++d.paymentWaits;
            schedule(() -> paymentExpired(d, n));
        }
        return t.action();
    }

    private static boolean restartEvent(ProviderFsm.Event e) {
        return e == ProviderFsm.Event.RESTARTED || e == ProviderFsm.Event.RESTARTED_UNSEAL_DUE
                || e == ProviderFsm.Event.RESTARTED_FUNDS_DUE;
    }

    /** A voucher was credited: its {@link CreditMemo} settles the record should this write be lost. */
    private static boolean credit(ProviderFsm.Event e) {
        return e == ProviderFsm.Event.PAYMENT_PARTIAL || e == ProviderFsm.Event.PAYMENT_COMPLETE;
    }

    /** ONGOING ↔ FUNDS_NEEDED (and staying in either): the transitions every payment interval makes. */
    private static boolean paymentRound(ProviderFsm.State from, ProviderFsm.State to) {
        return (from == ProviderFsm.State.ONGOING || from == ProviderFsm.State.FUNDS_NEEDED)
                && (to == ProviderFsm.State.ONGOING || to == ProviderFsm.State.FUNDS_NEEDED);
    }

    // ---- graphsync hooks ----

    @Override
    public RequestDecision onIncomingRequest(PeerId peer, GsRequest request) {
        Node ext = request.extensions().get(TransferMessage.EXTENSION);
        if (ext == null) {
            return RequestDecision.reject(ResponseStatus.REQUEST_REJECTED, Map.of()); // like Boost: no DT, no data
        }
        TransferRequest r;
        DealProposal p;
        try {
            TransferMessage m = TransferMessage.fromNode(ext);
            if (!m.isRequest()) {
                throw new NodeException(NodeException.Reason.BAD_MESSAGE, "not a request");
            }
            r = m.request();
            if (r.type() == MessageType.RESTART) {
                return restart(peer, request, r);
            }
            if (r.type() != MessageType.NEW) {
                log.info("retrieval: {} sent data-transfer type {} in a graphsync request; only new pulls are served", peer, r.type());
                return reject(r.transferId(), r.type(), null);
            }
            if (!r.pull() || !DealProposal.TYPE.equals(r.voucherType()) || r.voucher() == null) {
                log.info("retrieval: {} sent a non-pull or a voucher of type \"{}\"", peer, r.voucherType());
                return reject(r.transferId(), MessageType.NEW, null);
            }
            p = DealProposal.fromNode(r.voucher());
        } catch (NodeException e) {
            log.info("retrieval: {} sent a bad data-transfer request: {}", peer, e.getMessage());
            return RequestDecision.reject(ResponseStatus.REQUEST_FAILED_UNKNOWN, Map.of());
        }
        ChannelKey ck = new ChannelKey(peer, r.transferId());
        if (byChannel.containsKey(ck)) {
            return reject(r.transferId(), MessageType.NEW, DealResponse.of(p.id(), DealStatus.REJECTED));
        }
        DealRecord earlier = store.get(peer.bytes(), r.transferId());
        if (earlier != null && earlier.dealId() == p.id()) {
            // the same deal proposed again on its channel: it would overwrite the record (and its
            // funds) of the deal that holds it; a deal goes on by a restart (DT Restart)
            String why = "deal " + Long.toUnsignedString(p.id()) + " exists already on transfer " + Long.toUnsignedString(r.transferId())
                    + " (" + earlier.state() + "): restart it instead";
            log.info("retrieval: {} proposed again: {}", peer, why);
            return reject(r.transferId(), MessageType.NEW, new DealResponse(p.id(), DealStatus.REJECTED, why, BigInteger.ZERO));
        }
        int status = 0;
        String why = null;
        PieceFinder.Match match = null;
        Node wanted = p.selector() == null ? Selectors.exploreAllRecursively() : p.selector();
        if (!p.payloadCid().equals(request.root()) || (r.baseCid() != null && !r.baseCid().equals(request.root()))) {
            status = DealStatus.REJECTED;
            why = "incorrect CID: proposal " + p.payloadCid() + ", request " + request.root();
        } else if (!Arrays.equals(DagCbor.encode(wanted), DagCbor.encode(request.selector()))) {
            status = DealStatus.REJECTED;
            why = "the proposal's selector is not the graphsync request's";
        } else {
            try {
                Optional<PieceFinder.Match> m = finder.find(p.payloadCid(), p.pieceCid());
                if (m.isEmpty()) {
                    status = DealStatus.DEAL_NOT_FOUND;
                    why = "no ready unsealed piece holds " + p.payloadCid() + (p.pieceCid() == null ? "" : " in piece " + p.pieceCid());
                } else {
                    match = m.get();
                    why = priceProblem(p, match);
                    status = why == null ? 0 : DealStatus.REJECTED;
                }
            } catch (RuntimeException e) {
                status = DealStatus.ERRORED;
                why = "piece lookup failed: " + e.getMessage();
            }
        }
        Deal d = new Deal(peer, request.id(), r.transferId(), p, DagCbor.encode(r.voucher()),
                match == null ? null : match.piece().pieceCid(), match == null ? null : match.ask().paymentAddress());
        synchronized (d) {
            if (status != 0) {
                d.message = why;
                fire(d, ProviderFsm.Event.REJECTED);
                return reject(r.transferId(), MessageType.NEW, new DealResponse(p.id(), status, why, BigInteger.ZERO));
            }
            d.dataLimit = d.math.dataLimit(BigInteger.ZERO);
            byChannel.put(ck, d);
            byRequest.put(new RequestKey(peer, request.id()), d);
            boolean unsealDue = p.unsealPrice().signum() > 0;
            ProviderFsm.Action a = fire(d, unsealDue ? ProviderFsm.Event.ACCEPTED_UNSEAL_DUE : ProviderFsm.Event.ACCEPTED);
            if (a == ProviderFsm.Action.ACCEPT_PAUSED_ASK_UNSEAL) {
                DealResponse dr = new DealResponse(p.id(), DealStatus.FUNDS_NEEDED_UNSEAL, "", p.unsealPrice());
                return RequestDecision.acceptPaused(firstResponse(new TransferResponse(MessageType.NEW, true, true, r.transferId(),
                        dr.toNode(), DealResponse.TYPE)));
            }
            return RequestDecision.accept(firstResponse(new TransferResponse(MessageType.NEW, true, false, r.transferId(),
                    DealResponse.of(p.id(), DealStatus.ACCEPTED).toNode(), DealResponse.TYPE)));
        }
    }

    /**
     * A DT Restart (type 6) in a new graphsync request (go-data-transfer's pull restart): the same
     * transfer id, root, selector and proposal as the deal. The deal comes from memory or from its
     * record; payment state continues from there, the requester's
     * {@code graphsync/do-not-send-first-blocks} skips what it holds, and the Restart response
     * says what is owed (DealResponse 7 or 10 with the amount): the unseal price before any block
     * (the response starts paused), an interval after the blocks counted before the interruption
     * (the walk pauses at the recorded progress). Unknown, finished or mismatched channels are refused: Restart response
     * {@code Acpt} false with DealResponse 17 and the reason, graphsync 32.
     */
    private RequestDecision restart(PeerId peer, GsRequest request, TransferRequest r) {
        long dealId = 0;
        String why;
        Deal d = null;
        UUID previous = null;
        ProviderFsm.Action a = ProviderFsm.Action.NONE;
        BigInteger owed = BigInteger.ZERO;
        boolean unsealDue = false;
        synchronized (byChannel) { // one restart of a channel at a time
            ChannelKey ck = new ChannelKey(peer, r.transferId());
            d = byChannel.get(ck);
            DealRecord rec = d == null ? store.get(peer.bytes(), r.transferId()) : null;
            if (rec != null) {
                dealId = rec.dealId();
            }
            DealRecord settled = rec != null && !rec.state().terminal() ? settle(rec) : rec;
            if (d == null && rec == null) {
                why = "no transfer " + Long.toUnsignedString(r.transferId()) + " from this peer";
            } else if (rec != null && settled == null) {
                // resuming without that voucher's credit would make the client pay the interval twice
                why = "deal " + Long.toUnsignedString(rec.dealId()) + " has vouchers this node cannot check yet (payments not running)";
            } else if (d == null && rec.state() == ProviderFsm.State.COMPLETED && rec.proposal() != null) {
                d = Deal.fromRecord(peer, rec);
                why = restartProblem(d, request, r);
                if (why == null && replays.merge(new ChannelKey(peer, r.transferId()), 1, Integer::sum) > MAX_REPLAYS_PER_DEAL) {
                    why = "deal " + Long.toUnsignedString(rec.dealId()) + " is COMPLETED and was served again "
                            + MAX_REPLAYS_PER_DEAL + " times already";
                }
                if (why == null) {
                    return replay(d, request, r);
                }
            } else if (d == null && rec.state().terminal()) {
                why = "deal " + Long.toUnsignedString(rec.dealId()) + " is " + rec.state() + " and cannot restart";
            } else if (d == null && rec.proposal() == null) {
                why = "deal " + Long.toUnsignedString(rec.dealId()) + " was recorded without its proposal and cannot restart";
            } else {
                if (d == null) {
                    d = Deal.fromRecord(peer, settled);
                }
                dealId = d.proposal.id();
                why = restartProblem(d, request, r);
            }
            if (why == null) {
                synchronized (d) {
                    ProviderFsm.Event e;
                    if (d.funds.compareTo(d.proposal.unsealPrice()) < 0) {
                        e = ProviderFsm.Event.RESTARTED_UNSEAL_DUE;
                        unsealDue = true;
                        owed = d.proposal.unsealPrice().subtract(d.funds);
                    } else {
                        owed = d.math.outstanding(d.funds, d.bytesSent, false);
                        e = owed.signum() > 0 ? ProviderFsm.Event.RESTARTED_FUNDS_DUE : ProviderFsm.Event.RESTARTED;
                    }
                    ProviderFsm.Transition t = ProviderFsm.next(d.state, e);
                    if (t == null) {
                        why = "deal " + Long.toUnsignedString(dealId) + " is " + d.state + " and cannot restart";
                    } else {
                        previous = d.requestId;
                        if (previous != null) {
                            byRequest.remove(new RequestKey(peer, previous), d);
                        }
                        d.requestId = request.id();
                        d.clientPaused = false;
                        d.pausedForClient = false;
                        d.dataLimit = d.math.dataLimit(d.funds);
                        d.message = "restarted by the client after " + d.bytesSent + " bytes";
                        byChannel.put(ck, d);
                        byRequest.put(new RequestKey(peer, request.id()), d);
                        a = fire(d, e);
                    }
                }
            }
        }
        if (why != null) {
            log.info("retrieval: restart of transfer {} from {} refused: {}", Long.toUnsignedString(r.transferId()), peer, why);
            return reject(r.transferId(), MessageType.RESTART, new DealResponse(dealId, DealStatus.ERRORED, why, BigInteger.ZERO));
        }
        if (previous != null && !previous.equals(request.id())) {
            UUID old = previous; // a request the provider still served (half-open connection): it is replaced
            control.execute(() -> graphsync.responder().cancel(peer, old));
        }
        if (a == ProviderFsm.Action.ACCEPT_RESTART_PAUSED_ASK) {
            DealResponse dr = new DealResponse(dealId, unsealDue ? DealStatus.FUNDS_NEEDED_UNSEAL : DealStatus.FUNDS_NEEDED, "", owed);
            // The unseal price comes before any block. Funds due for blocks: those counted before the
            // interruption go out again first (the cut may have lost some, and the client pays only
            // for blocks it holds), then the walk pauses for the payment (onOutgoingBlock)
            Map<String, Node> ext = firstResponse(new TransferResponse(MessageType.RESTART, true, unsealDue, r.transferId(),
                    dr.toNode(), DealResponse.TYPE));
            return unsealDue ? RequestDecision.acceptPaused(ext) : RequestDecision.accept(ext);
        }
        return RequestDecision.accept(firstResponse(new TransferResponse(MessageType.RESTART, true, false, r.transferId(), null, "")));
    }

    /**
     * A restart of a deal that completed here: everything was paid (or it was free), but the
     * client lost the connection before the last blocks or DealResponse 15 reached it (our side
     * cannot tell: they had left). It is served again past the client's
     * do-not-send-first-blocks, not paused, and ends with DT Complete + DealResponse 15; the
     * record is not touched (caller holds byChannel's monitor).
     */
    private RequestDecision replay(Deal d, GsRequest request, TransferRequest r) {
        synchronized (d) {
            d.replay = true;
            if (d.math != null && (d.proposal.pricePerByte().signum() > 0 || d.proposal.unsealPrice().signum() > 0)) {
                long last = Math.max(0, d.bytesSent - 1);
                d.replayBudget = d.math.pricePerByte().signum() > 0
                        ? d.math.nextInterval(last) - d.math.intervalLowerBound(last)
                        : d.bytesSent; // unseal price only: the data itself is free once unsealed
            }
            d.requestId = request.id();
            byRequest.put(new RequestKey(d.peer, request.id()), d);
        }
        log.info("retrieval deal {} (transfer {}): completed, restarted by the client: serving what it lacks again",
                d.proposal.id(), Long.toUnsignedString(r.transferId()));
        return RequestDecision.accept(firstResponse(new TransferResponse(MessageType.RESTART, true, false, r.transferId(), null, "")));
    }

    /** Why a restart request does not match its deal, or null (go-data-transfer's validateRestartRequest). */
    private static String restartProblem(Deal d, GsRequest request, TransferRequest r) {
        if (!r.pull()) {
            return "a retrieval restarts as a pull";
        }
        if (!DealProposal.TYPE.equals(r.voucherType()) || r.voucher() == null) {
            return "a restart carries the deal's " + DealProposal.TYPE;
        }
        if (!Arrays.equals(DagCbor.encode(r.voucher()), d.proposalBytes)) {
            return "the restart's proposal is not deal " + Long.toUnsignedString(d.proposal.id()) + "'s";
        }
        if (!d.proposal.payloadCid().equals(request.root()) || (r.baseCid() != null && !r.baseCid().equals(request.root()))) {
            return "incorrect CID: deal " + d.proposal.payloadCid() + ", request " + request.root();
        }
        Node wanted = d.proposal.selector() == null ? Selectors.exploreAllRecursively() : d.proposal.selector();
        if (!Arrays.equals(DagCbor.encode(wanted), DagCbor.encode(request.selector()))) {
            return "the deal's selector is not the graphsync request's";
        }
        return null;
    }

    /** Why the proposal's terms are refused (§3.5 step 5 and the interval-0 guard), or null. */
    private String priceProblem(DealProposal p, PieceFinder.Match m) {
        RetrievalAsk ask = m.ask();
        if (p.pricePerByte().compareTo(ask.pricePerByte()) < 0) {
            return "price per byte too low: " + p.pricePerByte() + " < " + ask.pricePerByte();
        }
        if (p.unsealPrice().compareTo(m.unsealPrice()) < 0) {
            return "unseal price too low: " + p.unsealPrice() + " < " + m.unsealPrice();
        }
        if (p.pricePerByte().signum() > 0 && p.paymentInterval() == 0) {
            return "payment interval 0 with a non-zero price";
        }
        if (ask.pricePerByte().signum() > 0 && Long.compareUnsigned(p.paymentInterval(), ask.paymentInterval()) > 0) {
            return "payment interval too large: " + Long.toUnsignedString(p.paymentInterval()) + " > " + ask.paymentInterval();
        }
        if (ask.pricePerByte().signum() > 0
                && Long.compareUnsigned(p.paymentIntervalIncrease(), ask.paymentIntervalIncrease()) > 0) {
            return "payment interval increase too large: " + Long.toUnsignedString(p.paymentIntervalIncrease()) + " > "
                    + ask.paymentIntervalIncrease();
        }
        if ((p.pricePerByte().signum() > 0 || p.unsealPrice().signum() > 0) && receivers == null) {
            return "this node takes no payments";
        }
        return null;
    }

    private static Map<String, Node> firstResponse(TransferResponse r) {
        Node n = TransferMessage.of(r).toNode();
        Map<String, Node> m = new LinkedHashMap<>();
        m.put(TransferMessage.EXTENSION_INCOMING_REQUEST, n);
        m.put(TransferMessage.EXTENSION, n);
        return m;
    }

    private static RequestDecision reject(long transferId, int type, DealResponse dr) {
        TransferResponse resp = new TransferResponse(type, false, false, transferId, dr == null ? null : dr.toNode(),
                dr == null ? "" : DealResponse.TYPE);
        return RequestDecision.reject(ResponseStatus.REQUEST_FAILED_UNKNOWN, firstResponse(resp));
    }

    @Override
    public BlockDecision onOutgoingBlock(PeerId peer, UUID requestId, OutgoingBlock block) {
        Deal d = byRequest.get(new RequestKey(peer, requestId));
        if (d == null) {
            // Every request this provider accepted has a deal until the deal ends or a restart
            // moves it to a new request; then this one is cancelled (asynchronously). Until that
            // runs, nothing here counts or limits its blocks: stop it after this one.
            return STOP_UNMETERED;
        }
        synchronized (d) {
            if (d.replay) {
                return replayBlock(d, requestId, block);
            }
            // first sends count, by traversal index: after a restart, blocks up to the recorded
            // progress were counted already (go-data-transfer counts queued blocks by index too).
            // A block beyond it that the client says it holds (do-not-send-first-blocks or -cids)
            // counts as sent too: after a restart it went out before the interruption (after the
            // record was last written); otherwise the progress index passes it uncounted and a later
            // restart without the extension would send it for nothing.
            if (block.index() > d.progress) {
                d.progress = block.index();
                if (block.sizeOnWire() > 0) {
                    d.bytesSent += block.sizeOnWire();
                } else if (block.firstVisit()) {
                    d.bytesSent += block.size();
                }
            }
            if (!requestId.equals(d.requestId)) {
                return STOP_UNMETERED; // a restart replaced this request while it waited for the monitor
            }
            if (d.state == ProviderFsm.State.FUNDS_NEEDED && block.index() >= d.progress) {
                // a restart asked for funds: the blocks counted before it went out again, the
                // next ones wait for the payment (its resume unpauses)
                return BlockDecision.pauseAfter(Map.of());
            }
            if (d.state != ProviderFsm.State.ONGOING || d.dataLimit == 0 || d.bytesSent < d.dataLimit) {
                return clientPauseAfter(d);
            }
            BigInteger owed = d.math.outstanding(d.funds, d.bytesSent, false);
            if (owed.signum() == 0) {
                d.dataLimit = d.math.dataLimit(d.funds);
                return clientPauseAfter(d);
            }
            if (fire(d, ProviderFsm.Event.DATA_LIMIT_REACHED) != ProviderFsm.Action.PAUSE_ASK_PAYMENT) {
                return clientPauseAfter(d);
            }
            // The ask goes out on its own stream; a voucher answering it unpauses only after this
            // hook returned (graphsync holds the request's lock until the pause is in place).
            send(d, new TransferResponse(MessageType.VOUCHER_RESULT, true, true, d.transferId,
                    new DealResponse(d.proposal.id(), DealStatus.FUNDS_NEEDED, "", owed).toNode(), DealResponse.TYPE));
            Node upd = TransferMessage.of(new TransferResponse(MessageType.UPDATE, true, true, d.transferId, null, "")).toNode();
            Map<String, Node> ext = new LinkedHashMap<>();
            ext.put(TransferMessage.EXTENSION_OUTGOING_BLOCK, upd);
            ext.put(TransferMessage.EXTENSION, upd);
            return BlockDecision.pauseAfter(ext);
        }
    }

    private static final BlockDecision STOP_UNMETERED = BlockDecision.pauseAfter(Map.of());

    /**
     * A block of a completed deal served again: free up to the replay budget; the block that
     * crosses it is the last one (the hook cannot hold back the block going out), then the replay
     * ends with an error (caller holds d's monitor).
     */
    private BlockDecision replayBlock(Deal d, UUID requestId, OutgoingBlock block) {
        if (!requestId.equals(d.requestId) || d.replayOverBudget) {
            return STOP_UNMETERED;
        }
        d.replayBytes += block.sizeOnWire();
        if (d.replayBytes <= d.replayBudget) {
            return BlockDecision.CONTINUE;
        }
        d.replayOverBudget = true;
        String why = "deal " + Long.toUnsignedString(d.proposal.id()) + " is COMPLETED: served again only for its last payment interval ("
                + d.replayBudget + " bytes)";
        log.info("retrieval deal {} (transfer {}): replay stopped: {}", d.proposal.id(), Long.toUnsignedString(d.transferId), why);
        UUID id = d.requestId;
        control.execute(() -> send(d, new TransferResponse(MessageType.VOUCHER_RESULT, false, false, d.transferId,
                new DealResponse(d.proposal.id(), DealStatus.ERRORED, why, BigInteger.ZERO).toNode(), DealResponse.TYPE))
                .whenComplete((v, e) -> control.execute(() -> graphsync.responder().cancel(d.peer, id))));
        return STOP_UNMETERED;
    }

    /** A client's pause takes effect after the block going out now (caller holds d's monitor). */
    private static BlockDecision clientPauseAfter(Deal d) {
        if (!d.clientPaused || d.state.terminal()) {
            return BlockDecision.CONTINUE;
        }
        d.pausedForClient = true;
        return BlockDecision.pauseAfter(Map.of());
    }

    /**
     * A client's DT Update (§3.1 type 1): {@code Paus} true pauses the graphsync response after
     * the block going out next, false resumes it — unless the provider itself waits for a payment
     * (then the payment's resume will do, as go-data-transfer's "both paused").
     */
    private void clientPause(Deal d, boolean pause) {
        boolean unpause;
        synchronized (d) {
            if (d.state.terminal() || d.clientPaused == pause) {
                return;
            }
            d.clientPaused = pause;
            unpause = !pause && d.pausedForClient;
            if (!pause) {
                d.pausedForClient = false;
            }
            log.info("retrieval deal {}: client {} the transfer", d.proposal.id(), pause ? "paused" : "resumed");
        }
        if (unpause) {
            graphsync.responder().unpause(d.peer, d.requestId, Map.of());
        }
    }

    /** How many deals this provider holds in memory now (live or interrupted; status, tests). */
    public int liveDeals() {
        return byChannel.size();
    }

    /** Whether the graphsync response of {@code client}'s transfer is paused now (status, tests). */
    public boolean transferPaused(PeerId client, long transferId) {
        Deal d = byChannel.get(new ChannelKey(client, transferId));
        return d != null && graphsync.responder().isPaused(d.peer, d.requestId);
    }

    @Override
    public UpdateDecision onRequestUpdated(PeerId peer, UUID requestId, Map<String, Node> extensions) {
        Node ext = extensions.get(TransferMessage.EXTENSION);
        if (ext != null) {
            try {
                TransferMessage m = TransferMessage.fromNode(ext);
                control.execute(() -> handle(peer, m));
            } catch (NodeException e) {
                log.info("retrieval: {} sent a bad data-transfer update: {}", peer, e.getMessage());
            }
        }
        return UpdateDecision.NONE;
    }

    @Override
    public void onComplete(PeerId peer, UUID requestId, int status) {
        Deal d = byRequest.get(new RequestKey(peer, requestId));
        if (d == null) {
            return;
        }
        if (d.replay) {
            byRequest.remove(new RequestKey(peer, requestId), d);
            if (ResponseStatus.isSuccess(status)) {
                send(d, completed(d));
            }
            return;
        }
        synchronized (d) {
            if (!ResponseStatus.isSuccess(status)) {
                d.message = "graphsync response ended with status " + status;
                fire(d, ProviderFsm.Event.TRANSFER_FAILED);
                return;
            }
            BigInteger owed = d.math.outstanding(d.funds, d.bytesSent, true);
            boolean free = d.proposal.pricePerByte().signum() == 0 && d.proposal.unsealPrice().signum() == 0;
            ProviderFsm.Event e = free ? ProviderFsm.Event.TRANSFER_DONE_FREE
                    : owed.signum() > 0 ? ProviderFsm.Event.TRANSFER_DONE_OWING : ProviderFsm.Event.TRANSFER_DONE_SETTLED;
            act(d, fire(d, e), owed);
        }
    }

    /**
     * The requester cancelled its graphsync request. As go-data-transfer, that alone does not end
     * the deal (a go client cancels before it restarts); a DT Cancel does.
     */
    @Override
    public void onCancelled(PeerId peer, UUID requestId) {
        interrupted(peer, requestId, "client cancelled the graphsync request");
    }

    /** The connection went away: the deal waits for a restart (its state so far is persisted now). */
    @Override
    public void onNetworkError(PeerId peer, UUID requestId, Throwable cause) {
        interrupted(peer, requestId, "connection lost: " + cause.getMessage());
    }

    private void interrupted(PeerId peer, UUID requestId, String why) {
        RequestKey k = new RequestKey(peer, requestId);
        Deal d = byRequest.get(k);
        if (d != null && d.replay) {
            byRequest.remove(k, d); // the record stays COMPLETED; the client may restart again
            return;
        }
        if (d != null) {
            synchronized (d) {
                if (!requestId.equals(d.requestId)) {
                    return; // replaced by a restart meanwhile
                }
                byRequest.remove(k, d);
                d.message = why;
                fire(d, ProviderFsm.Event.INTERRUPTED);
                if (d.state == ProviderFsm.State.AWAITING_RESTART) {
                    int n = ++d.interruptions;
                    schedule(() -> expire(d, n));
                }
            }
        }
    }

    /**
     * Sets how long an interrupted deal waits for its client's restart, and how long a deal waits
     * for a payment it asked for (default {@link #DEFAULT_RESTART_WINDOW}).
     */
    public void setRestartWindow(java.time.Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("restart window must be positive");
        }
        this.restartWindow = window;
    }

    /** The window for messages: whole seconds, or milliseconds when shorter or not whole. */
    private String window() {
        java.time.Duration w = restartWindow;
        return w.toMillis() % 1000 == 0 ? w.toSeconds() + " s" : w.toMillis() + " ms";
    }

    private void schedule(Runnable r) {
        try {
            control.schedule(r, restartWindow.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the record stays AWAITING_RESTART and the next start-up sets a new timer
        }
    }

    /** The client did not restart in time: the deal fails (so interrupted deals do not pile up). */
    private void expire(Deal d, int interruption) {
        synchronized (byChannel) {
            synchronized (d) {
                if (d.state == ProviderFsm.State.AWAITING_RESTART && d.interruptions == interruption) {
                    d.message = "not restarted within " + restartWindow.toSeconds() + " s (" + d.message + ")";
                    fire(d, ProviderFsm.Event.RESTART_EXPIRED);
                    byChannel.remove(new ChannelKey(d.peer, d.transferId), d);
                }
            }
        }
    }

    /**
     * The client did not settle what it was asked for within the window (and neither cancelled nor
     * went away): the deal fails with DealResponse 17, its graphsync request is cancelled and it
     * leaves memory; its record stays (ERRORED), as do the vouchers already stored.
     */
    private void paymentExpired(Deal d, int wait) {
        ProviderFsm.Action a;
        synchronized (byChannel) { // not while a restart moves the deal
            synchronized (d) {
                if (!ProviderFsm.awaitingPayment(d.state) || d.paymentWaits != wait) {
                    return; // paid, cut off, cancelled or asked again since
                }
                if (d.pending != null) {
                    schedule(() -> paymentExpired(d, wait)); // a voucher is being stored now: let it count
                    return;
                }
                d.message = "client did not pay within " + window() + " (" + d.state + ")";
                a = fire(d, ProviderFsm.Event.PAYMENT_EXPIRED);
            }
        }
        act(d, a, BigInteger.ZERO);
    }

    /** Deals left AWAITING_RESTART by the last run and not restarted since fail after the window. */
    private void expireRecovered(List<DealRecord> recovered) {
        synchronized (byChannel) {
            for (DealRecord r : recovered) {
                DealRecord now = store.get(r.client(), r.transferId());
                if (now != null && now.state() == ProviderFsm.State.AWAITING_RESTART
                        && !byChannel.containsKey(new ChannelKey(PeerId.fromBytes(r.client()), r.transferId()))) {
                    DealRecord settled = settle(now); // its funds final: payments run by now
                    now = settled == null ? now : settled;
                    ProviderFsm.Transition t = ProviderFsm.next(now.state(), ProviderFsm.Event.RESTART_EXPIRED);
                    store.put(now.with(t.next(), "not restarted within " + restartWindow.toSeconds() + " s (" + now.message() + ")"));
                }
            }
        }
    }

    // ---- data-transfer messages from clients ----

    @Override
    public void onMessage(PeerId peer, TransferMessage message) {
        control.execute(() -> handle(peer, message));
    }

    private void handle(PeerId peer, TransferMessage m) {
        if (!m.isRequest()) {
            log.debug("retrieval: {} sent a data-transfer response; a provider expects requests", peer);
            return;
        }
        TransferRequest r = m.request();
        Deal d = byChannel.get(new ChannelKey(peer, r.transferId()));
        if (d == null && r.type() == MessageType.CANCEL) {
            cancelRecorded(peer, r.transferId()); // a deal waiting on disk for a restart that will not come
            return;
        }
        if (d == null) {
            log.debug("retrieval: {} sent data-transfer type {} for unknown or finished transfer {}", peer, r.type(), r.transferId());
            return;
        }
        switch (r.type()) {
            case MessageType.VOUCHER -> payment(d, r);
            case MessageType.UPDATE -> clientPause(d, r.paused());
            case MessageType.CANCEL -> {
                ProviderFsm.Action a;
                synchronized (d) {
                    d.message = "client cancelled";
                    a = fire(d, ProviderFsm.Event.CLIENT_CANCELLED);
                }
                if (a == ProviderFsm.Action.STOP) {
                    graphsync.responder().cancel(d.peer, d.requestId);
                }
            }
            default -> log.debug("retrieval: {} sent data-transfer type {} on transfer {}; ignored", peer, r.type(), r.transferId());
        }
    }

    private void cancelRecorded(PeerId peer, long transferId) {
        synchronized (byChannel) {
            DealRecord rec = store.get(peer.bytes(), transferId);
            if (rec != null && !rec.state().terminal() && !byChannel.containsKey(new ChannelKey(peer, transferId))) {
                DealRecord settled = settle(rec); // its funds final
                rec = settled == null ? rec : settled;
            }
            ProviderFsm.Transition t = rec == null ? null : ProviderFsm.next(rec.state(), ProviderFsm.Event.CLIENT_CANCELLED);
            if (t != null && t.next() != rec.state() && !byChannel.containsKey(new ChannelKey(peer, transferId))) {
                store.put(rec.with(t.next(), "client cancelled"));
                log.info("retrieval deal {} (transfer {}): {} -> {} (client cancelled)", rec.dealId(), transferId, rec.state(), t.next());
            }
        }
    }

    /** A voucher: validate and store it durably, then (and only then) resume or finish. */
    private void payment(Deal d, TransferRequest r) {
        PaymentReceiver.Accepted accepted;
        String refused = null;
        DealPayment pay = null;
        try {
            if (!DealPayment.TYPE.equals(r.voucherType())) {
                throw new NodeException(NodeException.Reason.BAD_MESSAGE, "voucher type \"" + r.voucherType() + "\" is not " + DealPayment.TYPE);
            }
            pay = DealPayment.fromNode(r.voucher());
            if (pay.id() != d.proposal.id()) {
                throw new NodeException(NodeException.Reason.BAD_MESSAGE, "payment for deal " + pay.id() + " on deal " + d.proposal.id());
            }
            if (pay.voucher() == null) {
                throw new NodeException(NodeException.Reason.BAD_MESSAGE, "payment without a voucher");
            }
            if (receivers == null) {
                throw new NodeException(NodeException.Reason.BAD_MESSAGE, "this node takes no payments");
            }
            PaymentReceiver receiver = receivers.apply(d.payee);
            BigInteger fundsBefore;
            synchronized (d) {
                if (d.channel != null && !d.channel.equals(pay.paymentChannel())) {
                    throw new NodeException(NodeException.Reason.BAD_MESSAGE, "payment on another channel than " + d.channel);
                }
                d.pending = pay.voucher();
                fundsBefore = d.funds; // vouchers are taken one at a time (the control thread)
            }
            // one synchronous commit: the voucher with the deal's new funds (the memo); the record
            // follows in the background, and settle() covers a stop before it lands
            accepted = receiver.accept(pay.paymentChannel(), pay.voucher(), TokenAmount.ZERO,
                    CreditMemo.of(d.peer.bytes(), d.transferId, d.proposal.id(), fundsBefore, pay.paymentChannel().bytes()));
        } catch (NodeException | PaychException e) {
            accepted = null;
            refused = e.getMessage();
        }
        ProviderFsm.Action a;
        BigInteger owed;
        synchronized (d) {
            d.pending = null;
            if (accepted == null) {
                d.message = "voucher refused: " + refused;
                a = fire(d, ProviderFsm.Event.VOUCHER_REFUSED);
                owed = BigInteger.ZERO;
            } else if (d.state.terminal()) {
                // the deal ended (e.g. its response failed) while the voucher was being stored: the
                // voucher is ours now, and nothing settles a finished record later, so it counts here
                d.channel = pay.paymentChannel();
                d.funds = d.funds.add(accepted.credit().atto());
                if (accepted.credit().atto().signum() > 0) {
                    store.put(d.record());
                }
                a = ProviderFsm.Action.NONE;
                owed = BigInteger.ZERO;
            } else {
                d.channel = pay.paymentChannel();
                d.funds = d.funds.add(accepted.credit().atto());
                boolean last = d.state == ProviderFsm.State.FUNDS_NEEDED_LAST_PAYMENT;
                owed = d.math.outstanding(d.funds, d.bytesSent, last);
                if (owed.signum() == 0) {
                    d.dataLimit = d.math.dataLimit(d.funds);
                }
                a = fire(d, owed.signum() > 0 ? ProviderFsm.Event.PAYMENT_PARTIAL : ProviderFsm.Event.PAYMENT_COMPLETE);
            }
        }
        act(d, a, owed);
    }

    /** Performs an action; called with no graphsync lock held by us (deal monitor may be held). */
    private void act(Deal d, ProviderFsm.Action a, BigInteger owed) {
        long id = d.proposal.id();
        switch (a) {
            case RESUME -> {
                Node vr = TransferMessage.of(new TransferResponse(MessageType.VOUCHER_RESULT, true, false, d.transferId, null, "")).toNode();
                Map<String, Node> ext = Map.of(TransferMessage.EXTENSION, vr);
                boolean stayPaused;
                synchronized (d) {
                    stayPaused = d.clientPaused; // paid, but the client paused too: its resume unpauses
                    d.pausedForClient = stayPaused;
                }
                if (stayPaused) {
                    control.execute(() -> graphsync.responder().sendExtensions(d.peer, d.requestId, ext));
                } else {
                    control.execute(() -> graphsync.responder().unpause(d.peer, d.requestId, ext));
                }
            }
            case ASK_REMAINING -> {
                boolean last = d.state == ProviderFsm.State.FUNDS_NEEDED_LAST_PAYMENT;
                send(d, new TransferResponse(last ? MessageType.COMPLETE : MessageType.VOUCHER_RESULT, true, true, d.transferId,
                        new DealResponse(id, d.state.status(), "", owed).toNode(), DealResponse.TYPE));
            }
            // §3.8 A.10: the transport's Complete (paused = settlement pending) goes first, then the
            // deal's answer; the second waits for the first to be written so they arrive in order.
            case ASK_LAST_PAYMENT -> sendInOrder(d, settlementPending(d), new TransferResponse(MessageType.COMPLETE, true, true,
                    d.transferId, new DealResponse(id, DealStatus.FUNDS_NEEDED_LAST_PAYMENT, "", owed).toNode(), DealResponse.TYPE));
            case FINALIZE_COMPLETED -> sendInOrder(d, settlementPending(d), completed(d));
            case SEND_COMPLETED -> send(d, completed(d));
            case FAIL -> {
                // The reason goes out before the graphsync cancel, so the client learns why and does
                // not just see a cancelled response (stopping is not delayed by a failed write).
                send(d, new TransferResponse(MessageType.VOUCHER_RESULT, false, false, d.transferId,
                        new DealResponse(id, DealStatus.ERRORED, d.message, BigInteger.ZERO).toNode(), DealResponse.TYPE))
                        .whenComplete((v, e) -> control.execute(() -> graphsync.responder().cancel(d.peer, d.requestId)));
            }
            case STOP -> control.execute(() -> graphsync.responder().cancel(d.peer, d.requestId));
            default -> { }
        }
    }

    /** DT Complete, accepted, paused, no voucher result: all blocks sent, the deal still needs settling. */
    private static TransferResponse settlementPending(Deal d) {
        return new TransferResponse(MessageType.COMPLETE, true, true, d.transferId, null, "");
    }

    /** DT Complete, not paused, DealResponse 15. */
    private static TransferResponse completed(Deal d) {
        return new TransferResponse(MessageType.COMPLETE, true, false, d.transferId,
                DealResponse.of(d.proposal.id(), DealStatus.COMPLETED).toNode(), DealResponse.TYPE);
    }

    private CompletableFuture<Void> send(Deal d, TransferResponse r) {
        return network.send(d.peer, TransferMessage.of(r)).whenComplete((v, e) -> {
            if (e != null) {
                log.info("retrieval deal {}: cannot send data-transfer type {} to {}: {}", d.proposal.id(), r.type(), d.peer, e.getMessage());
            }
        });
    }

    /** Sends {@code first}, then {@code second} once the first is written (each on its own stream). */
    private void sendInOrder(Deal d, TransferResponse first, TransferResponse second) {
        send(d, first).whenComplete((v, e) -> {
            if (e == null) {
                send(d, second);
            }
        });
    }

    @Override
    public void close() {
        if (ownsGraphsync && graphsync != null) {
            graphsync.close();
        }
        control.shutdownNow();
        try {
            control.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
