package venus.retrieval.node.cli;

import java.nio.file.Files;
import java.util.List;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.blockstore.PieceState;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.repo.Repo;

/**
 * The repository's piece store for one CLI command: a writer holds the repository's writer lock
 * (a second writer process gets a clear error); a reader takes no lock and opens LMDB read-only,
 * so it works beside a running daemon or import.
 */
final class RepoPieceStore implements AutoCloseable {
    private final Repo.WriteLock lock;
    private final PieceStore store;
    private final boolean noWriter;

    private RepoPieceStore(Repo.WriteLock lock, PieceStore store, boolean noWriter) {
        this.lock = lock;
        this.store = store;
        this.noWriter = noWriter;
    }

    /** Opens for writing: the repo must exist; takes its writer lock. */
    static RepoPieceStore writer(RepoOption option) {
        Repo repo = Repo.open(option.path());
        Repo.WriteLock lock = repo.lockForWrite();
        try {
            return new RepoPieceStore(lock, PieceStore.open(repo.lmdb(), repo.pieces(), PieceStore.Options.defaults()), false);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Opens read-only, or returns null when the repository has no piece store yet (nothing was
     * ever imported and no daemon has run).
     */
    static RepoPieceStore reader(RepoOption option) {
        return reader(option, false);
    }

    /**
     * As {@link #reader(RepoOption)}; with {@code servesBlocks} (a command that writes block bytes)
     * the repository's config ({@code config.toml} and {@code VRN_*}, as the daemon reads them)
     * decides whether piece-file reads are re-hashed ({@code blockstore.verify_reads}).
     */
    static RepoPieceStore reader(RepoOption option, boolean servesBlocks) {
        Repo repo = Repo.open(option.path());
        if (!Files.isRegularFile(repo.lmdb().resolve("data.mdb"))) {
            return null;
        }
        boolean verify = servesBlocks && NodeConfig.load(Files.isRegularFile(repo.configFile()) ? repo.configFile() : null,
                System.getenv(), List.of()).get(ConfigKeys.BLOCKSTORE_VERIFY_READS);
        boolean noWriter = !repo.writerMayBeRunning();
        return new RepoPieceStore(null, PieceStore.open(repo.lmdb(), repo.pieces(),
                PieceStore.Options.defaults().withReadOnly(true).withCacheBytes(0).withVerifyFileReads(verify)), noWriter);
    }

    /**
     * A record as the operator should see it: an import still {@code indexing} while no writer
     * process runs was interrupted by a crash (the next writer open marks it failed,
     * "interrupted", and removes its entries), so a reader shows it that way already.
     */
    PieceInfo shown(PieceInfo p) {
        if (noWriter && p.state() == PieceState.INDEXING) {
            return p.withState(PieceState.FAILED, "interrupted", p.updatedAt());
        }
        return p;
    }

    PieceStore store() {
        return store;
    }

    @Override
    public void close() {
        try {
            store.close();
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }
}
