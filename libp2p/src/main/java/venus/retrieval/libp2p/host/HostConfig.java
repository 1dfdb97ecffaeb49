package venus.retrieval.libp2p.host;

import java.time.Duration;
import venus.retrieval.libp2p.noise.NoiseTransportHandler;
import venus.retrieval.libp2p.yamux.YamuxConfig;
import venus.retrieval.libp2p.yamux.YamuxFrame;

/**
 * Limits and settings of a {@link Host}, validated once. The daemon maps the {@code libp2p.*}
 * config keys onto it.
 *
 * @param maxConnections           open connections (inbound + outbound); more inbound are closed at once
 * @param maxStreamsPerConnection  open streams per connection; more inbound are reset
 * @param handshakeTimeout         time from TCP connect to a ready Yamux session (multistream + Noise + Yamux)
 * @param maxPendingBytesPerStream unsent bytes per stream above which {@code Stream.isWritable()} turns false
 * @param maxReceiveWindow         largest Yamux receive window per stream (auto-tuned up from 256 KiB)
 * @param agentVersion             what identify tells peers
 * @param ioThreads                Netty event-loop threads (0 = two per core)
 */
public record HostConfig(int maxConnections, int maxStreamsPerConnection, Duration handshakeTimeout,
                         int maxPendingBytesPerStream, int maxReceiveWindow, String agentVersion, int ioThreads) {
    public HostConfig {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("libp2p.max-connections must be at least 1");
        }
        if (maxStreamsPerConnection < 1) {
            throw new IllegalArgumentException("libp2p.max-streams-per-connection must be at least 1");
        }
        if (handshakeTimeout == null || handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("libp2p.handshake-timeout must be positive");
        }
        if (maxPendingBytesPerStream < 1024) {
            throw new IllegalArgumentException("libp2p.max-pending-bytes-per-stream must be at least 1024");
        }
        if (maxReceiveWindow < YamuxConfig.DEFAULT_WINDOW) {
            throw new IllegalArgumentException("libp2p.max-receive-window must be at least 262144");
        }
        if (agentVersion == null || agentVersion.isBlank()) {
            throw new IllegalArgumentException("agent version must not be empty");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("libp2p.io-threads must not be negative");
        }
    }

    /** 512 connections, 1024 streams each, 10 s handshakes, 1 MiB pending per stream, 16 MiB windows. */
    public static HostConfig defaults() {
        return new HostConfig(512, 1024, Duration.ofSeconds(10), 1024 * 1024, 16 * 1024 * 1024, "vrn/0.1.0", 0);
    }

    /** A copy with another connection limit. */
    public HostConfig withMaxConnections(int n) {
        return new HostConfig(n, maxStreamsPerConnection, handshakeTimeout, maxPendingBytesPerStream, maxReceiveWindow, agentVersion, ioThreads);
    }

    /** A copy with another per-connection stream limit. */
    public HostConfig withMaxStreamsPerConnection(int n) {
        return new HostConfig(maxConnections, n, handshakeTimeout, maxPendingBytesPerStream, maxReceiveWindow, agentVersion, ioThreads);
    }

    /** A copy with another handshake timeout. */
    public HostConfig withHandshakeTimeout(Duration d) {
        return new HostConfig(maxConnections, maxStreamsPerConnection, d, maxPendingBytesPerStream, maxReceiveWindow, agentVersion, ioThreads);
    }

    /** A copy with another pending-bytes limit. */
    public HostConfig withMaxPendingBytesPerStream(int n) {
        return new HostConfig(maxConnections, maxStreamsPerConnection, handshakeTimeout, n, maxReceiveWindow, agentVersion, ioThreads);
    }

    /** A copy with another agent version. */
    public HostConfig withAgentVersion(String v) {
        return new HostConfig(maxConnections, maxStreamsPerConnection, handshakeTimeout, maxPendingBytesPerStream, maxReceiveWindow, v, ioThreads);
    }

    /**
     * Data frames of up to 16 Noise frames, each cut to whole Noise frames: js-yamux answers every
     * Data frame with a window update (a socket write and a Noise frame on the peer), so 64 KiB
     * frames cost a js client ~4,096 updates per 256 MiB, and a frame that overshoots a Noise
     * frame by its 12-byte header costs it a second decryption.
     */
    YamuxConfig yamux() {
        int noise = NoiseTransportHandler.MAX_PLAINTEXT;
        return new YamuxConfig(YamuxConfig.DEFAULT_WINDOW, maxReceiveWindow, maxStreamsPerConnection, maxPendingBytesPerStream,
                16 * noise - YamuxFrame.HEADER_LENGTH, noise);
    }
}
