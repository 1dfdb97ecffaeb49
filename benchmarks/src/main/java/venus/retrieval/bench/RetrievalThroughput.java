package venus.retrieval.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportProgress;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.gateway.FreePaymentGate;
import venus.retrieval.gateway.GatewayConfig;
import venus.retrieval.gateway.GatewayServer;
import venus.retrieval.gateway.IpldGatewayBackend;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
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
 * Filecoin retrieval throughput over loopback, every case in the same JVM, interleaved round by
 * round so that JIT warm-up and machine load fall on all of them alike; medians are printed.
 *
 * <ul>
 *   <li><b>raw</b>: one Noise+Yamux stream carrying the same number of bytes (the transport's ceiling);</li>
 *   <li><b>free</b>: the lightweight client's free retrieval of an N MiB UnixFS file (graphsync +
 *       data-transfer, every block verified against the selector walk, written to a CAR spool);</li>
 *   <li><b>gateway</b>: our HTTP gateway's {@code /ipfs/ROOT?format=car} of the same root over
 *       loopback HTTP (plaintext), read by a plain HTTP client that parses the CAR and checks every
 *       block's hash;</li>
 *   <li><b>paid</b>: the same file at 1 attoFIL/byte, first payment after {@code intervalMiB}, the
 *       interval growing by {@code intervalMiB} after each payment (the shape of the node's and
 *       go-fil-markets' default ask; vouchers signed, validated on the dev ledger and fsynced
 *       before the data they pay for);</li>
 *   <li><b>paid-flat</b>: the same with an interval that never grows: one payment round per
 *       {@code intervalMiB} for the whole file (the worst case).</li>
 * </ul>
 *
 * <pre>java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *   -cp benchmarks/target/benchmarks.jar venus.retrieval.bench.RetrievalThroughput [MiB] [intervalMiB] [rounds]</pre>
 *
 * {@code -Dcases=free,paid} runs a subset (profiling aid); {@code -Dwarmup=N} sets the uncounted
 * warm-up rounds (default 1).
 */
public final class RetrievalThroughput {
    private static final String PAID_MINER = "f01001";

    private RetrievalThroughput() {}

    /** One case's measurement: MB/s and process CPU seconds used meanwhile. */
    record Sample(double mbs, double cpu) {}

