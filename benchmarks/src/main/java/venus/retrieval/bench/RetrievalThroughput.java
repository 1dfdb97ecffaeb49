package venus.retrieval.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportProgress;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarWriter;
import venus.retrieval.ipld.unixfs.UnixFsBuilder;
import venus.retrieval.ipld.unixfs.UnixFsProfile;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.node.retrieval.PieceFinder;
import venus.retrieval.node.retrieval.RetrievalAsk;
import venus.retrieval.node.retrieval.RetrievalAsks;
import venus.retrieval.node.retrieval.client.CarSpool;
import venus.retrieval.node.retrieval.client.RetrievalClient;
import venus.retrieval.node.retrieval.provider.DealStore;
import venus.retrieval.node.retrieval.provider.RetrievalProvider;
import venus.retrieval.node.retrieval.query.QueryProtocol;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.VoucherValidator;
import venus.retrieval.paych.Wallet;
import venus.retrieval.paych.chain.DevLedger;

/**
 * Filecoin retrieval throughput over loopback in one run: a free retrieval of an N MiB UnixFS file
 * (graphsync + data-transfer, every block verified by the client, written to a CAR) against one raw
 * Noise+Yamux stream of the same number of bytes; then the same file paid (1 attoFIL/byte, a
 * payment every {@code intervalMiB}, vouchers validated and fsynced on the dev ledger).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar venus.retrieval.bench.RetrievalThroughput [MiB] [intervalMiB]</pre>
 */
