package venus.retrieval.libp2p.yamux;

/**
 * Yamux session settings.
 *
 * @param initialWindow receive window each stream starts with (the spec's 256 KiB)
 * @param maxWindow     largest receive window auto-tuning may grow to
 * @param maxStreams    open streams per session (inbound beyond it are reset)
 * @param maxPendingBytes unsent bytes per stream above which it stops being writable
 * @param maxDataFrame  largest Data frame payload we send (queued writes are gathered up to it,
 *                      within the peer's window)
 * @param frameAlign    when &gt; 0, a Data frame bigger than this is cut so that header + payload
 *                      is a multiple of it (the encryption layer's frame size: no short tail frame
 *                      per Data frame); 0 = no alignment
 */
public record YamuxConfig(int initialWindow, int maxWindow, int maxStreams, int maxPendingBytes, int maxDataFrame, int frameAlign) {
    /** The spec's initial window. */
    public static final int DEFAULT_WINDOW = 256 * 1024;

    public YamuxConfig {
        if (initialWindow < DEFAULT_WINDOW) {
            throw new IllegalArgumentException("initial window must be at least 256 KiB (the peer assumes it)");
        }
        if (maxWindow < initialWindow || maxStreams < 1 || maxPendingBytes < 1 || maxDataFrame < 1024 || frameAlign < 0) {
            throw new IllegalArgumentException("bad Yamux limits");
        }
    }

    /** Without frame alignment. */
    public YamuxConfig(int initialWindow, int maxWindow, int maxStreams, int maxPendingBytes, int maxDataFrame) {
        this(initialWindow, maxWindow, maxStreams, maxPendingBytes, maxDataFrame, 0);
    }

    /** 256 KiB window auto-tuned up to 16 MiB, 1024 streams, 1 MiB pending, 1 MiB frames, no alignment. */
    public static YamuxConfig defaults() {
        return new YamuxConfig(DEFAULT_WINDOW, 16 * 1024 * 1024, 1024, 1024 * 1024, 1024 * 1024, 0);
    }
}
