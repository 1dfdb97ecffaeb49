package venus.retrieval.node.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.retrieval.client.CarSpool;
import venus.retrieval.node.retrieval.client.RetrievalClient;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.node.graphsync.Graphsync;
import venus.retrieval.node.graphsync.GraphsyncHooks.OutgoingBlock;
import venus.retrieval.node.graphsync.GsRequest;
import venus.retrieval.node.graphsync.OutgoingRequest;
import venus.retrieval.node.graphsync.ReceivedBlocks;
import venus.retrieval.node.graphsync.ResponseStatus;
import venus.retrieval.node.retrieval.datatransfer.DealPayment;
import venus.retrieval.node.retrieval.datatransfer.DealProposal;
import venus.retrieval.node.retrieval.datatransfer.DealResponse;
import venus.retrieval.node.retrieval.datatransfer.TransferRequest;
import venus.retrieval.node.retrieval.datatransfer.DealStatus;
import venus.retrieval.node.retrieval.datatransfer.MessageType;
import venus.retrieval.node.retrieval.datatransfer.TransferMessage;
import venus.retrieval.node.retrieval.datatransfer.TransferResponse;
import venus.retrieval.node.retrieval.provider.DealRecord;
import venus.retrieval.node.retrieval.provider.DealStore;
import venus.retrieval.node.retrieval.provider.ProviderFsm;
import venus.retrieval.node.retrieval.provider.PaymentMath;
import venus.retrieval.node.retrieval.provider.RetrievalProvider;
import venus.retrieval.node.retrieval.query.QueryProtocol;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.VoucherValidator;
import venus.retrieval.paych.Wallet;
import venus.retrieval.paych.chain.DevLedger;

/**
 * Paid retrieval end to end on the devnet dev ledger over loopback libp2p: several payment
 * rounds, an unseal price, a client that stops paying, a bad voucher, a provider restart.
 */
class PaidRetrievalTest {
    static final String FILE = "unixfs/file-1048577-v1-raw-64k-balanced-11.car"; // 64 KiB leaves: many blocks per interval
    static final long INTERVAL = 200_000;
    static final long INCREASE = 50_000;

    @TempDir Path tmp;
    DevLedger ledger;
    PieceStore store;
    Path providerRepo;
    Path clientRepo;
    Address payee;
    Address payer;
    Address channel;
    Wallet clientWallet;
    VoucherStore clientVouchers;
    // provider side (rebuilt on restart)
    VoucherStore providerVouchers;
    DealStore deals;
    Host providerHost;
    /** The provider keeps its identity and port across restarts (same repo), as the daemon does. */
    PeerIdentity providerIdentity;
    int providerPort;
    RetrievalProvider provider;
    /**
     * Plays the daemon's start order: payments are not running for this thread (the one building
     * the provider, whose start-up recovery runs then); graphsync's threads find them running.
     */
    volatile Thread paymentsDownFor;
    /** When set, a voucher's handling waits on it before it is stored (the provider's control thread). */
    volatile java.util.concurrent.CountDownLatch holdPayment;
    /** Counted down when a voucher's handling reaches {@link #holdPayment}. */
    final java.util.concurrent.CountDownLatch paymentHeld = new java.util.concurrent.CountDownLatch(1);
    /** Runs the deal store's background writes (null: the store's own thread). */
    java.util.concurrent.Executor dealWriter;
    Multiaddr addr;
    Host clientHost;
    RetrievalClient client;
    Cid root;
    long dagBytes;

    @BeforeEach
    void setUp() throws Exception {
        providerRepo = tmp.resolve("provider");
        clientRepo = tmp.resolve("client");
        ledger = DevLedger.open(tmp.resolve("ledger"), Clock.systemUTC(), Duration.ofSeconds(30), 12);
        payee = Wallet.loadOrCreateDefault(providerRepo).defaultAddress();
        clientWallet = Wallet.loadOrCreateDefault(clientRepo);
        payer = clientWallet.defaultAddress();
        ledger.fund(payer, TokenAmount.ofFil(10));
        channel = ledger.createChannel(payer, payee, TokenAmount.ofFil(1));
        clientVouchers = VoucherStore.open(clientRepo);
        store = Fixture.store(providerRepo);
        Path car = Vectors.file(FILE);
        root = Fixture.root(car);
        Fixture.importFile(store, car, List.of("f01000"), true);
        dagBytes = Fixture.blocks(car).stream().mapToLong(b -> b.data().length).sum();
        providerIdentity = PeerIdentity.generate();
        startProvider(asks(0));
        clientHost = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
        client = new RetrievalClient(clientHost);
    }

    RetrievalAsks asks(long unseal) {
        RetrievalAsk def = new RetrievalAsk(BigInteger.ONE, BigInteger.valueOf(unseal), INTERVAL, INCREASE, payee);
        return RetrievalAsks.uniform(def);
    }

