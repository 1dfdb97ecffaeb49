package venus.retrieval.bench;

import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportProgress;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.gateway.FreePaymentGate;
import venus.retrieval.gateway.GatewayConfig;
import venus.retrieval.gateway.GatewayServer;
import venus.retrieval.gateway.IpldGatewayBackend;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.BlockSink;
import venus.retrieval.ipld.car.CarWriter;
import venus.retrieval.ipld.unixfs.UnixFsBuilder;
import venus.retrieval.ipld.unixfs.UnixFsProfile;

/**
 * The gateway side of {@code benchmarks/gateway-vs-nginx.sh}: makes the same bytes available to
 * the gateway (imported as pieces, served from the piece files) and to nginx (static files under
 * {@code WORK/www}), starts the gateway on {@code PORT} and prints one {@code READY} line with the
 * CIDs to request. Runs until stdin closes.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar venus.retrieval.bench.GatewayBenchServer WORK PORT FILE_MIB}
 */
public final class GatewayBenchServer {
    private GatewayBenchServer() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        long fileBytes = Long.parseLong(args[2]) << 20;
        Path www = work.resolve("www");
        Files.createDirectories(www.resolve("b1k"));
        Files.createDirectories(www.resolve("b256k"));

        // One large file: static copy for nginx, UnixFS (1 MiB raw leaves) CAR for the gateway.
        Path file = www.resolve("file.bin");
        if (!Files.exists(file) || Files.size(file) != fileBytes) {
            SplittableRandom rnd = new SplittableRandom(1);
            byte[] buf = new byte[1 << 20];
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
                for (long n = 0; n < fileBytes; n += buf.length) {
                    rnd.nextBytes(buf);
                    out.write(buf, 0, (int) Math.min(buf.length, fileBytes - n));
                }
            }
        }
        Cid fileRoot;
        try (InputStream in = Files.newInputStream(file)) {
            fileRoot = new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, (c, d) -> { }).file(in).cid();
        }
        Path fileCar = work.resolve("file.car");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(fileCar), 1 << 20); InputStream in = Files.newInputStream(file)) {
            CarWriter w = new CarWriter(out, List.of(fileRoot));
            new UnixFsBuilder(UnixFsProfile.UNIXFS_V1_2025, w).file(in);
            w.flush();
        }

        // Raw blocks of 1 KiB and 256 KiB: one CAR each for the gateway, one file per block for nginx.
        List<Cid> small = blocks(work.resolve("b1k.car"), www.resolve("b1k"), 1000, 1024, 2);
        List<Cid> large = blocks(work.resolve("b256k.car"), www.resolve("b256k"), 100, 256 * 1024, 3);

        PieceStore store = PieceStore.open(work.resolve("lmdb"), work.resolve("pieces"), PieceStore.Options.defaults());
        for (Path car : List.of(fileCar, work.resolve("b1k.car"), work.resolve("b256k.car"))) {
            store.importPiece(car, ImportOptions.defaults(), ImportProgress.NONE);
        }
        GatewayServer server = GatewayServer.forBackend(GatewayConfig.defaults().withListen("127.0.0.1", port).withMaxConcurrentRequests(1024),
                IpldGatewayBackend.over(store.blockSource(), store.directory()), FreePaymentGate.INSTANCE).start();
        System.out.println("READY " + server.url() + " " + fileRoot + " " + small.get(0) + " " + large.get(0));
        System.out.flush();
        System.in.read(); // until the script closes our stdin or kills us
        server.close();
        store.close();
    }

    private static List<Cid> blocks(Path car, Path dir, int count, int size, long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Cid> cids = new ArrayList<>();
        byte[] data = new byte[size];
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rnd.nextBytes(data);
            cids.add(Cid.of(Multicodec.RAW, data));
            all.add(data.clone());
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(car), 1 << 20)) {
            BlockSink w = new CarWriter(out, List.of(cids.get(0)));
            for (int i = 0; i < count; i++) {
                w.put(cids.get(i), all.get(i));
                Files.write(dir.resolve(cids.get(i).toString()), all.get(i));
            }
            ((CarWriter) w).flush();
        }
        return cids;
    }
}
