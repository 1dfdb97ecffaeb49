package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.blockstore.PieceState;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarWriter;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.node.repo.Repo;

/**
 * Crash safety: a real {@code vrn piece add} process on a large CAR is killed with SIGKILL at
 * random moments; after each kill the repository opens, LMDB reads end to end, and the piece is
 * either absent or not ready (and then serves nothing) — or ready with every block; once the repo
 * is opened for writing, a killed import is failed ("interrupted") with no entries left, and
 * {@code piece ls} shows no import in progress. A final import succeeds and cleans the leftovers.
 */
class PieceCrashIT {
    static final int BLOCK = 4096;
    static final int BLOCKS = 32 * 1024; // 128 MiB of block data, 8 batches of index entries
    static final int TRIALS = 10;

    @Test
    void killedImportsLeaveTheRepoConsistent() throws Exception {
        Path work = Vectors.root().resolve("retrieval-node/target/piece-crash-it");
        deleteTree(work);
        Files.createDirectories(work);
        Path car = work.resolve("big.car");
        List<Cid> cids = writeCar(car);
        Path repo = work.resolve("repo");
        assertThat(vrn("init", "--repo", repo.toString()).waitFor(120, TimeUnit.SECONDS)).isTrue();

        Path small = Vectors.file("car/mixed-two-roots.car");

        // One full import to learn how long it takes on this machine.
        long t0 = System.nanoTime();
        Process full = vrn("piece", "add", car.toString(), "--repo", repo.toString());
        assertThat(full.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(full.exitValue()).as(stderr(full)).isZero();
        long fullMillis = (System.nanoTime() - t0) / 1_000_000;
        assertConsistent(repo, cids, true);
        removeAll(repo);

        Random rnd = new Random(20261127L);
        int killedBeforeReady = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            boolean cache = trial % 3 == 2;
            List<String> args = new ArrayList<>(List.of("piece", "add", car.toString(), "--repo", repo.toString()));
            if (cache) {
                args.add("--cache");
            }
            Process p = vrn(args.toArray(String[]::new));
            long delay = 150 + (long) (rnd.nextDouble() * fullMillis * 0.9);
            boolean exited = p.waitFor(delay, TimeUnit.MILLISECONDS);
            if (!exited) {
                p.destroyForcibly(); // SIGKILL
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            if (!exited && trial < 2) {
                // The operator's view right after the crash, before any writer opened the repo: a
                // read-only `piece ls` sees no live writer, so it shows no phantom import in progress.
                Process ls = vrnCapture("piece", "ls", "--json", "--repo", repo.toString());
                String listing = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(ls.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(ls.exitValue()).as(stderr(ls)).isZero();
                assertThat(listing).doesNotContain("indexing");
                System.out.println("piece ls after the kill: " + listing.strip());
            }
            boolean ready = assertConsistent(repo, cids, false);
            long leftover;
            try (PieceStore s = open(repo)) {
                leftover = s.indexEntries();
                // Opened for writing: what the killed import left is failed ("interrupted") with no entries.
                assertThat(s.directory().pieces()).noneMatch(p2 -> p2.state() == PieceState.INDEXING);
                if (!ready) {
                    assertThat(leftover).isZero();
                    assertThat(s.directory().pieces()).allMatch(p2 -> p2.state() == PieceState.FAILED
                            && "interrupted".equals(p2.error()));
                }
            }
            System.out.printf("trial %d%s: %s after %d ms, %s, %d index entries%n", trial, cache ? " (--cache)" : "",
                    exited ? "exited" : "killed", delay, ready ? "ready" : "not ready", leftover);
            if (!ready) {
                killedBeforeReady++;
            } else {
                removeAll(repo);
            }
        }
        System.out.printf("%d of %d kills landed before the piece was ready (full import: %d ms)%n", killedBeforeReady, TRIALS, fullMillis);

        // Re-import after the last kill: leftovers are cleaned and the piece is ready and complete.
        // Meanwhile, read-only commands work beside the writer process and a second writer is refused.
        Process first = vrn("piece", "add", small.toString(), "--repo", repo.toString());
        assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
        Process last = vrn("piece", "add", car.toString(), "--repo", repo.toString());
        String rawCid = "bafkreibqdllqd53acoq7dehjzhljkus2zcfplkqj7rcmmat2vrqh6wv3nu";
        Process get = vrnCapture("block", "get", rawCid, "--repo", repo.toString());
        byte[] got = get.getInputStream().readAllBytes();
        assertThat(get.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(get.exitValue()).as(stderr(get)).isZero();
        assertThat(Cid.parse(rawCid).multihash().matches(got)).isTrue();
        Process ls = vrnCapture("piece", "ls", "--repo", repo.toString());
        String listing = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ls.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(ls.exitValue()).isZero();
        assertThat(listing).contains("ready");
        Process second = vrn("piece", "add", small.toString(), "--repo", repo.toString());
        assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
        if (last.isAlive()) {
            // The big import still holds the writer lock, so the second writer was refused.
            assertThat(second.exitValue()).isEqualTo(1);
            assertThat(stderr(second)).contains("in use");
        }
        assertThat(last.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).as(stderr(last)).isZero();
        assertThat(assertConsistent(repo, cids, true)).isTrue();
        Path realCar = car.toRealPath();
        try (PieceStore s = open(repo)) {
            List<PieceInfo> pieces = s.directory().pieces();
            assertThat(pieces.stream().filter(PieceInfo::isReady)).hasSize(2); // the big piece and the small one
            assertThat(pieces.stream().filter(p -> p.state() == PieceState.INDEXING && realCar.equals(p.file()))).isEmpty();
        }
        deleteTree(work);
    }

    static PieceStore open(Path repo) {
        Repo r = Repo.open(repo);
        return PieceStore.open(r.lmdb(), r.pieces(), PieceStore.Options.defaults().withCacheBytes(0));
    }

    /** Checks the repo after a kill; returns whether the piece is ready. */
    static boolean assertConsistent(Path repo, List<Cid> cids, boolean mustBeReady) throws Exception {
        try (PieceStore s = open(repo)) {
            // LMDB reads end to end: every database, every record.
            List<PieceInfo> pieces = s.directory().pieces();
            AtomicLong keys = new AtomicLong();
            s.blockstore().forEachKey(k -> keys.incrementAndGet() >= 0);
            long entries = s.indexEntries();
            List<PieceInfo> ready = pieces.stream().filter(p -> p.isReady() && p.roots().contains(cids.get(0))).toList();
            assertThat(ready).hasSizeLessThanOrEqualTo(1);
            if (mustBeReady) {
                assertThat(ready).hasSize(1);
            }
            if (ready.isEmpty()) {
                // Not ready: nothing is served, whatever the interrupted import wrote.
                for (int i = 0; i < cids.size(); i += 997) {
                    assertThat(s.directory().locations(cids.get(i).multihash())).isEmpty();
                }
                return false;
            }
            PieceInfo p = ready.get(0);
            assertThat(p.blockCount()).isEqualTo(cids.size());
            AtomicLong indexed = new AtomicLong();
            s.directory().forEachBlock(p.id(), (mh, off, len) -> indexed.incrementAndGet() >= 0);
            assertThat(indexed.get()).isEqualTo(cids.size());
            assertThat(entries).isGreaterThanOrEqualTo(cids.size());
            for (Cid c : cids) {
                byte[] data = s.blockSource().get(c);
                assertThat(data).as("block %s of a ready piece", c).isNotNull();
                assertThat(c.multihash().matches(data)).isTrue();
            }
            return true;
        }
    }

    static void removeAll(Path repo) {
        try (PieceStore s = open(repo)) {
            for (PieceInfo p : s.directory().pieces()) {
                s.remove(p.id());
            }
            assertThat(s.indexEntries()).isZero();
            assertThat(s.blockstore().count()).isZero();
        }
    }

    static List<Cid> writeCar(Path file) throws Exception {
        List<Cid> cids = new ArrayList<>(BLOCKS);
        byte[] data = new byte[BLOCK];
        int x = 0x2545F491;
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            CarWriter w = null;
            for (int i = 0; i < BLOCKS; i++) {
                for (int j = 0; j < BLOCK; j += 4) {
                    x ^= x << 13;
                    x ^= x >>> 17;
                    x ^= x << 5;
                    data[j] = (byte) x;
                    data[j + 1] = (byte) (x >>> 8);
                    data[j + 2] = (byte) (x >>> 16);
                    data[j + 3] = (byte) (x >>> 24);
                }
                Cid cid = Cid.of(Multicodec.RAW, data);
                if (w == null) {
                    w = new CarWriter(os, List.of(cid));
                }
                w.put(cid, data);
                cids.add(cid);
            }
            w.flush();
        }
        return cids;
    }

    static Process vrn(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Vectors.root().resolve("bin/vrn").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    static Process vrnCapture(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Vectors.root().resolve("bin/vrn").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    static String stderr(Process p) throws Exception {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
