package venus.retrieval.node.retrieval.client;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.graphsync.Graphsync;
import venus.retrieval.node.graphsync.GraphsyncHooks;
import venus.retrieval.node.graphsync.GsRequest;
import venus.retrieval.node.graphsync.OutgoingRequest;
import venus.retrieval.node.graphsync.ReceivedBlocks;
import venus.retrieval.node.graphsync.ResponseStatus;
import venus.retrieval.node.retrieval.datatransfer.DataTransferNetwork;
import venus.retrieval.node.retrieval.datatransfer.DealPayment;
import venus.retrieval.node.retrieval.datatransfer.DealProposal;
import venus.retrieval.node.retrieval.datatransfer.DealResponse;
import venus.retrieval.node.retrieval.datatransfer.DealStatus;
import venus.retrieval.node.retrieval.datatransfer.MessageType;
import venus.retrieval.node.retrieval.datatransfer.TransferMessage;
import venus.retrieval.node.retrieval.datatransfer.TransferRequest;
import venus.retrieval.node.retrieval.datatransfer.TransferResponse;
import venus.retrieval.node.retrieval.query.Query;
import venus.retrieval.node.retrieval.query.QueryProtocol;
import venus.retrieval.node.retrieval.query.QueryResponse;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.Wallet;

/**
 * The lightweight retrieval client (what {@code vrn retrieve} runs): on a host that only dials,
 * it queries the provider, proposes a deal in a graphsync request, verifies every block against
 * the selector walk (graphsync requester), pays the vouchers the provider asks for from a wallet
 * on one payment channel, and finishes when both the graphsync response (20) and the
 * data-transfer DealResponse Completed (15) arrived.
 */
