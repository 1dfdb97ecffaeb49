package venus.retrieval.node.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.testing.Interop;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.StreamReader;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.retrieval.client.CarSpool;
import venus.retrieval.node.retrieval.client.RetrievalClient;
import venus.retrieval.node.retrieval.provider.DealStore;
import venus.retrieval.node.retrieval.provider.RetrievalProvider;
import venus.retrieval.node.retrieval.query.Query;
import venus.retrieval.node.retrieval.query.QueryProtocol;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.VoucherValidator;
import venus.retrieval.paych.Wallet;
import venus.retrieval.paych.chain.DevLedger;

/**
 * Captures what our provider actually sends in end-to-end runs (query response, transports, every
 * data-transfer message of a free and of a paid retrieval with an unseal price, and of a rejected
 * proposal) and has an independent decoder (Node.js, @ipld/dag-cbor: interop/retrieval-decode.mjs)
 * check them against the field lists of filecoin-retrieval.md §2, §3 and §8.1.
 */
class RetrievalInteropIT {
    @TempDir Path tmp;

    @Test
    void nodeDecoderAcceptsEverythingTheProviderSent() throws Exception {
        Path caps = Files.createDirectories(tmp.resolve("captured"));
        try (DevLedger ledger = DevLedger.open(tmp.resolve("ledger"), Clock.systemUTC(), Duration.ofSeconds(30), 12);
             PieceStore store = Fixture.store(tmp.resolve("provider"));
             VoucherStore providerVouchers = VoucherStore.open(tmp.resolve("provider"));
             VoucherStore clientVouchers = VoucherStore.open(tmp.resolve("client"));
             DealStore deals = DealStore.open(tmp.resolve("provider/lmdb/retrieval"))) {
            Address payee = Wallet.loadOrCreateDefault(tmp.resolve("provider")).defaultAddress();
            Wallet wallet = Wallet.loadOrCreateDefault(tmp.resolve("client"));
            ledger.fund(wallet.defaultAddress(), TokenAmount.ofFil(10));
            Address channel = ledger.createChannel(wallet.defaultAddress(), payee, TokenAmount.ofFil(1));
            Path free = Vectors.file("unixfs/file-262145-unixfs-v1-2025.car");
            Path paid = Vectors.file("unixfs/file-1048577-v1-raw-64k-balanced-11.car");
            Fixture.importFile(store, free, List.of("f01000"), true);
            Fixture.importFile(store, paid, List.of("f01001"), false);
            RetrievalAsk def = RetrievalAsk.free(payee);
            RetrievalAsks asks = new RetrievalAsks(def, Map.of("f01001",
                    new RetrievalAsk(BigInteger.ONE, BigInteger.valueOf(777), 300_000, 100_000, payee)));
            PieceFinder finder = new PieceFinder(store.directory(), asks);
            Map<Address, PaymentReceiver> rec = new ConcurrentHashMap<>();
            try (Host ph = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
                 Host ch = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start()) {
                new QueryProtocol(finder).register(ph);
                Transports.register(ph, Transports.ofHost(ph, () -> Multiaddr.parse("/ip4/127.0.0.1/tcp/8080/http")));
                RetrievalProvider provider = RetrievalProvider.register(ph, store.blockSource(), finder,
                        a -> rec.computeIfAbsent(a, x -> new PaymentReceiver(new VoucherValidator(ledger, x, 20), providerVouchers)), deals, 2);
                Multiaddr addr = ph.listenAddrs().get(0).withPeerId(ph.peerId());
                // raw query and transports bytes, as they came off the wire
                Files.write(caps.resolve("query-available.cbor"), rawExchange(ch, addr, QueryProtocol.PROTOCOL,
                        new Query(Fixture.root(paid), null).encode()));
                Files.write(caps.resolve("query-unavailable.cbor"), rawExchange(ch, addr, QueryProtocol.PROTOCOL,
                        new Query(Cid.parse("QmTTA2daxGqo5denp6SwLzzkLJm3fuisYEi9CoWsuHpzfb"), null).encode()));
                Files.write(caps.resolve("transports-1.cbor"), rawExchange(ch, addr, Transports.PROTOCOL, null));
                AtomicInteger n = new AtomicInteger();
                try (RetrievalClient client = new RetrievalClient(ch)) {
                    client.setCapture(b -> {
                        try {
                            Files.write(caps.resolve(String.format("dt-%03d.cbor", n.incrementAndGet())), b);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    try (CarSpool s = new CarSpool(tmp.resolve("free.car"), Fixture.root(free))) {
                        client.retrieve(addr, Fixture.root(free), s, RetrievalClient.Payment.FREE_ONLY, Duration.ofSeconds(60));
                    }
                    try (CarSpool s = new CarSpool(tmp.resolve("paid.car"), Fixture.root(paid))) {
                        RetrievalClient.Result r = client.retrieve(addr, Fixture.root(paid), s,
                                new RetrievalClient.Payment(null, channel, wallet, wallet.defaultAddress(), clientVouchers), Duration.ofSeconds(60));
                        assertThat(r.paid()).isEqualTo(BigInteger.valueOf(r.bytes() + 777));
                    }
                }
                provider.close();
            }
        }
        Interop.Result r = Interop.run(Duration.ofSeconds(60), "retrieval-decode.mjs", caps.toString());
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        String out = r.stdout();
        assertThat(out).doesNotContain("fail ");
        assertThat(out).contains("query-available.cbor status 0", "query-unavailable.cbor status 1", "libp2p,http");
        // free: accepted + completed; paid: unseal asked (7), pauses (type 1), FundsNeeded (10), last payment (14), Completed (15)
        assertThat(out).contains("deal 6", "deal 7", "deal 10", "deal 14", "deal 15", "type 1 acpt true paus true");
        // the paid run's finalization round opens with a Complete that is paused and has no VRes (§3.8 A.10)
        assertThat(out).containsPattern("type 3 acpt true paus true(\\R|$)");
    }

    /** Opens {@code protocol}, writes {@code request} (if any), returns every byte the provider sent until it closed. */
    static byte[] rawExchange(Host h, Multiaddr addr, String protocol, byte[] request) throws Exception {
        Stream s = h.newStream(addr, List.of(protocol)).get(10, TimeUnit.SECONDS);
        StreamReader reader = new StreamReader(64 * 1024);
        s.setListener(reader);
        if (request != null) {
            s.write(Unpooled.wrappedBuffer(request));
        }
        byte[] b = reader.result().get(10, TimeUnit.SECONDS);
        s.closeWrite();
        return b;
    }
}