public final class RetrievalThroughput {
    private RetrievalThroughput() {}

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int intervalMib = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Path dir = Files.createTempDirectory("vrn-retrieval-bench");
        Path car = dir.resolve("file.car");
        Cid root;
        try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(car), 1 << 20)) {
            // root unknown until built: write blocks to a CAR whose header names a placeholder, then rewrite
            Path blocks = dir.resolve("blocks.car");
            try (OutputStream bs = new java.io.BufferedOutputStream(Files.newOutputStream(blocks), 1 << 20);
                 CarWriter w = new CarWriter(bs, List.of(Cid.parse("bafkqaaa")))) {
                root = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, w).file(random((long) mib << 20)).cid();
            }
            try (CarWriter w = new CarWriter(os, List.of(root));
                 InputStream in = Files.newInputStream(blocks);
                 venus.retrieval.ipld.car.CarReader r = venus.retrieval.ipld.car.CarReader.open(in)) {
                for (var b : r) {
                    w.put(b.cid(), b.data());
                }
            }
            Files.delete(blocks);
        }
        System.out.printf("retrieval of a %d MiB UnixFS file (1 MiB raw leaves), loopback, %d cores%n", mib, Runtime.getRuntime().availableProcessors());
        try (PieceStore store = PieceStore.open(dir.resolve("lmdb"), dir.resolve("pieces"), PieceStore.Options.defaults().withCacheBytes(0));
             DevLedger ledger = DevLedger.open(dir.resolve("ledger"), Clock.systemUTC(), Duration.ofSeconds(30), 12);
             VoucherStore pv = VoucherStore.open(dir.resolve("provider"));
             VoucherStore cv = VoucherStore.open(dir.resolve("client"));
             DealStore deals = DealStore.open(dir.resolve("deals"))) {
            store.importPiece(car, ImportOptions.defaults(), ImportProgress.NONE);
            Address payee = Wallet.loadOrCreateDefault(dir.resolve("provider")).defaultAddress();
            Wallet wallet = Wallet.loadOrCreateDefault(dir.resolve("client"));
            ledger.fund(wallet.defaultAddress(), TokenAmount.ofFil(10));
            Address channel = ledger.createChannel(wallet.defaultAddress(), payee, TokenAmount.ofFil(1));
            long interval = (long) intervalMib << 20;
            RetrievalAsks asks = new RetrievalAsks(RetrievalAsk.free(payee), Map.of("f01001",
                    new RetrievalAsk(BigInteger.ONE, BigInteger.ZERO, interval, 0, payee)));
            Map<Address, PaymentReceiver> rec = new ConcurrentHashMap<>();
            double free;
            double paid;
            try (Host ph = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
                 Host ch = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start()) {
                PieceFinder freeFinder = new PieceFinder(store.directory(), asks);
                new QueryProtocol(freeFinder).register(ph);
                RetrievalProvider p = RetrievalProvider.register(ph, store.blockSource(), freeFinder,
                        a -> rec.computeIfAbsent(a, x -> new PaymentReceiver(new VoucherValidator(ledger, x, 20), pv)), deals, 4);
                Multiaddr addr = ph.listenAddrs().get(0).withPeerId(ph.peerId());
                try (RetrievalClient client = new RetrievalClient(ch)) {
                    free = run(client, addr, root, dir.resolve("free.car"), RetrievalClient.Payment.FREE_ONLY);
                }
                p.close();
            }
            // the paid run: same blocks in a piece of miner f01001 (1 attoFIL/byte)
            store.importPiece(sameBlocksOtherHeader(car, root, dir.resolve("paid.car")),
                    ImportOptions.defaults().withMiners(List.of("f01001")), ImportProgress.NONE);
            try (Host ph = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
                 Host ch = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start()) {
                PieceFinder paidOnly = new PieceFinder(store.directory(), new RetrievalAsks(asks.forMiner("f01001"), Map.of()));
                new QueryProtocol(paidOnly).register(ph);
                RetrievalProvider p = RetrievalProvider.register(ph, store.blockSource(), paidOnly,
                        a -> rec.computeIfAbsent(a, x -> new PaymentReceiver(new VoucherValidator(ledger, x, 20), pv)), deals, 4);
                Multiaddr addr = ph.listenAddrs().get(0).withPeerId(ph.peerId());
                try (RetrievalClient client = new RetrievalClient(ch)) {
                    paid = run(client, addr, root, dir.resolve("paid-out.car"),
                            new RetrievalClient.Payment(null, channel, wallet, wallet.defaultAddress(), cv));
                }
                p.close();
            }
            byte[] chunk = new byte[64 * 1024];
            new SplittableRandom(1).nextBytes(chunk);
            double raw = Libp2pThroughput.libp2p((long) mib << 20, chunk);
            System.out.printf("raw Noise+Yamux stream   %8.1f MB/s%n", raw);
            System.out.printf("free retrieval           %8.1f MB/s  (%.2f x raw stream)%n", free, free / raw);
            System.out.printf("paid, %d MiB interval     %8.1f MB/s  (%.2f x free)%n", intervalMib, paid, paid / free);
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    static double run(RetrievalClient client, Multiaddr addr, Cid root, Path out, RetrievalClient.Payment pay) throws Exception {
        long start = System.nanoTime();
        RetrievalClient.Result r;
        try (CarSpool spool = new CarSpool(out, root)) {
            r = client.retrieve(addr, root, spool, pay, Duration.ofMinutes(30));
        }
        double secs = (System.nanoTime() - start) / 1e9;
        Files.delete(out);
        return r.bytes() / 1e6 / secs;
    }

    static Path sameBlocksOtherHeader(Path car, Cid root, Path out) throws Exception {
        try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 20);
             CarWriter w = new CarWriter(os, List.of(root, root));
             InputStream in = Files.newInputStream(car);
             venus.retrieval.ipld.car.CarReader r = venus.retrieval.ipld.car.CarReader.open(in)) {
            for (var b : r) {
                w.put(b.cid(), b.data());
            }
        }
        return out;
    }

    static InputStream random(long size) {
        SplittableRandom rnd = new SplittableRandom(42);
        return new InputStream() {
            long left = size;

            @Override
            public int read() {
                if (left == 0) {
                    return -1;
                }
                left--;
                return rnd.nextInt(256);
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) rnd.nextInt(256);
                }
                left -= n;
                return n;
            }
        };
    }
}
