package venus.retrieval.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.blockstore.ImportOptions;
import venus.retrieval.blockstore.ImportProgress;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.ipld.car.CarBlock;
import venus.retrieval.ipld.car.CarReader;
import venus.retrieval.ipld.testing.Vectors;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.node.repo.RepoInit;

/** {@code blockstore.verify_reads} decides whether the daemon's piece store re-hashes piece-file reads. */
class DaemonVerifyReadsTest {
    private static final List<String> PORT0 = List.of("api.listen=127.0.0.1:0", "gateway.listen=127.0.0.1:0",
            "libp2p.listen=/ip4/127.0.0.1/tcp/0", "daemon.shutdown_grace=1s");

    @TempDir
    Path tmp;
    Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.stop();
        }
    }

    @Test
    void optionsFollowTheConfig() {
        PieceStore.Options byDefault = Daemon.pieceStoreOptions(NodeConfig.defaults());
        assertThat(byDefault.verifyFileReads()).isFalse();
        assertThat(byDefault.cacheBytes()).isEqualTo(256L << 20);
        PieceStore.Options on = Daemon.pieceStoreOptions(NodeConfig.load(null, Map.of("VRN_BLOCKSTORE_VERIFY_READS", "true"),
                List.of("blockstore.cache_bytes=1MiB")));
        assertThat(on.verifyFileReads()).isTrue();
        assertThat(on.cacheBytes()).isEqualTo(1L << 20);
        assertThat(on.lmdb().readOnly()).isFalse();
    }

    private Daemon start(Repo repo, List<String> extra) {
        List<String> sets = new java.util.ArrayList<>(PORT0);
        sets.addAll(extra);
        return Daemon.start(repo, NodeConfig.load(repo.configFile(), Map.of(), sets));
    }

    /** Imports an in-place copy of a vector CAR, then flips one byte inside one of its blocks. */
    private CarBlock importThenCorrupt(PieceStore store) throws Exception {
        Path car = Files.copy(Vectors.file("unixfs/file-1048577-unixfs-v1-2025.car"), tmp.resolve("piece.car"));
        PieceInfo p = store.importPiece(car, ImportOptions.defaults(), ImportProgress.NONE).piece();
        assertThat(store.verify(p.pieceCid()).ok()).isTrue();
        CarBlock victim;
        try (CarReader r = CarReader.open(car)) {
            r.next();
            victim = r.next();
        }
        byte[] bytes = Files.readAllBytes(car);
        bytes[(int) victim.dataOffset() + victim.dataLength() / 2] ^= 0x40;
        Files.write(car, bytes);
        assertThat(store.verify(p.pieceCid()).ok()).isFalse();
        return victim;
    }

    @Test
    void withTheKeyOnTheDaemonRefusesAChangedPieceFile() throws Exception {
        Repo repo = RepoInit.init(tmp.resolve("repo")).repo();
        daemon = start(repo, List.of("blockstore.verify_reads=true"));
        PieceStore store = daemon.context().store();
        assertThat(store.options().verifyFileReads()).isTrue();
        CarBlock victim = importThenCorrupt(store);
        assertThat(store.blockSource().get(victim.cid())).isNull();
        assertThat(store.fileReadMismatches()).isEqualTo(1);
        assertThat(daemon.context().metrics().registry().get("vrn.blocks.read_mismatches").functionCounter().count()).isEqualTo(1.0);
    }

    @Test
    void byDefaultTheDaemonServesPieceFileBytesUnchecked() throws Exception {
        Repo repo = RepoInit.init(tmp.resolve("repo")).repo();
        daemon = start(repo, List.of());
        PieceStore store = daemon.context().store();
        assertThat(store.options().verifyFileReads()).isFalse();
        CarBlock victim = importThenCorrupt(store);
        byte[] served = store.blockSource().get(victim.cid());
        assertThat(served).isNotNull().isNotEqualTo(victim.data());
        assertThat(victim.cid().multihash().matches(served)).isFalse(); // what the client's check sees
        assertThat(store.fileReadMismatches()).isZero();
    }
}
