package venus.retrieval.libp2p.yamux;

/**
 * Yamux session settings.
 *
 * @param initialWindow receive window each stream starts with (the spec's 256 KiB)
 * @param maxWindow     largest receive window auto-tuning may grow to
 * @param maxStreams    open streams per session (inbound beyond it are reset)
 * @param maxPendingBytes unsent bytes per stream above which it stops being writable
 * @param maxDataFrame  largest Data frame we send (js-libp2p and go use 64 KiB)
 */
public record YamuxConfig(int initialWindow, int maxWindow, int maxStreams, int maxPendingBytes, int maxDataFrame) {
    /** The spec's initial window. */
    public static final int DEFAULT_WINDOW = 256 * 1024;

    public YamuxConfig {
        if (initialWindow < DEFAULT_WINDOW) {
            throw new IllegalArgumentException("initial window must be at least 256 KiB (the peer assumes it)");
        }
        if (maxWindow < initialWindow || maxStreams < 1 || maxPendingBytes < 1 || maxDataFrame < 1024) {
            throw new IllegalArgumentException("bad Yamux limits");
        }
    }

    /** 256 KiB window auto-tuned up to 16 MiB, 1024 streams, 1 MiB pending, 64 KiB frames. */
    public static YamuxConfig defaults() {
        return new YamuxConfig(DEFAULT_WINDOW, 16 * 1024 * 1024, 1024, 1024 * 1024, 64 * 1024);
    }
}
