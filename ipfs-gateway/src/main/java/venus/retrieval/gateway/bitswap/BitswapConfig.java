package venus.retrieval.gateway.bitswap;

/**
 * Limits of the Bitswap server, validated once.
 *
 * @param maxMessageBytes          largest message received or sent (without its length prefix)
 * @param maxWantlistEntries       wants kept per peer; more are ignored (not answered)
 * @param maxOutstandingBytesPerPeer block bytes one scheduling round packs for a peer (a message
 *                                 holds at least one block); the stream's high-water mark then
 *                                 bounds what waits unsent, so a peer that does not read holds at
 *                                 most about this plus the stream's buffer
 * @param workers                  threads that look blocks up and build messages
 */
public record BitswapConfig(int maxMessageBytes, int maxWantlistEntries, int maxOutstandingBytesPerPeer, int workers) {
    /** Wants answered with the block itself instead of HAVE when the block is at most this big (boxo's value). */
    public static final int WANT_HAVE_REPLACE_SIZE = 1024;

    public BitswapConfig {
        if (maxMessageBytes < 64 * 1024 || maxMessageBytes > 64 << 20) {
            throw new IllegalArgumentException("bitswap max message size must be 64 KiB..64 MiB, got " + maxMessageBytes);
        }
        if (maxWantlistEntries < 1) {
            throw new IllegalArgumentException("bitswap max wantlist entries must be at least 1");
        }
        if (maxOutstandingBytesPerPeer < 1024) {
            throw new IllegalArgumentException("bitswap outstanding bytes per peer must be at least 1 KiB");
        }
        if (workers < 1 || workers > 256) {
            throw new IllegalArgumentException("bitswap workers must be 1..256, got " + workers);
        }
    }

    /** 4 MiB messages, 8,192 wants per peer, 1 MiB per round, 4 workers. */
    public static BitswapConfig defaults() {
        return new BitswapConfig(BitswapCodec.DEFAULT_MAX_MESSAGE, 8192, 1 << 20, 4);
    }

    public BitswapConfig withWorkers(int n) {
        return new BitswapConfig(maxMessageBytes, maxWantlistEntries, maxOutstandingBytesPerPeer, n);
    }

    public BitswapConfig withMaxWantlistEntries(int n) {
        return new BitswapConfig(maxMessageBytes, n, maxOutstandingBytesPerPeer, workers);
    }

    public BitswapConfig withMaxOutstandingBytesPerPeer(int n) {
        return new BitswapConfig(maxMessageBytes, maxWantlistEntries, n, workers);
    }
}
