package venus.retrieval.node.cli;

import java.nio.file.Files;
import venus.retrieval.blockstore.PieceStore;
import venus.retrieval.node.repo.Repo;

/**
 * The repository's piece store for one CLI command: a writer holds the repository's writer lock
 * (a second writer process gets a clear error); a reader takes no lock and opens LMDB read-only,
 * so it works beside a running daemon or import.
 */
final class RepoPieceStore implements AutoCloseable {
    private final Repo.WriteLock lock;
    private final PieceStore store;

    private RepoPieceStore(Repo.WriteLock lock, PieceStore store) {
        this.lock = lock;
        this.store = store;
    }

    /** Opens for writing: the repo must exist; takes its writer lock. */
    static RepoPieceStore writer(RepoOption option) {
        Repo repo = Repo.open(option.path());
        Repo.WriteLock lock = repo.lockForWrite();
        try {
            return new RepoPieceStore(lock, PieceStore.open(repo.lmdb(), repo.pieces(), PieceStore.Options.defaults()));
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
        Repo repo = Repo.open(option.path());
        if (!Files.isRegularFile(repo.lmdb().resolve("data.mdb"))) {
            return null;
        }
        return new RepoPieceStore(null, PieceStore.open(repo.lmdb(), repo.pieces(),
                PieceStore.Options.defaults().withReadOnly(true).withCacheBytes(0)));
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
