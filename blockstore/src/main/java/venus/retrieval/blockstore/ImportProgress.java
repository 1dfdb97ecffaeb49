package venus.retrieval.blockstore;

/** Receives an import's progress from the importing thread (keep it cheap). */
@FunctionalInterface
public interface ImportProgress {
    /** No reporting. */
    ImportProgress NONE = (done, total) -> {};

    /** {@code done} of {@code total} file bytes have been read. */
    void progress(long done, long total);
}
