package venus.retrieval.bench;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.blockstore.commp.CommPHasher;
import venus.retrieval.ipld.car.CarReader;

/**
 * In-process piece import figures (no JVM start-up in the timings), each case interleaved with the
 * others so that load changes hit them alike:
 * {@code java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
 * -cp benchmarks/target/benchmarks.jar venus.retrieval.bench.ImportBench CAR [ROUNDS] [WORKDIR]}.
 * Prints the median wall time, rate and process CPU time of: JDK SHA-256 of the file (1 MiB
 * reads), a bare {@link CarReader} pass (parse and verify every block), standalone two-thread
 * CommP, index-only import and import with CommP.
 */
public final class ImportBench {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ImportBench() {}

    public static void main(String[] args) throws Exception {
        Path car = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("import-bench");
        long size = Files.size(car);
        String[] names = {"sha256 (JDK, 1 MiB reads)", "car read + verify (CarReader)", "commp standalone (2 threads)",
            "import --skip-commp", "import with commp"};
        double[][] secs = new double[names.length][rounds];
        double[][] cpu = new double[names.length][rounds];
        String cid = CommPHasher.compute(car, 2).cidV1().toString();
        for (int r = 0; r < rounds; r++) {
            Task[] tasks = {
                () -> sha256(car),
                () -> {
                    try (CarReader reader = CarReader.open(car)) {
                        reader.skipAll();
                    }
                },
                () -> CommPHasher.compute(car, 2),
                () -> importOnce(car, work.resolve("repo"), ImportOptions.defaults().withPieceCid(cid).withSkipCommP(true)),
                () -> importOnce(car, work.resolve("repo"), ImportOptions.defaults()),
            };
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < tasks.length; i++) {
                long c0 = OS.getProcessCpuTime();
                secs[i][r] = time(tasks[i]);
                cpu[i][r] = (OS.getProcessCpuTime() - c0) / 1e9;
                line.append(String.format(" %.2f/%.2f", secs[i][r], cpu[i][r]));
            }
            System.out.printf("round %d (wall/cpu s):%s (load %s)%n", r + 1, line, load());
        }
        double mib = size / 1048576.0;
        for (int i = 0; i < names.length; i++) {
            double[] s = secs[i].clone();
            Arrays.sort(s);
            double med = s[rounds / 2];
            double[] c = cpu[i].clone();
            Arrays.sort(c);
            System.out.printf("%-30s median %.2f s  %.0f MiB/s  cpu %.2f s%n", names[i], med, mib / med, c[rounds / 2]);
        }
    }

    interface Task {
        void run() throws Exception;
    }

    private static double time(Task t) throws Exception {
        long s = System.nanoTime();
        t.run();
        return (System.nanoTime() - s) / 1e9;
    }

    private static String load() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    private static void sha256(Path car) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (FileChannel ch = FileChannel.open(car, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf.clear()) >= 0) {
                md.update(buf.flip());
            }
        }
        md.digest();
    }

    private static void importOnce(Path car, Path repo, ImportOptions o) throws Exception {
        deleteTree(repo);
        try (PieceStore store = PieceStore.open(repo.resolve("lmdb"), repo.resolve("pieces"), PieceStore.Options.defaults())) {
            store.importPiece(car, o, (done, total) -> { });
        }
        deleteTree(repo);
    }

    private static void deleteTree(Path p) throws Exception {
        if (Files.exists(p)) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
    }
}