    interface Case {
        long run() throws Exception; // bytes moved
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int intervalMib = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Set<String> cases = Set.of(System.getProperty("cases", "raw,free,gateway,paid,paid-flat").split(","));
        long size = (long) mib << 20;
        Path dir = Files.createTempDirectory("vrn-retrieval-bench");
        try {
            Path car = dir.resolve("file.car");
            Cid root = buildCar(dir, car, size);
            System.out.printf("retrieval of a %d MiB UnixFS file (1 MiB raw leaves), loopback, %d cores, %d rounds, load average %.2f%n",
                    mib, Runtime.getRuntime().availableProcessors(), rounds, loadAverage());
            try (PieceStore store = PieceStore.open(dir.resolve("lmdb"), dir.resolve("pieces"), PieceStore.Options.defaults().withCacheBytes(0));
                 DevLedger ledger = DevLedger.open(dir.resolve("ledger"), Clock.systemUTC(), Duration.ofSeconds(30), 12);
                 VoucherStore pv = VoucherStore.open(dir.resolve("provider"));
                 VoucherStore cv = VoucherStore.open(dir.resolve("client"));
                 DealStore deals = DealStore.open(dir.resolve("deals"))) {
                store.importPiece(car, ImportOptions.defaults(), ImportProgress.NONE);
                // the paid case: the same blocks in a second piece, of a miner that charges 1 attoFIL/byte
                store.importPiece(sameBlocksOtherHeader(car, root, dir.resolve("paid.car")),
                        ImportOptions.defaults().withMiners(List.of(PAID_MINER)), ImportProgress.NONE);
                Address payee = Wallet.loadOrCreateDefault(dir.resolve("provider")).defaultAddress();
                Wallet wallet = Wallet.loadOrCreateDefault(dir.resolve("client"));
                ledger.fund(wallet.defaultAddress(), TokenAmount.ofFil(10));
                Address channel = ledger.createChannel(wallet.defaultAddress(), payee, TokenAmount.ofFil(1));
                // "paid": the node's default ask shape (interval growing by itself after each payment, as
                // go-fil-markets' and our defaults do); "paid-flat": the interval never grows (one
                // payment round per interval for the whole file, the worst case)
                RetrievalAsk paidAsk = new RetrievalAsk(BigInteger.ONE, BigInteger.ZERO, (long) intervalMib << 20, (long) intervalMib << 20, payee);
                RetrievalAsk flatAsk = new RetrievalAsk(BigInteger.ONE, BigInteger.ZERO, (long) intervalMib << 20, 0, payee);
                Map<Address, PaymentReceiver> receivers = new ConcurrentHashMap<>();
                java.util.function.Function<Address, PaymentReceiver> pay = a -> receivers.computeIfAbsent(a, x -> new PaymentReceiver(new VoucherValidator(ledger, x, 20), pv));

                try (Host freeHost = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
                     Host paidHost = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
                     Host flatHost = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
                     Host clientHost = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
                     Host sinkHost = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
                     Host sourceHost = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
                     RetrievalClient client = new RetrievalClient(clientHost);
                     GatewayServer gateway = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", 0),
                             IpldGatewayBackend.over(store.blockSource(), store.directory()), FreePaymentGate.INSTANCE).start()) {
                    // free provider: only free asks; paid provider: only the paying miner's ask
                    PieceFinder freeFinder = new PieceFinder(store.directory(), new RetrievalAsks(RetrievalAsk.free(payee), Map.of()));
                    new QueryProtocol(freeFinder).register(freeHost);
                    RetrievalProvider freeProvider = RetrievalProvider.register(freeHost, store.blockSource(), freeFinder, pay, deals, 4);
                    PieceFinder paidFinder = new PieceFinder(store.directory(), new RetrievalAsks(paidAsk, Map.of()));
                    new QueryProtocol(paidFinder).register(paidHost);
                    RetrievalProvider paidProvider = RetrievalProvider.register(paidHost, store.blockSource(), paidFinder, pay, deals, 4);
                    PieceFinder flatFinder = new PieceFinder(store.directory(), new RetrievalAsks(flatAsk, Map.of()));
                    new QueryProtocol(flatFinder).register(flatHost);
                    RetrievalProvider flatProvider = RetrievalProvider.register(flatHost, store.blockSource(), flatFinder, pay, deals, 4);
                    Multiaddr flatAddr = flatHost.listenAddrs().get(0).withPeerId(flatHost.peerId());
                    Multiaddr freeAddr = freeHost.listenAddrs().get(0).withPeerId(freeHost.peerId());
                    Multiaddr paidAddr = paidHost.listenAddrs().get(0).withPeerId(paidHost.peerId());
                    RetrievalClient.Payment payment = new RetrievalClient.Payment(null, channel, wallet, wallet.defaultAddress(), cv);
                    byte[] chunk = new byte[64 * 1024];
                    new SplittableRandom(1).nextBytes(chunk);

                    Map<String, Case> all = new LinkedHashMap<>();
                    all.put("raw", () -> Libp2pThroughput.sendAndCount(Libp2pThroughput.sinkStream(sinkHost, sourceHost), size, chunk));
                    all.put("free", () -> retrieve(client, freeAddr, root, dir.resolve("free-out.car"), RetrievalClient.Payment.FREE_ONLY, size));
                    all.put("gateway", () -> gatewayCar(gateway.url(), root, size));
                    all.put("paid", () -> retrieve(client, paidAddr, root, dir.resolve("paid-out.car"), payment, size));
                    all.put("paid-flat", () -> retrieve(client, flatAddr, root, dir.resolve("paid-out.car"), payment, size));
                    Map<String, List<Sample>> samples = new LinkedHashMap<>();
                    // warm-up rounds (JIT) are printed but not counted, for every case alike
                    for (int r = 1 - WARMUP_ROUNDS; r <= rounds; r++) {
                        for (var e : all.entrySet()) {
                            if (cases.contains(e.getKey())) {
                                Sample s = measure(e.getValue());
                                if (r > 0) {
                                    samples.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(s);
                                }
                                System.out.printf("  %s %d  %-9s %8.1f MB/s   process CPU %5.2f s/GB%n", r > 0 ? "round " : "warm-up", r > 0 ? r : r + WARMUP_ROUNDS,
                                        e.getKey(), s.mbs(), s.cpu() / (size / 1e9));
                            }
                        }
                    }
                    freeProvider.close();
                    paidProvider.close();
                    flatProvider.close();
                    report(samples, intervalMib, size);
                }
            }
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void report(Map<String, List<Sample>> samples, int intervalMib, long size) {
        double raw = median(samples.get("raw"));
        double free = median(samples.get("free"));
        double gw = median(samples.get("gateway"));
        double paid = median(samples.get("paid"));
        double flat = median(samples.get("paid-flat"));
        System.out.printf("medians of %d rounds (load average now %.2f):%n", samples.values().iterator().next().size(), loadAverage());
        line("raw Noise+Yamux stream", samples.get("raw"), size, "");
        line("free retrieval", samples.get("free"), size, raw > 0 ? String.format("(%.2f x raw stream, %.2f x gateway)", free / raw, free / gw) : "");
        line("gateway ?format=car", samples.get("gateway"), size, "");
        line("paid, " + intervalMib + "+" + intervalMib + " MiB", samples.get("paid"), size, free > 0 ? String.format("(%.2f x free)", paid / free) : "");
        line("paid, flat " + intervalMib + " MiB", samples.get("paid-flat"), size, free > 0 ? String.format("(%.2f x free)", flat / free) : "");
    }