    void startProvider(RetrievalAsks asks) {
        providerVouchers = VoucherStore.open(providerRepo);
        deals = DealStore.open(DealStore.directory(providerRepo), dealWriter);
        Map<Address, PaymentReceiver> receivers = new ConcurrentHashMap<>();
        PieceFinder finder = new PieceFinder(store.directory(), asks);
        providerHost = Host.create(providerIdentity, HostConfig.defaults())
                .start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + providerPort)));
        providerPort = providerHost.listenAddrs().get(0).toTcpSocketAddress().getPort();
        new QueryProtocol(finder).register(providerHost);
        provider = RetrievalProvider.register(providerHost, store.blockSource(), finder,
                a -> {
                    java.util.concurrent.CountDownLatch hold = holdPayment;
                    if (hold != null && Thread.currentThread().getName().equals("retrieval-provider")) {
                        paymentHeld.countDown();
                        try {
                            hold.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    if (Thread.currentThread() == paymentsDownFor) {
                        throw new venus.retrieval.paych.PaychException(venus.retrieval.paych.PaychException.Reason.STORE,
                                "payments are not running on this node");
                    }
                    return receivers.computeIfAbsent(a, x -> new PaymentReceiver(new VoucherValidator(ledger, x, 20), providerVouchers));
                }, deals, 2);
        addr = providerHost.listenAddrs().get(0).withPeerId(providerHost.peerId());
    }

    void stopProvider() {
        provider.close();
        providerHost.close();
        deals.close();
        providerVouchers.close();
    }

    @AfterEach
    void tearDown() {
        client.close();
        clientHost.close();
        stopProvider();
        clientVouchers.close();
        store.close();
        ledger.close();
    }

    RetrievalClient.Payment payment() {
        return new RetrievalClient.Payment(null, channel, clientWallet, payer, clientVouchers);
    }

    RetrievalClient.Result retrieve(Duration timeout) throws Exception {
        try (CarSpool spool = new CarSpool(tmp.resolve("out-" + System.nanoTime() + ".car"), root)) {
            return client.retrieve(addr, root, spool, payment(), timeout);
        }
    }

    DealRecord onlyDeal() {
        List<DealRecord> all = provider.deals();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    /** One data-transfer response the provider sent: its type, Paus flag and DealResponse status (null = no VRes). */
    record Sent(int type, boolean paused, Integer status) {
        static Sent of(byte[] raw) {
            TransferResponse r = TransferMessage.decode(raw).response();
            assertThat(r.accepted()).as("Acpt").isTrue();
            return new Sent(r.type(), r.paused(), r.voucherResult() == null ? null : DealResponse.fromNode(r.voucherResult()).status());
        }
    }

    static final Sent SETTLEMENT_PENDING = new Sent(MessageType.COMPLETE, true, null);
    static final Sent COMPLETED = new Sent(MessageType.COMPLETE, false, DealStatus.COMPLETED);

    /** Every data-transfer message the provider sends to {@link #client}, in arrival order. */
    List<byte[]> captureProviderMessages() {
        List<byte[]> raw = new CopyOnWriteArrayList<>();
        client.setCapture(raw::add);
        return raw;
    }

    static List<Sent> decode(List<byte[]> raw) {
        return raw.stream().map(Sent::of).toList();
    }

    @Test
    void severalPaymentRoundsPayForEveryByte() throws Exception {
        List<SignedVoucher> sent = new CopyOnWriteArrayList<>();
        client.setVoucherPolicy(v -> {
            sent.add(v);
            return v;
        });
        List<byte[]> captured = captureProviderMessages();
        RetrievalClient.Result r = retrieve(Duration.ofSeconds(60));
        assertThat(r.graphsyncStatus()).isEqualTo(20);
        assertThat(r.bytes()).isEqualTo(dagBytes);
        assertThat(r.paid()).isEqualTo(BigInteger.valueOf(dagBytes)); // 1 attoFIL/byte, cumulative
        assertThat(sent.size()).isGreaterThanOrEqualTo(4); // intervals 200k, 250k, 300k... over ~1 MiB + final
        for (int i = 1; i < sent.size(); i++) {
            assertThat(sent.get(i).amount().compareTo(sent.get(i - 1).amount())).isPositive();
            assertThat(sent.get(i).nonce()).isEqualTo(sent.get(i - 1).nonce() + 1);
        }
        assertThat(providerVouchers.receivedTotal(channel).atto()).isEqualTo(dagBytes);
        DealRecord d = onlyDeal();
        assertThat(d.state()).isEqualTo(ProviderFsm.State.COMPLETED);
        assertThat(d.funds()).isEqualTo(dagBytes);
        assertThat(d.bytesSent()).isEqualTo(dagBytes);

        // §3.8 A: the exact data-transfer messages. Graphsync extensions and DT-stream messages
        // travel concurrently (the first ask overtakes the accept, which rides with the first
        // blocks), so before the end only the multiset is fixed; the final round is in order.
        List<Sent> seq = decode(captured);
        int rounds = sent.size() - 1; // every voucher but the last answers an interval pause
        List<Sent> expected = new java.util.ArrayList<>();
        expected.add(new Sent(MessageType.NEW, false, DealStatus.ACCEPTED));
        for (int i = 0; i < rounds; i++) {
            expected.add(new Sent(MessageType.UPDATE, true, null)); // pause on the block that crossed the limit
            expected.add(new Sent(MessageType.VOUCHER_RESULT, true, DealStatus.FUNDS_NEEDED)); // the ask
            expected.add(new Sent(MessageType.VOUCHER_RESULT, false, null)); // the resume after the voucher
        }
        Sent last = new Sent(MessageType.COMPLETE, true, DealStatus.FUNDS_NEEDED_LAST_PAYMENT);
        expected.addAll(List.of(SETTLEMENT_PENDING, last, COMPLETED));
        assertThat(seq).containsExactlyInAnyOrderElementsOf(expected);
        // the final round's DT-stream messages come in order, after every interval's ask (the
        // graphsync-carried accept, pauses and resumes are read by the client's graphsync worker
        // and may be seen after a DT-stream message sent later)
        assertThat(dtStreamMessages(seq).subList(rounds, rounds + 3)).containsExactly(SETTLEMENT_PENDING, last, COMPLETED);
        // the final voucher answered the DealResponse 14: it pays exactly what was still owed
        assertThat(sent.get(sent.size() - 1).amount().atto()).isEqualTo(dagBytes);
    }

    @Test
    void paidDealPaidInAdvanceStillRunsTheFinalizationRound() throws Exception {
        // the first voucher pays for the whole DAG: no pause, nothing owed at the end, yet a
        // go-fil-markets provider still sends Complete (paused) before Complete + DealResponse 15
        List<SignedVoucher> sent = new CopyOnWriteArrayList<>();
        client.setVoucherPolicy(v -> {
            SignedVoucher all = SignedVoucher.of(v.channel(), v.lane(), v.nonce(), new TokenAmount(BigInteger.valueOf(dagBytes)))
                    .sign(clientWallet, payer);
            sent.add(all);
            return all;
        });
        List<byte[]> captured = captureProviderMessages();
        RetrievalClient.Result r = retrieve(Duration.ofSeconds(60));
        assertThat(r.bytes()).isEqualTo(dagBytes);
        assertThat(sent).hasSize(1);
        List<Sent> seq = decode(captured);
        assertThat(seq).containsExactlyInAnyOrder(new Sent(MessageType.NEW, false, DealStatus.ACCEPTED),
                new Sent(MessageType.UPDATE, true, null),
                new Sent(MessageType.VOUCHER_RESULT, true, DealStatus.FUNDS_NEEDED), new Sent(MessageType.VOUCHER_RESULT, false, null),
                SETTLEMENT_PENDING, COMPLETED);
        // on the DT streams: the ask, then the final round without a DealResponse 14
        assertThat(dtStreamMessages(seq)).containsExactly(new Sent(MessageType.VOUCHER_RESULT, true, DealStatus.FUNDS_NEEDED),
                SETTLEMENT_PENDING, COMPLETED);
        assertThat(onlyDeal().state()).isEqualTo(ProviderFsm.State.COMPLETED);
        assertThat(onlyDeal().funds()).isEqualTo(dagBytes);
    }

    /**
     * The messages the provider sends on data-transfer streams (asks, the final round), in the
     * order seen: what remains after the graphsync-carried accept, pauses and resumes.
     */
    static List<Sent> dtStreamMessages(List<Sent> seq) {
        return seq.stream().filter(m -> !(m.type() == MessageType.NEW || m.type() == MessageType.UPDATE
                || (m.type() == MessageType.VOUCHER_RESULT && !m.paused() && m.status() == null))).toList();
    }

    static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        for (int i = 0; i < 3000 && !c.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertThat(c.getAsBoolean()).as("condition within 30 s").isTrue();
    }

    @Test
    void clientPausesAndResumesTheTransfer() throws Exception {
        // the client holds its first voucher back, pauses (DT Update Paus true), then pays: the
        // provider stores the voucher but stays paused for the client; Paus false resumes it. The
        // client sends the voucher itself (its payment records stay whole): the policy releases it
        // once the pause has been written.
        CompletableFuture<SignedVoucher> first = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch pauseWritten = new java.util.concurrent.CountDownLatch(1);
        client.setVoucherPolicy(v -> {
            if (v.nonce() == 1) {
                first.complete(v);
                try {
                    assertThat(pauseWritten.await(30, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return v;
        });
        List<byte[]> captured = captureProviderMessages();
        CompletableFuture<Object> retrieval = retrieveInBackground();
        first.get(30, TimeUnit.SECONDS);
        DealRecord deal = onlyDeal();
        venus.retrieval.libp2p.PeerId clientPeer = clientHost.peerId();
        var dt = venus.retrieval.node.retrieval.datatransfer.DataTransferNetwork.sender(clientHost);
        var providerPeer = providerHost.peerId();
        dt.send(providerPeer, TransferMessage.of(TransferRequest.update(deal.transferId(), true))).get(10, TimeUnit.SECONDS);
        pauseWritten.countDown();
        // the provider's answer to the voucher (VoucherResult, Paus false) goes out only after it
        // decided to stay paused, so once the client has it the pause must still be in place
        waitFor(() -> decode(captured).contains(new Sent(MessageType.VOUCHER_RESULT, false, null)));
        DealRecord paid = onlyDeal();
        assertThat(paid.state()).isEqualTo(ProviderFsm.State.ONGOING); // paid: the provider no longer waits
        assertThat(provider.transferPaused(clientPeer, deal.transferId())).isTrue(); // but the client paused
        long before = paid.bytesSent();
        assertThat(retrieval).isNotDone();
        dt.send(providerPeer, TransferMessage.of(TransferRequest.update(deal.transferId(), false))).get(10, TimeUnit.SECONDS);
        Object r = retrieval.get(60, TimeUnit.SECONDS);
        assertThat(r).isInstanceOf(RetrievalClient.Result.class);
        assertThat(((RetrievalClient.Result) r).bytes()).isEqualTo(dagBytes);
        DealRecord done = onlyDeal();
        assertThat(done.state()).isEqualTo(ProviderFsm.State.COMPLETED);
        assertThat(done.bytesSent()).isGreaterThan(before);
        assertThat(done.funds()).isEqualTo(dagBytes);
    }

    @Test
    void unsealPriceIsChargedFirst() throws Exception {
        stopProvider();
        store.close();
        store = Fixture.store(tmp.resolve("sealed"));
        Fixture.importFile(store, Vectors.file(FILE), List.of("f01000"), false); // no unsealed copy recorded
        providerRepo = tmp.resolve("sealed");
        startProvider(asks(5000));
        List<SignedVoucher> sent = new CopyOnWriteArrayList<>();
        client.setVoucherPolicy(v -> {
            sent.add(v);
            return v;
        });
        RetrievalClient.Result r = retrieve(Duration.ofSeconds(60));
        assertThat(r.ask().unsealPrice()).isEqualTo(5000);
        assertThat(sent.get(0).amount().atto()).isEqualTo(5000); // before any block
        assertThat(r.paid()).isEqualTo(BigInteger.valueOf(dagBytes + 5000));
        assertThat(onlyDeal().state()).isEqualTo(ProviderFsm.State.COMPLETED);
    }

    /** Sends, as the provider, a payment request the provider never made (a lying provider's). */
    void forgeAsk(DealRecord deal, int status, BigInteger owed) throws Exception {
        TransferResponse ask = new TransferResponse(status == DealStatus.FUNDS_NEEDED_LAST_PAYMENT ? MessageType.COMPLETE : MessageType.VOUCHER_RESULT,
                true, true, deal.transferId(), new DealResponse(deal.dealId(), status, "", owed).toNode(), DealResponse.TYPE);
        venus.retrieval.node.retrieval.datatransfer.DataTransferNetwork.sender(providerHost)
                .send(clientHost.peerId(), TransferMessage.of(ask)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRequestForBlocksNotYetReceivedWaitsForThemAndIsNeverPaidAhead() throws Exception {
        // while the first voucher is being signed, a payment request for ten times the DAG reaches
        // the client: it counts blocks the client does not have, so no voucher may pay it; the
        // genuine requests that follow are paid as usual
        List<SignedVoucher> sent = new CopyOnWriteArrayList<>();
        List<Long> receivedWhenSigned = new CopyOnWriteArrayList<>();
        client.setVoucherPolicy(v -> {
            if (sent.isEmpty()) {
                try {
                    forgeAsk(onlyDeal(), DealStatus.FUNDS_NEEDED, BigInteger.valueOf(10 * dagBytes));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            sent.add(v);
            return v;
        });
        // The forged request travels on a stream of its own, so it may be read before or after the
        // genuine ones that follow: when a genuine request comes later it replaces the forged one
        // and the retrieval completes; when the forged one is the last word, the client fails once
        // every block is in. Either way nothing beyond the blocks received was ever signed.
        Object outcome;
        try {
            outcome = retrieve(Duration.ofSeconds(60));
        } catch (NodeException e) {
            outcome = e;
        }
        assertThat(sent).isNotEmpty();
        assertThat(sent).allSatisfy(v -> assertThat(v.amount().atto()).isLessThanOrEqualTo(BigInteger.valueOf(dagBytes)));
        if (outcome instanceof RetrievalClient.Result r) {
            assertThat(r.graphsyncStatus()).isEqualTo(20);
            assertThat(r.paid()).isEqualTo(BigInteger.valueOf(dagBytes));
            assertThat(onlyDeal().funds()).isEqualTo(dagBytes);
        } else {
            assertThat((Throwable) outcome).hasMessageContaining("provider asks for").hasMessageContaining("but sent " + dagBytes + " bytes");
            assertThat(onlyDeal().funds()).isLessThan(BigInteger.valueOf(dagBytes));
        }
    }

    @Test
    void aRequestNoTransferCouldCoverFailsAtOnce() throws Exception {
        // 2^80 attoFIL at 1 attoFIL/byte: no transfer is that large, so waiting for blocks is
        // pointless; the client fails at once with a clear error (it does not hang or throw).
        // Later vouchers are withheld, so the deal cannot end before the forged request is read.
        List<SignedVoucher> sent = new CopyOnWriteArrayList<>();
        client.setVoucherPolicy(v -> {
            if (!sent.isEmpty()) {
                return null;
            }
            try {
                forgeAsk(onlyDeal(), DealStatus.FUNDS_NEEDED, BigInteger.ONE.shiftLeft(80));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            sent.add(v);
            return v;
        });
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> retrieve(Duration.ofSeconds(60))).isInstanceOf(NodeException.class)
                .hasMessageContaining("more than any number of bytes");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30)); // not the timeout
        assertThat(sent).allSatisfy(v -> assertThat(v.amount().atto()).isLessThanOrEqualTo(BigInteger.valueOf(dagBytes)));
    }

    @Test
    void anErrorWhilePayingFailsTheRetrievalInsteadOfLeavingItWaiting() {
        // e.g. the wallet cannot sign: the retrieval ends with that reason, not at its timeout
        client.setVoucherPolicy(v -> {
            throw new IllegalStateException("test: the wallet cannot sign");
        });
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> retrieve(Duration.ofSeconds(60))).isInstanceOf(NodeException.class)
                .hasMessageContaining("the wallet cannot sign");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        assertThat(providerVouchers.receivedTotal(channel).atto()).isZero();
    }

    @Test
    void aFinalRequestAboveWhatWasSentFailsTheRetrievalUnpaid() throws Exception {
        // the last genuine request is withheld; instead the "provider" asks for twice the DAG once
        // every block has arrived: the client refuses with a clear error and signs nothing for it
        List<SignedVoucher> sent = new CopyOnWriteArrayList<>();
        client.setVoucherPolicy(v -> {
            if (v.amount().atto().equals(BigInteger.valueOf(dagBytes))) {
                try {
                    forgeAsk(onlyDeal(), DealStatus.FUNDS_NEEDED_LAST_PAYMENT, BigInteger.valueOf(2 * dagBytes));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return null; // withheld: only the forged request remains to be answered
            }
            sent.add(v);
            return v;
        });
        assertThatThrownBy(() -> retrieve(Duration.ofSeconds(30))).isInstanceOf(NodeException.class)
                .hasMessageContaining("provider asks for")
                .hasMessageContaining("but sent " + dagBytes + " bytes");
        assertThat(sent).allSatisfy(v -> assertThat(v.amount().atto()).isLessThan(BigInteger.valueOf(dagBytes)));
        assertThat(providerVouchers.receivedTotal(channel).atto()).isLessThan(BigInteger.valueOf(dagBytes));
    }

    @Test
    void clientThatStopsPayingGetsNoMoreBlocks() throws Exception {
        CompletableFuture<Void> withheld = new CompletableFuture<>();
        client.setVoucherPolicy(v -> {
            if (v.nonce() >= 2) {
                withheld.complete(null);
                return null;
            }
            return v;
        });
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
            try {
                retrieve(Duration.ofSeconds(4));
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        withheld.get(30, TimeUnit.SECONDS);
        Throwable t = failure.get(30, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(NodeException.class).hasMessageContaining("no completion");
        DealRecord d = provider.deals().get(0);
        // paid for the first interval only: the provider paused at the second boundary and sent nothing more
        long secondBoundary = INTERVAL + INTERVAL + INCREASE;
        assertThat(d.funds()).isLessThanOrEqualTo(BigInteger.valueOf(secondBoundary));
        assertThat(d.bytesSent()).isLessThan(dagBytes);
        assertThat(d.bytesSent()).isLessThanOrEqualTo(secondBoundary + 65_536 + 4096); // one block past the limit at most
    }

    @Test
    void clientThatStaysButNeverPaysIsFailedAfterTheWindowAndForgotten() throws Exception {
        // the client pays the first interval, then neither pays, cancels nor goes away: the paused
        // deal must not stay in memory until the process exits (many of them would exhaust it)
        provider.setRestartWindow(Duration.ofSeconds(2));
        List<SignedVoucher> paid = new CopyOnWriteArrayList<>();
        client.setVoucherPolicy(v -> {
            if (v.nonce() >= 2) {
                return null;
            }
            paid.add(v);
            return v;
        });
        List<byte[]> captured = captureProviderMessages();
        // the client waits far longer than the window: what ends its retrieval is the provider's 17
        assertThatThrownBy(() -> retrieve(Duration.ofSeconds(30))).isInstanceOf(NodeException.class)
                .hasMessageContaining("status 17");
        DealRecord d = onlyDeal(); // written before the 17 went out
        assertThat(d.state()).isEqualTo(ProviderFsm.State.ERRORED);
        assertThat(d.message()).contains("client did not pay within 2 s");
        assertThat(d.bytesSent()).isLessThan(dagBytes);
        // the first interval's voucher stays stored and credited
        assertThat(paid).hasSize(1);
        assertThat(d.funds()).isEqualTo(paid.get(0).amount().atto());
        assertThat(providerVouchers.receivedTotal(channel).atto()).isEqualTo(paid.get(0).amount().atto());
        // the failure carried its reason to the client
        assertThat(captured.stream().map(b -> TransferMessage.decode(b).response())
                .filter(r -> !r.accepted() && r.voucherResult() != null)
                .map(r -> DealResponse.fromNode(r.voucherResult())))
                .singleElement().satisfies(dr -> {
                    assertThat(dr.status()).isEqualTo(DealStatus.ERRORED);
                    assertThat(dr.message()).contains("client did not pay within");
                });
        // gone from memory, and its paused graphsync request cancelled (asynchronously, after the 17)
        assertThat(provider.liveDeals()).isZero();
        assertThat(provider.transferPaused(clientHost.peerId(), d.transferId())).isFalse();
        waitFor(() -> provider.graphsync().responder().activeRequests() == 0);
    }

    @Test
    void badVoucherIsRefusedAndSendingStops() throws Exception {
        Wallet mallory = Wallet.loadOrCreateDefault(tmp.resolve("mallory"));
        client.setVoucherPolicy(v -> v.nonce() >= 2
                ? SignedVoucher.of(v.channel(), v.lane(), v.nonce(), v.amount()).sign(mallory, mallory.defaultAddress())
                : v);
        assertThatThrownBy(() -> retrieve(Duration.ofSeconds(30))).isInstanceOf(NodeException.class)
                .hasMessageContaining("status 17");
        DealRecord d = onlyDeal();
        assertThat(d.state()).isEqualTo(ProviderFsm.State.ERRORED);
        assertThat(d.message()).contains("voucher refused");
        assertThat(d.bytesSent()).isLessThan(dagBytes);
        assertThat(providerVouchers.bestReceived(channel).values()).allMatch(v -> v.nonce() == 1);
    }

    @Test
    void providerRestartMidTransferResumesWithoutResendingOrLosingVouchers() throws Exception {
        List<SignedVoucher> sent = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        client.setVoucherPolicy(v -> {
            sent.add(v);
            if (v.nonce() == 2) {
                second.complete(null);
            }
            return v;
        });
        client.setReconnect(new RetrievalClient.Reconnect(3, 20, Duration.ofMillis(50), Duration.ofMillis(500)));
        CompletableFuture<Object> retrieval = retrieveInBackground();
        second.get(30, TimeUnit.SECONDS);
        stopProvider(); // mid-transfer, with the second voucher maybe in flight
        DealStore reopened = DealStore.open(DealStore.directory(providerRepo));
        DealRecord atStop = reopened.all().get(0);
        reopened.close();
        assertThat(atStop.bytesSent()).isPositive().isLessThan(dagBytes);
        startProvider(asks(0)); // same repo, identity and port
        // at start-up the interrupted deal waits for the client instead of failing
        Object r = retrieval.get(60, TimeUnit.SECONDS);
        assertThat(r).isInstanceOf(RetrievalClient.Result.class);
        RetrievalClient.Result result = (RetrievalClient.Result) r;
        assertThat(result.restarts()).isGreaterThanOrEqualTo(1);
        assertThat(result.bytes()).isEqualTo(dagBytes);
        // no block crossed the wire twice: the restart skipped what the client had verified
        assertThat(result.bytesOnWire()).isEqualTo(dagBytes);
        assertThat(result.paid()).isEqualTo(BigInteger.valueOf(dagBytes)); // price 1: every byte, once
        // the vouchers: one lane, nonces +1, cumulative; the provider stored the last (best) one
        for (int i = 1; i < sent.size(); i++) {
            assertThat(sent.get(i).lane()).isEqualTo(sent.get(0).lane());
            assertThat(sent.get(i).nonce()).isEqualTo(sent.get(i - 1).nonce() + 1);
            assertThat(sent.get(i).amount().compareTo(sent.get(i - 1).amount())).isGreaterThanOrEqualTo(0);
        }
        assertThat(providerVouchers.receivedTotal(channel).atto()).isEqualTo(dagBytes);
        assertThat(providerVouchers.bestReceived(channel).get(sent.get(0).lane()).nonce()).isEqualTo(sent.get(sent.size() - 1).nonce());
        DealRecord d = onlyDeal();
        assertThat(d.state()).isEqualTo(ProviderFsm.State.COMPLETED);
        assertThat(d.funds()).isEqualTo(dagBytes);
        assertThat(d.bytesSent()).isEqualTo(dagBytes);
        assertThat(d.transferId()).isEqualTo(atStop.transferId()); // the same channel, restarted
    }

    @Test
    void aRestartSendsTheBlocksTheProviderCountedButTheClientLacksBeforeAskingForThem() throws Exception {
        // The provider counts a block when it queues it, and its payment request overtakes the
        // last of them: a connection cut then can lose blocks the provider counted. The client pays
        // only for blocks it holds, so a restart that asked for them with the response paused left
        // both sides waiting (the client for the blocks, the provider for the money) until the
        // timeout. The record below plays that cut: the blocks after the pause were counted
        // (progress and bytes) and never reached the client.
        List<SignedVoucher> sent = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        client.setVoucherPolicy(v -> {
            if (v.nonce() == 2 && !second.isDone()) {
                second.complete(null);
                return null; // held: the provider waits, paused, when it goes down
            }
            sent.add(v);
            return v;
        });
        client.setReconnect(new RetrievalClient.Reconnect(3, 40, Duration.ofMillis(50), Duration.ofMillis(300)));
        CompletableFuture<Object> retrieval = retrieveInBackground(Duration.ofSeconds(30));
        second.get(30, TimeUnit.SECONDS);
        stopProvider();
        List<CarBlock> walk = Fixture.blocks(Vectors.file(FILE)); // the traversal's order
        try (DealStore ds = DealStore.open(DealStore.directory(providerRepo))) {
            DealRecord r = ds.all().get(0);
            PaymentMath math = new PaymentMath(r.pricePerByte(), r.paymentInterval(), r.paymentIntervalIncrease(), r.unsealPrice());
            long bytes = r.bytesSent();
            long progress = r.progress();
            long beyond = math.nextInterval(r.bytesSent()); // the client holds less than that
            while (bytes < beyond) {
                bytes += walk.get((int) progress).data().length; // visit progress + 1
                progress++;
            }
            assertThat(bytes).isLessThan(dagBytes);
            ds.put(new DealRecord(r.client(), r.transferId(), r.dealId(), r.payloadCid(), r.pieceCid(), r.state(), r.pricePerByte(),
                    r.unsealPrice(), r.funds(), bytes, r.paymentChannel(), r.message(), r.paymentInterval(), r.paymentIntervalIncrease(),
                    r.dataLimit(), progress, r.proposal(), r.payee(), r.pendingVoucher(), r.pendingBaseline()));
        }
        startProvider(asks(0));
        Object out = retrieval.get(60, TimeUnit.SECONDS);
        assertThat(out).isInstanceOf(RetrievalClient.Result.class);
        RetrievalClient.Result result = (RetrievalClient.Result) out;
        assertThat(result.restarts()).isEqualTo(1);
        assertThat(result.bytes()).isEqualTo(dagBytes);
        assertThat(result.bytesOnWire()).isEqualTo(dagBytes); // the lost blocks once, nothing twice
        assertThat(result.paid()).isEqualTo(BigInteger.valueOf(dagBytes));
        assertThat(sent).allSatisfy(v -> assertThat(v.amount().atto()).isLessThanOrEqualTo(BigInteger.valueOf(dagBytes)));
        assertThat(providerVouchers.receivedTotal(channel).atto()).isEqualTo(dagBytes);
        DealRecord d = onlyDeal();
        assertThat(d.state()).isEqualTo(ProviderFsm.State.COMPLETED);
        assertThat(d.funds()).isEqualTo(dagBytes);
        assertThat(d.bytesSent()).isEqualTo(dagBytes);
    }

    @Test
    void aVouchersAcknowledgementReadLateDoesNotCountTheNextVoucherAsReceived() throws Exception {
        // The provider's resume after a voucher (VoucherResult, no DealResponse) rides on
        // graphsync, its next payment request on a data-transfer stream of its own: the client can
        // read them in either order, so the resume may be read after the next voucher went out.
        // Counting that voucher as received by the provider then (it was lost here, with the
        // provider going down) made the restart's request look like one for blocks the client
        // lacks: it waited for them while the provider waited for the voucher, until the timeout.
        List<SignedVoucher> sent = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch lateAckRead = new java.util.concurrent.CountDownLatch(1);
        client.setCapture(raw -> {
            TransferResponse r = TransferMessage.decode(raw).response();
            if (second.isDone() || r == null) {
                return;
            }
            if (r.type() == MessageType.VOUCHER_RESULT && !r.paused() && r.voucherResult() == null && !sent.isEmpty()
                    && sent.get(sent.size() - 1).nonce() == 2) {
                lateAckRead.countDown();
            }
        });
        client.setVoucherPolicy(v -> {
            sent.add(v);
            if (v.nonce() == 2 && !second.isDone()) {
                try {
                    // the resume for voucher 1, as read late: after the request for voucher 2
                    var resume = new TransferResponse(MessageType.VOUCHER_RESULT, true, false, onlyDeal().transferId(), null, "");
                    venus.retrieval.node.retrieval.datatransfer.DataTransferNetwork.sender(providerHost)
                            .send(clientHost.peerId(), TransferMessage.of(resume)).get(10, TimeUnit.SECONDS);
                    assertThat(lateAckRead.await(10, TimeUnit.SECONDS)).isTrue();
                    stopProvider(); // voucher 2 goes out now and is lost
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                second.complete(null);
            }
            return v;
        });
        client.setReconnect(new RetrievalClient.Reconnect(3, 40, Duration.ofMillis(50), Duration.ofMillis(300)));
        CompletableFuture<Object> retrieval = retrieveInBackground(Duration.ofSeconds(30));
        second.get(30, TimeUnit.SECONDS);
        startProvider(asks(0));
        Object out = retrieval.get(60, TimeUnit.SECONDS);
        assertThat(out).isInstanceOf(RetrievalClient.Result.class);
        RetrievalClient.Result result = (RetrievalClient.Result) out;
        assertThat(result.restarts()).isEqualTo(1);
        assertThat(result.paid()).isEqualTo(BigInteger.valueOf(dagBytes));
        assertThat(providerVouchers.receivedTotal(channel).atto()).isEqualTo(dagBytes);
        assertThat(onlyDeal().state()).isEqualTo(ProviderFsm.State.COMPLETED);
        assertThat(onlyDeal().funds()).isEqualTo(dagBytes);
    }

    @Test
    void providerRestartDuringTheFinalPaymentRoundResumes() throws Exception {
        // every block arrived and the provider asks for the last payment (DealResponse 14); the
        // client holds the voucher back while the provider goes down and comes back
        List<SignedVoucher> sent = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> lastAsked = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();
        client.setVoucherPolicy(v -> {
            if (!held.get() && deals.all().get(0).state() == ProviderFsm.State.FUNDS_NEEDED_LAST_PAYMENT) {
                held.set(true);
                lastAsked.complete(null);
                return null;
            }
            sent.add(v);
            return v;
        });
        client.setReconnect(new RetrievalClient.Reconnect(3, 20, Duration.ofMillis(50), Duration.ofMillis(500)));
        CompletableFuture<Object> retrieval = retrieveInBackground();
        lastAsked.get(30, TimeUnit.SECONDS);
        stopProvider();
        startProvider(asks(0));
        Object r = retrieval.get(60, TimeUnit.SECONDS);
        assertThat(r).isInstanceOf(RetrievalClient.Result.class);
        RetrievalClient.Result result = (RetrievalClient.Result) r;
        assertThat(result.restarts()).isEqualTo(1);
        assertThat(result.bytesOnWire()).isEqualTo(dagBytes); // the restarted walk sent no block
        assertThat(result.paid()).isEqualTo(BigInteger.valueOf(dagBytes));
        assertThat(providerVouchers.receivedTotal(channel).atto()).isEqualTo(dagBytes);
        DealRecord d = onlyDeal();
        assertThat(d.state()).isEqualTo(ProviderFsm.State.COMPLETED);
        assertThat(d.bytesSent()).isEqualTo(dagBytes);
    }

    /** Holds the client's second voucher back (the provider never sees it); completes with it. */
    CompletableFuture<SignedVoucher> holdSecondVoucher() {
        CompletableFuture<SignedVoucher> second = new CompletableFuture<>();
        client.setVoucherPolicy(v -> {
            if (v.nonce() == 2 && !second.isDone()) {
                second.complete(v);
                return null;
            }
            return v;
        });
        return second;
    }

    /**
     * Plays an older version stopped between its voucher commit and its record update: the only
     * deal's record names {@code v} as its pending voucher (written ahead, no credit memo) and the
     * voucher store holds {@code v}. Returns the lane's amount before {@code v} (the baseline).
     */
    BigInteger leaveOldFormatPendingVoucher(DealStore ds, VoucherStore vs, SignedVoucher v) {
        DealRecord r = ds.all().get(0);
        BigInteger before = vs.bestReceived(channel).get(v.lane()).amount().atto();
        ds.put(new DealRecord(r.client(), r.transferId(), r.dealId(), r.payloadCid(), r.pieceCid(), r.state(), r.pricePerByte(),
                r.unsealPrice(), r.funds(), r.bytesSent(), r.paymentChannel(), r.message(), r.paymentInterval(),
                r.paymentIntervalIncrease(), r.dataLimit(), r.progress(), r.proposal(), r.payee(), v.toCbor(), before));
        vs.putReceived(v, TokenAmount.ZERO); // committed; the record update after it never happened
        return before;
    }

    @Test
    void aVoucherStoredJustBeforeAStopIsCreditedAtStartUp() throws Exception {
        // a repository left by a version that wrote a record naming the voucher ahead of its
        // commit (no credit memo), stopped between that commit and the record's update: the test
        // plays that version's side of it (record names the pending voucher, store has it)
        CompletableFuture<SignedVoucher> second = holdSecondVoucher();
        client.setReconnect(new RetrievalClient.Reconnect(3, 20, Duration.ofMillis(50), Duration.ofMillis(500)));
        CompletableFuture<Object> retrieval = retrieveInBackground();
        SignedVoucher v2 = second.get(30, TimeUnit.SECONDS);
        stopProvider();
        DealRecord r;
        try (DealStore ds = DealStore.open(DealStore.directory(providerRepo)); VoucherStore vs = VoucherStore.open(providerRepo)) {
            r = ds.all().get(0);
            BigInteger before = leaveOldFormatPendingVoucher(ds, vs, v2);
            assertThat(before).isEqualTo(r.funds());
            // a start-up the client cannot reach (no host), so the recovered record is read before any
            // restart can change it (reading it after startProvider raced with the client's restart)
            RetrievalProvider offline = new RetrievalProvider(new PieceFinder(store.directory(), asks(0)),
                    a -> new PaymentReceiver(new VoucherValidator(ledger, a, 20), vs), ds);
            offline.close();
            DealRecord recovered = ds.all().get(0);
            assertThat(recovered.funds()).isEqualTo(v2.amount().atto()); // credited once, at start-up
            assertThat(recovered.pendingVoucher()).isNull();
            assertThat(recovered.state()).isEqualTo(ProviderFsm.State.AWAITING_RESTART);
        }
        startProvider(asks(0)); // a second start-up credits nothing more (the final funds would exceed the DAG)
        Object out = retrieval.get(60, TimeUnit.SECONDS);
        assertThat(out).isInstanceOf(RetrievalClient.Result.class);
        // without the credit the provider would ask for that interval again: the client would pay it twice
        assertThat(providerVouchers.receivedTotal(channel).atto()).isEqualTo(dagBytes);
        assertThat(onlyDeal().funds()).isEqualTo(dagBytes);
        assertThat(onlyDeal().state()).isEqualTo(ProviderFsm.State.COMPLETED);
    }

    @Test
    void aPendingVoucherIsCreditedWhenPaymentsStartAfterTheProvider() throws Exception {
        // the daemon builds the provider (start-up recovery) before its payment service has opened
        // the voucher store: the pending voucher (written ahead by an older version, as above)
        // must neither stop the start nor lose its credit
        CompletableFuture<SignedVoucher> second = holdSecondVoucher();
        client.setReconnect(new RetrievalClient.Reconnect(3, 40, Duration.ofMillis(50), Duration.ofMillis(300)));
        CompletableFuture<Object> retrieval = retrieveInBackground();
        SignedVoucher v2 = second.get(30, TimeUnit.SECONDS);
        stopProvider();
        try (DealStore ds = DealStore.open(DealStore.directory(providerRepo)); VoucherStore vs = VoucherStore.open(providerRepo)) {
            leaveOldFormatPendingVoucher(ds, vs, v2);
        }
        paymentsDownFor = Thread.currentThread();
        try {
            startProvider(asks(0)); // must not throw: payments are simply not running yet
        } finally {
            paymentsDownFor = null;
        }
        // the record kept the voucher, so the client's restart credits it: without that credit the
        // provider asks that interval again and the client's next voucher (same amount as the one
        // stored) is refused, failing the deal
        Object out = retrieval.get(60, TimeUnit.SECONDS);
        assertThat(out).isInstanceOf(RetrievalClient.Result.class);
        assertThat(providerVouchers.receivedTotal(channel).atto()).isEqualTo(dagBytes);
        DealRecord d = onlyDeal();
        assertThat(d.state()).isEqualTo(ProviderFsm.State.COMPLETED);
        assertThat(d.funds()).isEqualTo(dagBytes); // credited exactly once
        assertThat(d.pendingVoucher()).isNull();
    }

    @Test
    void eachPaymentRoundWaitsForOneDurableCommitOnly() throws Exception {
        // between a voucher's arrival and the data it unlocks the provider makes one synchronous
        // commit: the voucher's, which carries the deal's credit memo; the deal record follows in
        // the background. Flat 100 kB intervals: about ten rounds.
        stopProvider();
        startProvider(RetrievalAsks.uniform(new RetrievalAsk(BigInteger.ONE, BigInteger.ZERO, 100_000, 0, payee)));
        record Commits(long vouchers, long records) {}
        List<Commits> atAsk = new CopyOnWriteArrayList<>();
        List<SignedVoucher> sent = new CopyOnWriteArrayList<>();
        client.setVoucherPolicy(v -> {
            // the client signs when an ask arrives: the previous voucher was committed before the
            // data it unlocked, which led to this ask
            atAsk.add(new Commits(providerVouchers.commits(), deals.synchronousCommits()));
            sent.add(v);
            return v;
        });
        RetrievalClient.Result r = retrieve(Duration.ofSeconds(60));
        assertThat(r.bytes()).isEqualTo(dagBytes);
        assertThat(r.paid()).isEqualTo(BigInteger.valueOf(dagBytes));
        // ask i, voucher i, data, ask i+1: one round. The last ask (DealResponse 14) follows the
        // transfer's end, whose record the provider does wait for: that round is left out.
        int rounds = atAsk.size() - 2;
        assertThat(rounds).isGreaterThanOrEqualTo(8);
        for (int i = 0; i < rounds; i++) {
            Commits a = atAsk.get(i);
            Commits b = atAsk.get(i + 1);
            assertThat(b.vouchers() - a.vouchers()).as("voucher store commits in round %d", i).isEqualTo(1);
            assertThat(b.records() - a.records()).as("deal store commits waited for in round %d", i).isZero();
        }
        assertThat(providerVouchers.commits()).isEqualTo(sent.size()); // one per voucher, the memo inside it
        DealRecord d = onlyDeal(); // the background writes landed
        assertThat(d.state()).isEqualTo(ProviderFsm.State.COMPLETED);
        assertThat(d.funds()).isEqualTo(dagBytes);
        assertThat(d.pendingVoucher()).isNull();
    }

    /** The deal store's background writes: run until {@link #hold}, then never (they are lost with a crash). */
    static final class HeldWrites implements java.util.concurrent.Executor, AutoCloseable {
        private final java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "test-deal-writes");
            t.setDaemon(true);
            return t;
        });
        private boolean held;

        @Override
        public synchronized void execute(Runnable r) {
            if (!held) {
                thread.execute(r);
            }
        }

        /** From now on nothing runs; returns once what was handed over before has run. */
        void hold() {
            synchronized (this) {
                held = true;
            }
            try {
                thread.submit(() -> { }).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }

    /** A crash left the provider's disk as it was just after it committed {@code v2}; the client is still retrieving. */
    record Crash(SignedVoucher v1, SignedVoucher v2, CompletableFuture<Object> retrieval) {}

    /**
     * Runs a retrieval until the provider has committed the client's second voucher (and resumed),
     * with the deal store's background writes held from then on, and swaps the provider's LMDB
     * environments for copies taken at that point: the disk as a crash between the voucher's
     * commit and the deal record's update leaves it. The provider is down when this returns.
     */
    Crash crashAfterTheSecondVouchersCommit() throws Exception {
        stopProvider();
        HeldWrites writes = new HeldWrites();
        dealWriter = writes;
        startProvider(asks(0));
        CompletableFuture<SignedVoucher> first = new CompletableFuture<>();
        CompletableFuture<SignedVoucher> second = new CompletableFuture<>();
        CompletableFuture<Void> thirdAsk = new CompletableFuture<>();
        client.setVoucherPolicy(v -> {
            if (v.nonce() == 1) {
                first.complete(v);
            } else if (v.nonce() == 2 && !second.isDone()) {
                writes.hold(); // the records this voucher changes never reach the disk
                second.complete(v);
            } else if (v.nonce() == 3 && !thirdAsk.isDone()) {
                thirdAsk.complete(null); // the provider took v2, resumed and asked again
                return null; // withheld: nothing more is written while the image is taken
            }
            return v;
        });
        client.setReconnect(new RetrievalClient.Reconnect(3, 40, Duration.ofMillis(50), Duration.ofMillis(300)));
        CompletableFuture<Object> retrieval = retrieveInBackground();
        SignedVoucher v2 = second.get(30, TimeUnit.SECONDS);
        thirdAsk.get(30, TimeUnit.SECONDS);
        // no write is under way in either environment now: their files are what a crash leaves
        Path image = tmp.resolve("crash-image");
        copyEnvironment(DealStore.directory(providerRepo), image.resolve("retrieval"));
        copyEnvironment(VoucherStore.directory(providerRepo), image.resolve("paych"));
        stopProvider(); // writes the held records: discarded just below
        writes.close();
        dealWriter = null;
        copyEnvironment(image.resolve("retrieval"), DealStore.directory(providerRepo));
        copyEnvironment(image.resolve("paych"), VoucherStore.directory(providerRepo));
        try (DealStore ds = DealStore.open(DealStore.directory(providerRepo)); VoucherStore vs = VoucherStore.open(providerRepo)) {
            // the window was hit: the voucher is on disk, the record knows only the first one
            assertThat(vs.bestReceived(channel).get(v2.lane())).isEqualTo(v2);
            DealRecord r = ds.all().get(0);
            assertThat(r.funds()).isEqualTo(first.get().amount().atto()).isLessThan(v2.amount().atto());
            assertThat(r.pendingVoucher()).isNull(); // nothing was written ahead of the voucher
        }
        return new Crash(first.get(), v2, retrieval);
    }

    /** Replaces {@code to}'s LMDB environment by {@code from}'s data file (no environment open on either). */
    static void copyEnvironment(Path from, Path to) throws java.io.IOException {
        java.nio.file.Files.createDirectories(to);
        java.nio.file.Files.deleteIfExists(to.resolve("lock.mdb"));
        java.nio.file.Files.copy(from.resolve("data.mdb"), to.resolve("data.mdb"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The retrieval finishes against the restarted provider, every byte paid and credited once. */
    void finishesPaidOnce(CompletableFuture<Object> retrieval) throws Exception {
        Object out = retrieval.get(60, TimeUnit.SECONDS);
        assertThat(out).isInstanceOf(RetrievalClient.Result.class);
        RetrievalClient.Result result = (RetrievalClient.Result) out;
        assertThat(result.restarts()).isGreaterThanOrEqualTo(1);
        assertThat(result.bytes()).isEqualTo(dagBytes);
        assertThat(result.paid()).isEqualTo(BigInteger.valueOf(dagBytes));
        assertThat(providerVouchers.receivedTotal(channel).atto()).isEqualTo(dagBytes);
        DealRecord d = onlyDeal();
        assertThat(d.state()).isEqualTo(ProviderFsm.State.COMPLETED);
        assertThat(d.funds()).isEqualTo(dagBytes); // v2 counted exactly once
    }

    @Test
    void aCrashBetweenTheVoucherCommitAndTheRecordWriteCreditsTheVoucherOnceAtStartUp() throws Exception {
        Crash crash = crashAfterTheSecondVouchersCommit();
        try (DealStore ds = DealStore.open(DealStore.directory(providerRepo)); VoucherStore vs = VoucherStore.open(providerRepo)) {
            for (int start = 1; start <= 2; start++) {
                // start-ups the client cannot reach (no host), so the recovered record is read
                // before its restart changes it; the second must credit nothing more
                new RetrievalProvider(new PieceFinder(store.directory(), asks(0)),
                        a -> new PaymentReceiver(new VoucherValidator(ledger, a, 20), vs), ds).close();
                DealRecord recovered = ds.all().get(0);
                assertThat(recovered.funds()).as("funds after start-up %d", start).isEqualTo(crash.v2().amount().atto());
                assertThat(recovered.paymentChannel()).isEqualTo(channel.bytes());
                assertThat(recovered.state()).isEqualTo(ProviderFsm.State.AWAITING_RESTART);
            }
        }
        startProvider(asks(0));
        finishesPaidOnce(crash.retrieval());
    }

    @Test
    void aCrashBetweenTheVoucherCommitAndTheRecordWriteIsSettledAtTheRestartWhenPaymentsStartLater() throws Exception {
        // the daemon's order: start-up recovery runs before payments do, so the record cannot be
        // settled then; the client's restart settles it (without that the provider would ask for
        // the second interval again and count its payment twice or refuse it)
        Crash crash = crashAfterTheSecondVouchersCommit();
        try (DealStore ds = DealStore.open(DealStore.directory(providerRepo))) {
            // a start-up the client cannot reach, payments down: the record is left for the restart
            new RetrievalProvider(new PieceFinder(store.directory(), asks(0)), a -> {
                throw new venus.retrieval.paych.PaychException(venus.retrieval.paych.PaychException.Reason.STORE,
                        "payments are not running on this node");
            }, ds).close();
            DealRecord atStart = ds.all().get(0);
            assertThat(atStart.funds()).isEqualTo(crash.v1().amount().atto());
            assertThat(atStart.state()).isEqualTo(ProviderFsm.State.AWAITING_RESTART);
        }
        paymentsDownFor = Thread.currentThread();
        try {
            startProvider(asks(0));
        } finally {
            paymentsDownFor = null;
        }
        finishesPaidOnce(crash.retrieval());
    }

    @Test
    void restartOfACompletedDealIsServedAgainAndOfAnUnknownOneRefused() throws Exception {
        RetrievalClient.Result done = retrieve(Duration.ofSeconds(60));
        assertThat(done.bytes()).isEqualTo(dagBytes);
        DealRecord d = onlyDeal();
        assertThat(d.state()).isEqualTo(ProviderFsm.State.COMPLETED);
        DealProposal proposal = DealProposal.fromNode(venus.retrieval.ipld.cbor.DagCbor.decode(d.proposal()));
        // a completed (fully paid) deal whose client lost the end: served again past what the client
        // holds, not paused, nothing asked, ending with DealResponse 15 again; the record is untouched
        CompletableFuture<DealResponse> fifteen = new CompletableFuture<>();
        client.setCapture(raw -> {
            TransferMessage m = TransferMessage.decode(raw);
            if (!m.isRequest() && m.transferId() == d.transferId() && m.response().type() == MessageType.COMPLETE
                    && m.response().voucherResult() != null) {
                fifteen.complete(DealResponse.fromNode(m.response().voucherResult()));
            }
        });
        Restarted completed;
        try {
            ReceivedBlocks held = ReceivedBlocks.inMemory(); // the client holds what it verified before
            var blocks = Fixture.blocks(Vectors.file(FILE));
            for (var b : blocks) {
                held.put(b.cid(), b.data());
            }
            // it lost the last two blocks (128 KiB, within the deal's last payment interval)
            completed = restartRaw(client, clientHost, d.transferId(), proposal, held, blocks.size() - 2, new long[1]);
            assertThat(fifteen.get(30, TimeUnit.SECONDS).status()).isEqualTo(DealStatus.COMPLETED);
        } finally {
            client.setCapture(null);
        }
        assertThat(completed.status()).isEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(completed.response().type()).isEqualTo(MessageType.RESTART);
        assertThat(completed.response().accepted()).isTrue();
        assertThat(completed.response().paused()).isFalse();
        assertThat(completed.response().voucherResult()).isNull(); // nothing owed
        DealRecord after = onlyDeal();
        assertThat(List.of(after.state(), after.bytesSent(), after.progress(), after.funds(), after.message()))
                .isEqualTo(List.of(d.state(), d.bytesSent(), d.progress(), d.funds(), d.message()));
        // an unknown transfer id
        Restarted unknown = restartRaw(client, clientHost, d.transferId() + 1, proposal);
        assertThat(unknown.status()).isEqualTo(ResponseStatus.REQUEST_FAILED_UNKNOWN);
        assertThat(DealResponse.fromNode(unknown.response().voucherResult()).message()).contains("no transfer");
        // the same transfer id from another peer is not that peer's deal
        try (Host other = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
             RetrievalClient otherClient = new RetrievalClient(other)) {
            Restarted stranger = restartRaw(otherClient, other, d.transferId(), proposal);
            assertThat(stranger.status()).isEqualTo(ResponseStatus.REQUEST_FAILED_UNKNOWN);
            assertThat(stranger.response().accepted()).isFalse();
        }
        assertThat(onlyDeal().state()).isEqualTo(ProviderFsm.State.COMPLETED); // untouched
    }

    @Test
    void aCompletedPaidDealIsServedAgainOnlyForItsLastIntervalAndAFewTimes() throws Exception {
        RetrievalClient.Result done = retrieve(Duration.ofSeconds(60));
        DealRecord d = onlyDeal();
        assertThat(d.state()).isEqualTo(ProviderFsm.State.COMPLETED);
        DealProposal proposal = DealProposal.fromNode(venus.retrieval.ipld.cbor.DagCbor.decode(d.proposal()));
        // the last interval step of this deal: 200,000 then +50,000 each (200k, 250k, 300k, 350k...)
        PaymentMath math = new PaymentMath(proposal.pricePerByte(), INTERVAL, INCREASE, BigInteger.ZERO);
        long budget = math.nextInterval(d.bytesSent() - 1) - math.intervalLowerBound(d.bytesSent() - 1);
        assertThat(budget).isLessThan(done.bytes() / 2); // so a whole replay must be cut
        // a client claiming to hold nothing of a completed, paid deal: it gets at most that interval
        // (plus the one block crossing it) and an error, not the whole file again for free
        long[] onWire = new long[1];
        Restarted whole = restartRaw(client, clientHost, d.transferId(), proposal, ReceivedBlocks.inMemory(), 0, onWire);
        assertThat(whole.status()).isNotEqualTo(ResponseStatus.REQUEST_COMPLETED_FULL);
        assertThat(onWire[0]).isGreaterThan(0).isLessThanOrEqualTo(budget + 64 * 1024 + 1024);
        // two more replays are served (each cut again), the next is refused outright
        for (int i = 0; i < RetrievalProvider.MAX_REPLAYS_PER_DEAL - 1; i++) {
            assertThat(restartRaw(client, clientHost, d.transferId(), proposal, ReceivedBlocks.inMemory(), 0, onWire).response().accepted())
                    .isTrue();
        }
        Restarted refused = restartRaw(client, clientHost, d.transferId(), proposal, ReceivedBlocks.inMemory(), 0, onWire);
        assertThat(refused.response().accepted()).isFalse();
        assertThat(DealResponse.fromNode(refused.response().voucherResult()).message()).contains("served again");
        assertThat(onlyDeal().state()).isEqualTo(ProviderFsm.State.COMPLETED); // untouched
    }

    /** {@link #retrieve} (60 s) on another thread: completes with its Result, or with the exception it threw. */
    CompletableFuture<Object> retrieveInBackground() {
        return retrieveInBackground(Duration.ofSeconds(60));
    }

    /** A retrieval on another thread: its result, or the exception it ended with. */
    CompletableFuture<Object> retrieveInBackground(Duration timeout) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return retrieve(timeout);
            } catch (Exception e) {
                return e;
            }
        });
    }

    /** A graphsync request carrying a DT pull (new or restart) of {@link #root}, as the provider's hooks see it. */
    GsRequest dtRequest(UUID id, TransferRequest r) {
        return GsRequest.newRequest(id, root, Selectors.exploreAllRecursively(), Map.of(TransferMessage.EXTENSION, TransferMessage.of(r).toNode()));
    }

    @Test
    void aRequestReplacedByARestartSendsNothingMoreUnmetered() {
        // the provider's hooks driven directly, as graphsync drives them: a deal runs on one request,
        // the client restarts the channel on a second one while the first is still being walked
        PeerId peer = clientHost.peerId();
        long xfer = 4242;
        Node sel = Selectors.exploreAllRecursively();
        DealProposal p = new DealProposal(77, root, null, null, BigInteger.ONE, INTERVAL, INCREASE, BigInteger.ZERO);
        UUID first = UUID.randomUUID();
        assertThat(provider.onIncomingRequest(peer, dtRequest(first, TransferRequest.newPull(xfer, root, sel, DealProposal.TYPE, p.toNode())))
                .accepted()).isTrue();
        assertThat(provider.onOutgoingBlock(peer, first, new OutgoingBlock(root, 1000, 1000, 1, 1000, true)).pause()).isFalse();
        // a restart carrying another proposal (other price) on the same channel is refused
        DealProposal cheaper = new DealProposal(77, root, null, null, BigInteger.TWO, INTERVAL, INCREASE, BigInteger.ZERO);
        assertThat(provider.onIncomingRequest(peer, dtRequest(UUID.randomUUID(),
                TransferRequest.restartPull(xfer, root, sel, DealProposal.TYPE, cheaper.toNode()))).accepted()).isFalse();
        UUID second = UUID.randomUUID();
        assertThat(provider.onIncomingRequest(peer, dtRequest(second, TransferRequest.restartPull(xfer, root, sel, DealProposal.TYPE, p.toNode())))
                .accepted()).isTrue();
        // until its cancel has run, the replaced request is still walked: each block it would send is
        // neither counted nor limited, so it must stop (pause) instead of sending on for free
        long big = INTERVAL; // alone more than the interval paid for (nothing is)
        assertThat(provider.onOutgoingBlock(peer, first, new OutgoingBlock(root, (int) big, (int) big, 2, 1000 + big, true)).pause())
                .as("the replaced request keeps sending").isTrue();
        // the restarted request is metered from where the deal was: this block crosses the interval
        assertThat(provider.onOutgoingBlock(peer, second, new OutgoingBlock(root, (int) big, (int) big, 2, big, true)).pause()).isTrue();
    }

    @Test
    void aVoucherStoredWhileItsDealEndsIsCountedInTheDealsRecord() throws Exception {
        // the provider's hooks driven directly: a voucher arrives while the deal runs, and its
        // graphsync response fails while the voucher is being stored. The voucher is the
        // provider's now (in the store, with its memo); the finished deal's record must count it
        // too (no restart or settle looks at a finished record again)
        PeerId peer = clientHost.peerId();
        long xfer = 4646;
        Node sel = Selectors.exploreAllRecursively();
        DealProposal p = new DealProposal(81, root, null, null, BigInteger.ONE, INTERVAL, INCREASE, BigInteger.ZERO);
        UUID id = UUID.randomUUID();
        assertThat(provider.onIncomingRequest(peer, dtRequest(id, TransferRequest.newPull(xfer, root, sel, DealProposal.TYPE, p.toNode())))
                .accepted()).isTrue();
        assertThat(provider.onOutgoingBlock(peer, id, new OutgoingBlock(root, 1000, 1000, 1, 1000, true)).pause()).isFalse();
        SignedVoucher v = SignedVoucher.of(channel, 0, 1, new TokenAmount(BigInteger.valueOf(1000))).sign(clientWallet, payer);
        holdPayment = new java.util.concurrent.CountDownLatch(1);
        provider.onMessage(peer, TransferMessage.of(TransferRequest.voucher(xfer, DealPayment.TYPE, new DealPayment(81, channel, v).toNode())));
        assertThat(paymentHeld.await(30, TimeUnit.SECONDS)).isTrue();
        provider.onComplete(peer, id, ResponseStatus.REQUEST_FAILED_UNKNOWN); // e.g. a piece read failed
        assertThat(deals.get(peer.bytes(), xfer).state()).isEqualTo(ProviderFsm.State.ERRORED);
        holdPayment.countDown();
        waitFor(() -> deals.get(peer.bytes(), xfer).funds().signum() > 0);
        assertThat(providerVouchers.receivedTotal(channel).atto()).isEqualTo(1000);
        DealRecord r = deals.get(peer.bytes(), xfer);
        assertThat(r.state()).isEqualTo(ProviderFsm.State.ERRORED);
        assertThat(r.funds()).isEqualTo(1000);
        assertThat(r.paymentChannel()).isEqualTo(channel.bytes());
    }

    @Test
    void theSameDealProposedAgainOnItsChannelIsRefusedAndItsRecordKept() {
        // a second DT New for a deal the provider has on record (same peer, transfer id and deal
        // id) would reset its record, funds included, and let that deal's credit memo count for the
        // new one after a crash: a deal goes on by a restart instead
        PeerId peer = clientHost.peerId();
        long xfer = 4545;
        Node sel = Selectors.exploreAllRecursively();
        DealProposal p = new DealProposal(79, root, null, null, BigInteger.ONE, INTERVAL, INCREASE, BigInteger.ZERO);
        assertThat(provider.onIncomingRequest(peer, dtRequest(UUID.randomUUID(), TransferRequest.newPull(xfer, root, sel, DealProposal.TYPE,
                p.toNode()))).accepted()).isTrue();
        stopProvider(); // the deal leaves memory; its record stays (AWAITING_RESTART after the start-up)
        startProvider(asks(0));
        var again = provider.onIncomingRequest(peer, dtRequest(UUID.randomUUID(), TransferRequest.newPull(xfer, root, sel, DealProposal.TYPE,
                p.toNode())));
        assertThat(again.accepted()).isFalse();
        TransferResponse refused = TransferMessage.fromNode(again.extensions().get(TransferMessage.EXTENSION)).response();
        assertThat(DealResponse.fromNode(refused.voucherResult()).message()).contains("exists already");
        DealRecord kept = deals.get(peer.bytes(), xfer);
        assertThat(kept.dealId()).isEqualTo(79);
        assertThat(kept.state()).isEqualTo(ProviderFsm.State.AWAITING_RESTART);
        // another deal on that transfer id is still taken, as before (its memo names it, not deal 79)
        DealProposal other = new DealProposal(80, root, null, null, BigInteger.ONE, INTERVAL, INCREASE, BigInteger.ZERO);
        assertThat(provider.onIncomingRequest(peer, dtRequest(UUID.randomUUID(), TransferRequest.newPull(xfer, root, sel, DealProposal.TYPE,
                other.toNode()))).accepted()).isTrue();
    }

    @Test
    void blocksTheClientSaidItHeldAreNotFreeAfterARestart() {
        // a deal whose first request carried graphsync/do-not-send-first-blocks (or -cids): the walk
        // passes blocks without sending them. A restart without that extension must not hand those
        // blocks over for nothing (restarts count only beyond the deal's progress index)
        PeerId peer = clientHost.peerId();
        long xfer = 4343;
        Node sel = Selectors.exploreAllRecursively();
        DealProposal p = new DealProposal(78, root, null, null, BigInteger.ONE, INTERVAL, INCREASE, BigInteger.ZERO);
        int size = (int) (INTERVAL / 2);
        UUID first = UUID.randomUUID();
        assertThat(provider.onIncomingRequest(peer, dtRequest(first, TransferRequest.newPull(xfer, root, sel, DealProposal.TYPE, p.toNode())))
                .accepted()).isTrue();
        for (int i = 1; i <= 3; i++) { // walked, not sent: the requester said it holds them
            if (provider.onOutgoingBlock(peer, first, new OutgoingBlock(root, size, 0, i, 0, true)).pause()) {
                break; // graphsync walks no further on a paused request
            }
        }
        provider.onNetworkError(peer, first, new RuntimeException("cut"));
        UUID second = UUID.randomUUID();
        var restarted = provider.onIncomingRequest(peer, dtRequest(second,
                TransferRequest.restartPull(xfer, root, sel, DealProposal.TYPE, p.toNode())));
        assertThat(restarted.accepted()).isTrue();
        long free = 0; // bytes on the wire before the provider stops for a payment (none was made)
        if (!restarted.pause()) {
            for (int i = 1; i <= 3; i++) {
                free += size;
                if (provider.onOutgoingBlock(peer, second, new OutgoingBlock(root, size, size, i, free, true)).pause()) {
                    break;
                }
            }
        }
        assertThat(free).as("bytes sent unpaid beyond the first interval").isLessThanOrEqualTo(INTERVAL);
    }

    /** What a hand-made DT Restart request got back: the graphsync ending and the DT response. */
    record Restarted(int status, TransferResponse response) {}

    Restarted restartRaw(RetrievalClient c, Host from, long transferId, DealProposal proposal) throws Exception {
        return restartRaw(c, from, transferId, proposal, ReceivedBlocks.inMemory());
    }

    /** A hand-made DT Restart that says the client verified the first 3 links ({@code store} holds them). */
    Restarted restartRaw(RetrievalClient c, Host from, long transferId, DealProposal proposal, ReceivedBlocks store) throws Exception {
        return restartRaw(c, from, transferId, proposal, store, 3, new long[1]);
    }

    /** A hand-made DT Restart saying the client verified the first {@code verified} links; {@code onWire[0]} gets the bytes received. */
    Restarted restartRaw(RetrievalClient c, Host from, long transferId, DealProposal proposal, ReceivedBlocks store, int verified,
                         long[] onWire) throws Exception {
        Graphsync gs = c.graphsync();
        from.connect(addr).get(30, TimeUnit.SECONDS);
        Node sel = Selectors.exploreAllRecursively();
        TransferMessage m = TransferMessage.of(TransferRequest.restartPull(transferId, root, sel, DealProposal.TYPE, proposal.toNode()));
        OutgoingRequest req = gs.requester().restart(providerHost.peerId(),
                root, sel, Map.of(TransferMessage.EXTENSION, m.toNode()), store, new OutgoingRequest.Listener() {}, verified);
        int status = req.completion().get(30, TimeUnit.SECONDS);
        onWire[0] = req.bytesOnWire();
        TransferResponse resp = req.extensionsReceived().stream().map(e -> e.get(TransferMessage.EXTENSION)).filter(java.util.Objects::nonNull)
                .map(n -> TransferMessage.fromNode(n).response()).findFirst().orElseThrow();
        return new Restarted(status, resp);
    }
}
