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

    /** What a retrieval did. */
    public record Result(long blocks, long bytes, BigInteger paid, int graphsyncStatus, QueryResponse ask) {}

    /** A test seam: decides each voucher amount (lets tests stop paying or tamper). Null = pay what is owed. */
    public interface VoucherPolicy {
        /** The voucher to send for cumulative {@code amount}, or null to send nothing (stop paying). */
        SignedVoucher voucher(SignedVoucher honest);
    }

    private final Host host;
    private final Graphsync graphsync;
    private final DataTransferNetwork network;
    private final Map<Long, Session> sessions = new java.util.concurrent.ConcurrentHashMap<>();
    private VoucherPolicy policy;
    private volatile java.util.function.Consumer<byte[]> capture;

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
                s.onResponse(m.response());
            }
        }, raw -> {
            var c = capture;
            if (c != null) {
                c.accept(raw);
            }
        });
    }

    /**
     * Sees every data-transfer message the provider sends (tests, interop captures): the exact bytes
     * of those on {@code /fil/datatransfer/1.2.0}, and the dag-cbor of those inside graphsync extensions.
     */
    public void setCapture(java.util.function.Consumer<byte[]> c) {
        this.capture = c;
    }

    /** Replaces how vouchers are made (tests). */
    public void setVoucherPolicy(VoucherPolicy p) {
        this.policy = p;
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
        Node selector = Selectors.exploreAllRecursively();
        DealProposal proposal = new DealProposal(dealId, root, null, null, q.minPricePerByte(), q.maxPaymentInterval(),
                q.maxPaymentIntervalIncrease(), q.unsealPrice());
        Session s = new Session(peer, transferId, proposal, pay);
        sessions.put(transferId, s);
        try {
            TransferMessage dt = TransferMessage.of(TransferRequest.newPull(transferId, root, selector, DealProposal.TYPE, proposal.toNode()));
            OutgoingRequest req = graphsync.requester().request(peer, root, selector, Map.of(TransferMessage.EXTENSION, dt.toNode()),
                    store, s);
            s.request = req;
            req.completion().whenComplete((status, err) -> s.graphsyncDone(status, err));
            try {
                return s.done.get(timeout.toMillis(), TimeUnit.MILLISECONDS).withAsk(q);
            } catch (TimeoutException e) {
                req.cancel();
                network.send(peer, TransferMessage.of(TransferRequest.cancel(transferId)));
                throw failed("no completion within " + timeout.toSeconds() + "s (" + s.bytes + " bytes received)");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw c instanceof NodeException ne ? ne : failed(c.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("interrupted");
            }
        } finally {
            sessions.remove(transferId);
        }
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
        volatile OutgoingRequest request;
        long blocks;
        long bytes;
        BigInteger paid = BigInteger.ZERO;
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

        @Override
        public synchronized void onBlock(Cid cid, byte[] data, boolean firstTime) {
            if (firstTime) {
                blocks++;
                bytes += data.length;
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
                    onResponse(m.response());
                }
            } catch (NodeException e) {
                fail("provider sent a bad data-transfer message: " + e.getMessage());
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

        /** Pays what the provider asks, cumulatively on one lane (as go-fil-markets: at least all bytes received). */
        private void payOwed(BigInteger owed) {
            if (owed.signum() <= 0) {
                return;
            }
            if (pay.paymentChannel() == null || pay.wallet() == null) {
                fail("provider asks for " + owed + " attoFIL and this retrieval may not pay");
                return;
            }
            BigInteger received = BigInteger.valueOf(bytes).multiply(proposal.pricePerByte());
            if (paid.compareTo(proposal.unsealPrice()) >= 0 || received.signum() > 0) {
                received = received.add(proposal.unsealPrice());
            }
            BigInteger amount = paid.add(owed).max(received);
            if (pay.maxTotal() != null && amount.compareTo(pay.maxTotal()) > 0) {
                fail("provider asks for " + amount + " attoFIL in total, above --max-price " + pay.maxTotal());
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
            network.send(peer, TransferMessage.of(TransferRequest.voucher(transferId, DealPayment.TYPE,
                    new DealPayment(proposal.id(), pay.paymentChannel(), v).toNode())));
        }

        synchronized void graphsyncDone(Integer status, Throwable err) {
            if (err != null) {
                Throwable c = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
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
            maybeDone();
        }

        private void maybeDone() {
            if (dealCompleted && gsStatus != null) {
                done.complete(new PartialResult(blocks, bytes, paid, gsStatus));
            }
        }

        private void fail(String why) {
            if (done.completeExceptionally(failed(why))) {
                OutgoingRequest r = request;
                if (r != null) {
                    r.cancel();
                }
                network.send(peer, TransferMessage.of(TransferRequest.cancel(transferId)));
            }
        }
    }

    private record PartialResult(long blocks, long bytes, BigInteger paid, int status) {
        Result withAsk(QueryResponse q) {
            return new Result(blocks, bytes, paid, status, q);
        }
    }

    @Override
    public void close() {
        graphsync.close();
    }
}