public final class RetrievalClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetrievalClient.class);
    /** How long a failed graphsync ending waits for the provider's data-transfer reason. */
    private static final long PROVIDER_REASON_GRACE_MS = 2000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * How the client may pay.
     *
     * @param maxTotal       most attoFIL this retrieval may cost (price × piece size + unseal); null = only free
     * @param paymentChannel the channel to pay on (its From must be {@code from}); null = no payments
     * @param wallet         signs vouchers
     * @param from           the signing address
     * @param vouchers       records created vouchers (lane and nonce bookkeeping); may be null
     */
    public record Payment(BigInteger maxTotal, Address paymentChannel, Wallet wallet, Address from, VoucherStore vouchers) {
        public static final Payment FREE_ONLY = new Payment(null, null, null, null, null);
    }

    /**
     * What a retrieval did.
     *
     * @param restarts    how many times the channel was restarted after the connection dropped
     * @param bytesOnWire block bytes that arrived over the network (blocks skipped at a restart are not resent)
     */
    public record Result(long blocks, long bytes, BigInteger paid, int graphsyncStatus, QueryResponse ask, int restarts,
                         long bytesOnWire) {}

    /**
     * How the client recovers when the connection drops mid-transfer: up to {@code maxRestarts}
     * restarts of the channel per retrieval, each after up to {@code dialAttempts} dials spaced by
     * a backoff doubling from {@code firstBackoff} to {@code maxBackoff}; all within the
     * retrieval's timeout.
     */
    public record Reconnect(int maxRestarts, int dialAttempts, Duration firstBackoff, Duration maxBackoff) {
        /** 5 restarts, 8 dials each, 200 ms doubling to 5 s. */
        public static final Reconnect DEFAULT = new Reconnect(5, 8, Duration.ofMillis(200), Duration.ofSeconds(5));
        /** Never restart: a dropped connection fails the retrieval. */
        public static final Reconnect NEVER = new Reconnect(0, 0, Duration.ZERO, Duration.ZERO);

        public Reconnect {
            if (maxRestarts < 0 || dialAttempts < 0 || firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
                throw new IllegalArgumentException("bad reconnect policy");
            }
        }
    }

    /** A test seam: decides each voucher amount (lets tests stop paying or tamper). Null = pay what is owed. */
    public interface VoucherPolicy {
        /** The voucher to send for cumulative {@code amount}, or null to send nothing (stop paying). */
        SignedVoucher voucher(SignedVoucher honest);
    }

    private final Host host;
    private final Graphsync graphsync;
    private final DataTransferNetwork network;
    private final Map<Long, Session> sessions = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Handles the provider's data-transfer responses in arrival order, off the event loop and the
     * graphsync worker: paying (signing, the voucher store's fsync) never stalls receiving blocks.
     */
    private final java.util.concurrent.ExecutorService responses = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "retrieval-client-dt");
        t.setDaemon(true);
        return t;
    });
    private VoucherPolicy policy;
    private volatile Reconnect reconnect = Reconnect.DEFAULT;
    private volatile java.util.function.Consumer<byte[]> capture;
    /** Catches a drop while no graphsync response is running (the final payment round). */
    private final venus.retrieval.libp2p.ConnectionListener drops = new venus.retrieval.libp2p.ConnectionListener() {
        @Override
        public void onDisconnected(venus.retrieval.libp2p.Connection c) {
            PeerId p = c.remotePeer();
            if (host.connection(p) == null) {
                for (Session s : sessions.values()) {
                    if (s.peer.equals(p)) {
                        s.connectionDropped();
                    }
                }
            }
        }
    };

    /** Uses {@code host} (started, not necessarily listening) for graphsync requests and data-transfer. */
    public RetrievalClient(Host host) {
        this.host = host;
        GraphsyncHooks refuseAll = new GraphsyncHooks() {
            @Override
            public RequestDecision onIncomingRequest(PeerId peer, GsRequest request) {
                return RequestDecision.reject(ResponseStatus.REQUEST_REJECTED, Map.of()); // a client serves nothing
            }
        };
        this.graphsync = Graphsync.register(host, cid -> null, refuseAll, 1);
        this.network = DataTransferNetwork.register(host, (peer, m) -> {
            Session s = sessions.get(m.transferId());
            if (s != null && s.peer.equals(peer) && !m.isRequest()) {
                s.handle(m.response());
            }
        }, raw -> {
            var c = capture;
            if (c != null) {
                c.accept(raw);
            }
        });
        host.addConnectionListener(drops);
    }

    /**
     * Sees every data-transfer message the provider sends (tests, interop captures): the exact bytes
     * of those on {@code /fil/datatransfer/1.2.0}, and the dag-cbor of those inside graphsync extensions.
     */
    public void setCapture(java.util.function.Consumer<byte[]> c) {
        this.capture = c;
    }

    /** The graphsync instance on the client's host (its requester sends this client's requests). */
    public Graphsync graphsync() {
        return graphsync;
    }

    /** Replaces how vouchers are made (tests). */
    public void setVoucherPolicy(VoucherPolicy p) {
        this.policy = p;
    }

    /** Sets how a dropped connection is recovered ({@link Reconnect#DEFAULT} unless set). */
    public void setReconnect(Reconnect r) {
        this.reconnect = java.util.Objects.requireNonNull(r);
    }

    /** Asks the provider about {@code root}. */
    public QueryResponse query(Multiaddr provider, Cid root, Duration timeout) {
        return QueryProtocol.query(host, provider, new Query(root, null), timeout);
    }

    /**
     * Retrieves the whole DAG at {@code root} from {@code provider} into {@code store}.
     *
     * @throws NodeException {@code RETRIEVAL_FAILED} with one line saying why
     */
    public Result retrieve(Multiaddr provider, Cid root, ReceivedBlocks store, Payment pay, Duration timeout) {
        return retrieve(provider, root, null, store, pay, timeout);
    }

    /**
     * Retrieves what {@code selector} selects from {@code root} (null: the whole DAG), e.g. a UnixFS
     * path and scope as lassie asks ({@link Selectors#unixFsPath}); the selector goes in the deal
     * proposal and the graphsync request, and every block is checked against its walk.
     *
     * @throws NodeException {@code RETRIEVAL_FAILED} with one line saying why
     */
    public Result retrieve(Multiaddr provider, Cid root, Node selector, ReceivedBlocks store, Payment pay, Duration timeout) {
        try {
            host.connect(provider).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw failed("cannot connect to " + provider + ": " + (e.getCause() == null ? "timeout" : e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("interrupted");
        }
        QueryResponse q = query(provider, root, timeout);
        if (q.status() != QueryResponse.AVAILABLE) {
            throw failed("provider does not serve " + root + (q.message().isEmpty() ? "" : ": " + q.message()));
        }
        boolean paid = q.minPricePerByte().signum() > 0 || q.unsealPrice().signum() > 0;
        if (paid) {
            if (pay.maxTotal() == null && pay.paymentChannel() == null) {
                throw failed("provider asks " + q.minPricePerByte() + " attoFIL/byte and unseal " + q.unsealPrice()
                        + " attoFIL; pass --max-price or --paych to pay");
            }
            if (pay.paymentChannel() == null || pay.wallet() == null) {
                throw failed("provider asks for payment; pass --paych with a channel from this wallet");
            }
            BigInteger worst = q.minPricePerByte().multiply(BigInteger.valueOf(q.size())).add(q.unsealPrice());
            if (pay.maxTotal() != null && worst.compareTo(pay.maxTotal()) > 0) {
                throw failed("provider may charge up to " + worst + " attoFIL for this piece, above --max-price " + pay.maxTotal());
            }
        }
        PeerId peer = provider.peerId();
        long transferId = RANDOM.nextLong() & Long.MAX_VALUE;
        long dealId = RANDOM.nextLong() & Long.MAX_VALUE;
        Node wanted = selector == null ? Selectors.exploreAllRecursively() : selector;
        DealProposal proposal = new DealProposal(dealId, root, null, selector, q.minPricePerByte(), q.maxPaymentInterval(),
                q.maxPaymentIntervalIncrease(), q.unsealPrice());
        Session s = new Session(peer, transferId, proposal, pay);
        sessions.put(transferId, s);
        long deadline = System.nanoTime() + timeout.toNanos();
        Reconnect policy = reconnect;
        try {
            TransferMessage dt = TransferMessage.of(TransferRequest.newPull(transferId, root, wanted, DealProposal.TYPE, proposal.toNode()));
            s.start(graphsync.requester().request(peer, root, wanted, Map.of(TransferMessage.EXTENSION, dt.toNode()), store, s));
            while (true) {
                CompletableFuture<Void> cut = s.interruption;
                try {
                    CompletableFuture.anyOf(s.done, cut).get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                    if (s.done.isDone()) {
                        return s.done.get().withAsk(q);
                    }
                } catch (TimeoutException e) {
                    s.fail("no completion within " + timeout.toSeconds() + "s (" + s.bytes.get() + " bytes received)");
                    continue; // done is failed now: reported above on the next turn
                } catch (ExecutionException e) {
                    if (s.done.isDone()) {
                        Throwable c = e.getCause();
                        throw c instanceof NodeException ne ? ne : failed(c.getMessage());
                    }
                    throw failed(e.getCause().getMessage());
                }
                // the connection dropped mid-transfer: dial again and restart the channel where it stopped
                OutgoingRequest before = s.request;
                if (s.restarts >= policy.maxRestarts()) {
                    s.fail("connection lost after " + s.restarts + " restart(s): " + s.lostBecause);
                    continue;
                }
                String why = redial(provider, policy, deadline);
                if (why != null) {
                    s.fail("connection lost (" + s.lostBecause + ") and the provider cannot be reached again: " + why);
                    continue;
                }
                long have = before.linksVerified();
                log.info("retrieve: restarting transfer {} after {} verified links ({} bytes)", Long.toUnsignedString(transferId), have, s.bytes.get());
                TransferMessage rs = TransferMessage.of(TransferRequest.restartPull(transferId, root, wanted, DealProposal.TYPE,
                        proposal.toNode()));
                s.restart(graphsync.requester().restart(peer, root, wanted, Map.of(TransferMessage.EXTENSION, rs.toNode()), store, s, have));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("interrupted");
        } finally {
            sessions.remove(transferId);
        }
    }

    private static long remainingMs(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** Dials until connected (null) or the attempts or the time run out (why not). */
    private String redial(Multiaddr provider, Reconnect policy, long deadline) throws InterruptedException {
        long backoff = policy.firstBackoff().toMillis();
        String why = "no dial attempts allowed";
        for (int i = 0; i < policy.dialAttempts(); i++) {
            long left = remainingMs(deadline);
            if (left <= backoff) {
                return why + " (out of time)";
            }
            Thread.sleep(backoff);
            backoff = Math.min(policy.maxBackoff().toMillis(), Math.max(1, backoff * 2));
            try {
                host.connect(provider).get(Math.max(1, remainingMs(deadline)), TimeUnit.MILLISECONDS);
                return null;
            } catch (ExecutionException e) {
                why = e.getCause() == null ? String.valueOf(e) : e.getCause().getMessage();
            } catch (TimeoutException e) {
                return "timeout";
            }
        }
        return why;
    }

    private static NodeException failed(String msg) {
        return new NodeException(NodeException.Reason.RETRIEVAL_FAILED, "retrieve: " + msg);
    }

    /** One retrieval in progress. */
    private final class Session implements OutgoingRequest.Listener {
        final PeerId peer;
        final long transferId;
        final DealProposal proposal;
        final Payment pay;
        final CompletableFuture<PartialResult> done = new CompletableFuture<>();
        /** Completes when the current request's connection drops (the retrieve loop then restarts). */
        volatile CompletableFuture<Void> interruption = new CompletableFuture<>();
        volatile OutgoingRequest request;
        volatile String lostBecause = "";
        int restarts;
        long bytesOnWireBefore;
        // written by the graphsync worker without the session's lock (a payment holds it while signing)
        final java.util.concurrent.atomic.AtomicLong blocks = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        BigInteger paid = BigInteger.ZERO;
        /** What the provider has answered for: paid minus a voucher possibly lost with the connection. */
        BigInteger acked = BigInteger.ZERO;
        /** The last voucher sent (paid is its amount). */
        SignedVoucher lastSent;
        /** A payment request waiting for the blocks it counts (null: none). */
        BigInteger owedWaiting;
        /** Bytes received at which {@link #owedWaiting} becomes payable (-1: none). */
        volatile long payWhenBytes = -1;
        long lane = -1;
        long nonce;
        boolean dealCompleted;
        Integer gsStatus;

        Session(PeerId peer, long transferId, DealProposal proposal, Payment pay) {
            this.peer = peer;
            this.transferId = transferId;
            this.proposal = proposal;
            this.pay = pay;
        }

        synchronized void start(OutgoingRequest r) {
            request = r;
            r.completion().whenComplete((status, err) -> graphsyncDone(r, status, err));
        }

        /**
         * The connection is gone. While the graphsync response runs, its failure restarts the
         * transfer; after it ended but before DealResponse 15 (the final payment round) nothing
         * else would notice, so this restarts it: the provider re-walks without sending a block
         * and asks for the last payment again.
         */
        synchronized void connectionDropped() {
            if (!done.isDone() && gsStatus != null && !dealCompleted) {
                lostBecause = "connection closed before the deal completed";
                interruption.complete(null);
            }
        }

        synchronized void restart(OutgoingRequest r) {
            bytesOnWireBefore += request.bytesOnWire();
            gsStatus = null; // the restarted response must end again
            restarts++;
            interruption = new CompletableFuture<>();
            start(r);
        }

        @Override
        public void onBlock(Cid cid, byte[] data, boolean firstTime) {
            if (firstTime) {
                blocks.incrementAndGet();
                long now = bytes.addAndGet(data.length);
                long need = payWhenBytes;
                if (need >= 0 && now >= need) {
                    payWhenBytes = -1;
                    retryOwed(); // the blocks a waiting payment request counted have arrived
                }
            }
        }

        /**
         * A task for the responses thread that fails the retrieval if it throws: an exception
         * there would otherwise be lost and leave the retrieval waiting for its timeout.
         */
        private Runnable guarded(Runnable task) {
            return () -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.debug("retrieve: handling the provider's response failed", e);
                    fail("handling the provider's response failed: " + e);
                }
            };
        }

        /** Re-runs a payment request that waited for its blocks, in order with the provider's responses. */
        private void retryOwed() {
            try {
                responses.execute(guarded(() -> {
                    synchronized (this) {
                        if (!done.isDone() && owedWaiting != null) {
                            BigInteger owed = owedWaiting;
                            owedWaiting = null;
                            payOwed(owed);
                        }
                    }
                }));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("retrieve: client closed; payment for transfer {} dropped", Long.toUnsignedString(transferId));
            }
        }

        @Override
        public void onExtensions(Map<String, Node> extensions) {
            // as go-data-transfer: the first present of incoming-request/1.1 and 1.1, and separately
            // outgoing-block/1.1 (one graphsync message can carry the accept and a pause)
            Node first = extensions.get(TransferMessage.EXTENSION_INCOMING_REQUEST);
            if (first == null) {
                first = extensions.get(TransferMessage.EXTENSION);
            }
            Node block = extensions.get(TransferMessage.EXTENSION_OUTGOING_BLOCK);
            if (first != null) {
                onExtension(first);
            }
            if (block != null && (first == null
                    || !Arrays.equals(venus.retrieval.ipld.cbor.DagCbor.encode(block), venus.retrieval.ipld.cbor.DagCbor.encode(first)))) {
                onExtension(block);
            }
        }

        private void onExtension(Node n) {
            var c = capture;
            if (c != null) {
                c.accept(venus.retrieval.ipld.cbor.DagCbor.encode(n));
            }
            try {
                TransferMessage m = TransferMessage.fromNode(n);
                if (!m.isRequest() && m.transferId() == transferId) {
                    handle(m.response());
                }
            } catch (NodeException e) {
                fail("provider sent a bad data-transfer message: " + e.getMessage());
            }
        }

        /** Queues a provider response for {@link #onResponse} (in arrival order, on the responses thread). */
        void handle(TransferResponse r) {
            try {
                responses.execute(guarded(() -> onResponse(r)));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("retrieve: client closed; response for transfer {} dropped", Long.toUnsignedString(transferId));
            }
        }

        synchronized void onResponse(TransferResponse r) {
            if (done.isDone()) {
                return;
            }
            if (r.type() == MessageType.CANCEL) {
                fail("provider cancelled the transfer");
                return;
            }
            if ((r.type() == MessageType.VOUCHER_RESULT || r.type() == MessageType.COMPLETE) && r.voucherResult() != null) {
                // the provider answers vouchers in order, so it processed the last one. Not a
                // resume without a DealResponse: it rides on graphsync, so it can be read after
                // the next request (a data-transfer stream) was paid, and that voucher may be lost
                acked = paid;
            }
            DealResponse dr = null;
            if (r.voucherResult() != null && DealResponse.TYPE.equals(r.voucherResultType())) {
                try {
                    dr = DealResponse.fromNode(r.voucherResult());
                } catch (NodeException e) {
                    fail("provider sent a bad DealResponse: " + e.getMessage());
                    return;
                }
            }
            if (!r.accepted() && r.isValidationResult()) {
                fail("provider refused: " + (dr == null ? "no reason given" : "status " + dr.status()
                        + (dr.message().isEmpty() ? "" : " (" + dr.message() + ")")));
                return;
            }
            if (dr == null) {
                // e.g. Complete with Paus and no VRes (§3.8 A.10): all blocks sent, the provider's
                // DealResponse 14 (pay the rest) or 15 follows; older providers send only that one
                return;
            }
            switch (dr.status()) {
                case DealStatus.ACCEPTED, DealStatus.ONGOING -> { }
                case DealStatus.FUNDS_NEEDED_UNSEAL, DealStatus.FUNDS_NEEDED, DealStatus.FUNDS_NEEDED_LAST_PAYMENT -> payOwed(dr.paymentOwed());
                case DealStatus.COMPLETED -> {
                    dealCompleted = true;
                    maybeDone();
                }
                default -> fail("provider ended the deal with status " + dr.status() + (dr.message().isEmpty() ? "" : ": " + dr.message()));
            }
        }

        /**
         * Pays what the provider asks, cumulatively on one lane (as go-fil-markets: at least all
         * bytes received), but never for blocks not yet received and verified: the provider counts
         * blocks when it queues them, so its request usually overtakes the last of them. Such a
         * request waits for those blocks; one they cannot cover once the response has ended fails
         * the retrieval (go-fil-markets' client refuses it too: "too much money requested").
         */
        private void payOwed(BigInteger owed) {
            // the newest request replaces one still waiting, whether it waits too or is paid now
            owedWaiting = null;
            payWhenBytes = -1;
            if (owed.signum() <= 0) {
                return;
            }
            if (pay.paymentChannel() == null || pay.wallet() == null) {
                fail("provider asks for " + owed + " attoFIL and this retrieval may not pay");
                return;
            }
            long have = bytes.get();
            BigInteger price = proposal.pricePerByte();
            BigInteger unseal = proposal.unsealPrice();
            BigInteger asked = acked.add(owed);
            // the unseal price is due before any block; every byte beyond it only once received
            BigInteger worth = BigInteger.valueOf(have).multiply(price).add(unseal);
            if (asked.compareTo(worth) > 0) {
                if (gsStatus != null) {
                    fail("provider asks for " + asked + " attoFIL in total but sent " + have + " bytes (worth " + worth + " attoFIL)");
                    return;
                }
                // blocks still on their way: pay once they are here. No number of bytes covers a
                // request at price 0 or beyond any transfer's size: that fails now.
                BigInteger need = price.signum() == 0 ? null : ceilDiv(asked.subtract(unseal), price);
                if (need == null || need.bitLength() > 62) {
                    fail("provider asks for " + asked + " attoFIL in total, more than any number of bytes at "
                            + price + " attoFIL/byte (+ unseal " + unseal + ") is worth");
                    return;
                }
                long needBytes = need.longValue();
                owedWaiting = owed;
                payWhenBytes = needBytes;
                if (bytes.get() >= needBytes) { // arrived meanwhile: onBlock may have looked before we set it
                    payWhenBytes = -1;
                    retryOwed();
                }
                return;
            }
            BigInteger received = BigInteger.valueOf(have).multiply(price);
            if (paid.compareTo(unseal) >= 0 || received.signum() > 0) {
                received = received.add(unseal);
            }
            // cumulative: at least what the provider says it lacks on top of what it acknowledged, never
            // less than a voucher already signed (one may have been lost with a connection), and at
            // least every byte received
            BigInteger amount = paid.max(acked.add(owed)).max(received);
            if (pay.maxTotal() != null && amount.compareTo(pay.maxTotal()) > 0) {
                fail("provider asks for " + amount + " attoFIL in total, above --max-price " + pay.maxTotal());
                return;
            }
            if (amount.equals(paid) && lastSent != null) {
                // the last voucher, unanswered, already pays this: send it again as it is. A provider
                // that stored it takes the copy as a duplicate (credit 0, no error) and says what is
                // still owed; one that lost it credits it now. A new voucher of the same amount
                // would be refused as adding nothing.
                log.info("retrieve: sending voucher nonce {} ({} attoFIL) again", lastSent.nonce(), amount);
                network.send(peer, TransferMessage.of(TransferRequest.voucher(transferId, DealPayment.TYPE,
                        new DealPayment(proposal.id(), pay.paymentChannel(), lastSent).toNode())));
                return;
            }
            if (lane < 0) {
                lane = 0;
                if (pay.vouchers() != null) {
                    var created = pay.vouchers().created(pay.paymentChannel());
                    lane = created.isEmpty() ? 0 : created.lastKey() + 1;
                }
            }
            nonce++;
            SignedVoucher v = SignedVoucher.of(pay.paymentChannel(), lane, nonce, new TokenAmount(amount)).sign(pay.wallet(), pay.from());
            if (policy != null) {
                v = policy.voucher(v);
                if (v == null) {
                    log.info("retrieve: voucher policy withheld a payment of {} attoFIL", amount);
                    return;
                }
            }
            if (pay.vouchers() != null) {
                pay.vouchers().putCreated(v);
            }
            paid = amount;
            lastSent = v;
            network.send(peer, TransferMessage.of(TransferRequest.voucher(transferId, DealPayment.TYPE,
                    new DealPayment(proposal.id(), pay.paymentChannel(), v).toNode())));
        }

        private static BigInteger ceilDiv(BigInteger a, BigInteger b) {
            BigInteger[] qr = a.divideAndRemainder(b);
            return qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
        }

        synchronized void graphsyncDone(OutgoingRequest r, Integer status, Throwable err) {
            if (r != request || done.isDone()) {
                return;
            }
            if (err != null) {
                Throwable c = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                if (r.connectionLost()) {
                    lostBecause = c.getMessage();
                    interruption.complete(null); // the retrieve loop decides: restart or fail
                    return;
                }
                fail(c.getMessage());
                return;
            }
            if (!ResponseStatus.isSuccess(status)) {
                // A provider that stops a deal sends its reason (a DealResponse) on a data-transfer
                // stream of its own, which may arrive just after the graphsync ending: give it a
                // moment so the error names the provider's reason rather than only the status.
                String why = "graphsync response ended with status " + status;
                CompletableFuture.delayedExecutor(PROVIDER_REASON_GRACE_MS, TimeUnit.MILLISECONDS).execute(() -> {
                    synchronized (this) {
                        fail(why);
                    }
                });
                return;
            }
            gsStatus = status;
            if (owedWaiting != null) {
                // every block is here: a request they still cannot cover fails now
                BigInteger owed = owedWaiting;
                guarded(() -> payOwed(owed)).run(); // a failure to pay ends the retrieval, not its timeout
            }
            maybeDone();
        }

        private void maybeDone() {
            if (dealCompleted && gsStatus != null) {
                done.complete(new PartialResult(blocks.get(), bytes.get(), paid, gsStatus, restarts, bytesOnWireBefore + request.bytesOnWire()));
            }
        }

        synchronized void fail(String why) {
            if (done.completeExceptionally(failed(why))) {
                OutgoingRequest r = request;
                if (r != null) {
                    r.cancel();
                }
                network.send(peer, TransferMessage.of(TransferRequest.cancel(transferId)));
            }
        }
    }

    private record PartialResult(long blocks, long bytes, BigInteger paid, int status, int restarts, long bytesOnWire) {
        Result withAsk(QueryResponse q) {
            return new Result(blocks, bytes, paid, status, q, restarts, bytesOnWire);
        }
    }

    @Override
    public void close() {
        host.removeConnectionListener(drops);
        graphsync.close();
        responses.shutdownNow();
    }
}