    private static void line(String name, List<Sample> s, long size, String ratio) {
        if (s == null) {
            return;
        }
        double cpu = s.stream().mapToDouble(Sample::cpu).sorted().toArray()[s.size() / 2];
        System.out.printf("%-24s %8.1f MB/s  %5.2f CPU s/GB  %s%n", name, median(s), cpu / (size / 1e9), ratio);
    }

    private static double median(List<Sample> s) {
        if (s == null || s.isEmpty()) {
            return Double.NaN;
        }
        double[] v = s.stream().mapToDouble(Sample::mbs).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static Sample measure(Case c) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        System.gc();
        Map<String, Long> threads0 = THREAD_CPU ? threadCpu() : Map.of();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long bytes = c.run();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (THREAD_CPU) {
            StringBuilder sb = new StringBuilder("    thread CPU s:");
            threadCpu().forEach((k, v) -> {
                double d = (v - threads0.getOrDefault(k, 0L)) / 1e9;
                if (d >= 0.01) {
                    sb.append(String.format(" %s=%.2f", k, d));
                }
            });
            System.out.println(sb);
        }
        return new Sample(bytes / 1e6 / secs, (os.getProcessCpuTime() - cpu0) / 1e9);
    }

    /** {@code -Dwarmup=N} (default 1): rounds run first and left out of the medians. */
    private static final int WARMUP_ROUNDS = Integer.getInteger("warmup", 1);

    /** {@code -Dthreads=true}: print each thread group's CPU seconds per case (profiling aid). */
    private static final boolean THREAD_CPU = Boolean.getBoolean("threads");

    /** CPU nanoseconds per thread-name group (digits stripped), of the threads alive now. */
    private static Map<String, Long> threadCpu() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new java.util.TreeMap<>();
        for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null) {
                long t = mx.getThreadCpuTime(info.getThreadId());
                if (t > 0) {
                    out.merge(info.getThreadName().replaceAll("\\d+", "N"), t, Long::sum);
                }
            }
        }
        return out;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static long retrieve(RetrievalClient client, Multiaddr addr, Cid root, Path out, RetrievalClient.Payment pay, long size) throws Exception {
        RetrievalClient.Result r;
        try (CarSpool spool = new CarSpool(out, root)) {
            r = client.retrieve(addr, root, spool, pay, Duration.ofMinutes(30));
        }
        Files.delete(out);
        return expect(r.bytes(), size);
    }

    /** GET /ipfs/ROOT?format=car, parsed as a CAR stream with every block's hash checked; the data bytes. */
    static long gatewayCar(String base, Cid root, long size) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create(base + "/ipfs/" + root + "?format=car").toURL().openConnection();
        c.setRequestProperty("Accept", "application/vnd.ipld.car");
        if (c.getResponseCode() != 200) {
            throw new IllegalStateException("gateway answered " + c.getResponseCode());
        }
        long bytes = 0;
        try (InputStream in = c.getInputStream(); CarReader r = CarReader.open(in)) {
            for (CarBlock b : r) {
                if (b.cid().codec() == venus.retrieval.ipld.Multicodec.RAW) {
                    bytes += b.data().length;
                }
            }
        }
        return expect(bytes, size);
    }

    private static long expect(long got, long size) {
        if (got < size) {
            throw new IllegalStateException("moved " + got + " bytes, expected at least " + size);
        }
        return got;
    }

    private static Cid buildCar(Path dir, Path car, long size) throws Exception {
        Cid root;
        // the root is unknown until built: blocks go to a CAR with a placeholder root, then are copied
        Path blocks = dir.resolve("blocks.car");
        try (OutputStream bs = new java.io.BufferedOutputStream(Files.newOutputStream(blocks), 1 << 20);
             CarWriter w = new CarWriter(bs, List.of(Cid.parse("bafkqaaa")))) {
            root = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, w).file(random(size)).cid();
        }
        copyBlocks(blocks, List.of(root), car);
        Files.delete(blocks);
        return root;
    }

    static Path sameBlocksOtherHeader(Path car, Cid root, Path out) throws Exception {
        return copyBlocks(car, List.of(root, root), out);
    }

    private static Path copyBlocks(Path from, List<Cid> roots, Path out) throws Exception {
        try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 20);
             CarWriter w = new CarWriter(os, roots);
             InputStream in = Files.newInputStream(from);
             CarReader r = CarReader.open(in)) {
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
                byte[] chunk = new byte[n];
                rnd.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, off, n);
                left -= n;
                return n;
            }
        };
    }
}
