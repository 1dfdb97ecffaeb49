package venus.retrieval.node.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key the node accepts, declared once, one line each. {@code config.toml}
 * written by {@code vrn init}, {@code docs/config.md} and validation all come from this list.
 *
 * <p>To add a key: add one {@code public static final} line below (keep the group of your part),
 * then regenerate the docs (see {@code docs/config.md}; a test fails while they differ).
 */
public final class ConfigKeys {
    private static final List<ConfigKey<?>> REGISTRY = new ArrayList<>();

    // ---- node ----
    public static final ConfigKey<String> NETWORK = add(ConfigKey.choice("network", "mainnet", "Filecoin network: sets address prefixes (f/t), defaults and the chain endpoint.", "mainnet", "calibnet", "devnet"));
    public static final ConfigKey<String> LOG_LEVEL = add(ConfigKey.choice("log.level", "info", "Log level of the daemon (stderr).", "error", "warn", "info", "debug", "trace"));

    // ---- daemon ----
    public static final ConfigKey<Duration> DAEMON_SHUTDOWN_GRACE = add(ConfigKey.duration("daemon.shutdown_grace", "5s", "On SIGTERM, how long in-flight work may finish before it is cut (the daemon exits within 10s whatever this says)."));

    // ---- admin API ----
    public static final ConfigKey<HostPort> API_LISTEN = add(ConfigKey.hostPort("api.listen", "127.0.0.1:5780", "Admin JSON-RPC API and Prometheus metrics (API/rpc/v0, API/metrics); port 0 = any free port."));

    // ---- HTTP gateway ----
    public static final ConfigKey<HostPort> GATEWAY_LISTEN = add(ConfigKey.hostPort("gateway.listen", "127.0.0.1:8080", "HTTP gateway (trustless, path, /piece/); port 0 = any free port."));
    public static final ConfigKey<Long> GATEWAY_MAX_CONCURRENT_REQUESTS = add(ConfigKey.integer("gateway.max_concurrent_requests", 256, 1, 1_000_000, "Requests served at once (all connections and HTTP/2 streams); more are answered 503 with Retry-After."));
    public static final ConfigKey<Long> GATEWAY_MAX_HEADER_BYTES = add(ConfigKey.bytes("gateway.max_header_bytes", "16KiB", 1024, "Largest request header section (HTTP/1.1) or header list (HTTP/2); larger is answered 431."));
    public static final ConfigKey<Duration> GATEWAY_REQUEST_TIMEOUT = add(ConfigKey.positiveDuration("gateway.request_timeout", "60s", "Longest a request may go without progress (to the first byte: 504; between body writes: connection closed)."));
    public static final ConfigKey<Duration> GATEWAY_IDLE_TIMEOUT = add(ConfigKey.positiveDuration("gateway.idle_timeout", "120s", "A connection with no request in flight and no traffic for this long is closed."));
    public static final ConfigKey<Long> GATEWAY_MAX_HTTP2_STREAMS = add(ConfigKey.integer("gateway.max_http2_streams", 128, 1, 100_000, "Concurrent streams one HTTP/2 connection may open (SETTINGS_MAX_CONCURRENT_STREAMS)."));
    public static final ConfigKey<String> GATEWAY_TLS_CERT = add(ConfigKey.string("gateway.tls_cert", "", "PEM certificate chain; with gateway.tls_key the gateway speaks TLS (h2 and http/1.1 by ALPN). Empty = cleartext HTTP/1.1 and h2c."));
    public static final ConfigKey<String> GATEWAY_TLS_KEY = add(ConfigKey.string("gateway.tls_key", "", "PEM PKCS#8 private key of gateway.tls_cert (relative paths are from the repository)."));

    // ---- libp2p ----
    public static final ConfigKey<List<String>> LIBP2P_LISTEN = add(ConfigKey.multiaddrs("libp2p.listen", "/ip4/0.0.0.0/tcp/24001", "libp2p TCP listen multiaddrs, comma-separated; tcp/0 = any free port."));
    public static final ConfigKey<Long> LIBP2P_MAX_CONNECTIONS = add(ConfigKey.integer("libp2p.max_connections", 512, 1, 1_000_000, "Open libp2p connections (inbound + outbound); more inbound are closed at once."));
    public static final ConfigKey<Long> LIBP2P_MAX_STREAMS_PER_CONNECTION = add(ConfigKey.integer("libp2p.max_streams_per_connection", 1024, 1, 1_000_000, "Open streams per libp2p connection; more inbound are reset."));
    public static final ConfigKey<Duration> LIBP2P_HANDSHAKE_TIMEOUT = add(ConfigKey.positiveDuration("libp2p.handshake_timeout", "10s", "Time from TCP connect to a ready libp2p session (multistream + Noise + Yamux)."));

    // ---- Bitswap and delegated routing (docs/bitswap.md) ----
    public static final ConfigKey<Boolean> BITSWAP_ENABLED = add(ConfigKey.bool("bitswap.enabled", true, "Serve blocks over Bitswap 1.2.0/1.1.0/1.0.0 on the libp2p host."));
    public static final ConfigKey<String> BITSWAP_SERVE = add(ConfigKey.choice("bitswap.serve", "all", "Which blocks Bitswap and delegated routing offer: every block held (all) or only blocks of pieces marked public (public); others are answered DONT_HAVE.", "all", "public"));
    public static final ConfigKey<String> BITSWAP_ALLOW_PEERS = add(ConfigKey.string("bitswap.allow_peers", "", "Comma-separated peer IDs served over Bitswap; empty = every peer. Other peers get DONT_HAVE."));
    public static final ConfigKey<Long> BITSWAP_RATE_LIMIT = add(ConfigKey.bytes("bitswap.rate_limit", "0", 0, "Block bytes per second sent to one peer (e.g. 10MiB); 0 = unlimited."));
    public static final ConfigKey<Long> BITSWAP_MAX_WANTLIST_ENTRIES = add(ConfigKey.integer("bitswap.max_wantlist_entries", 8192, 1, 1_000_000, "Wants kept per peer; further wants are ignored until earlier ones are answered."));
    public static final ConfigKey<Long> BITSWAP_MAX_MESSAGE_BYTES = add(ConfigKey.bytes("bitswap.max_message_bytes", "4MiB", 65536, "Largest Bitswap message received or sent (the spec's 4 MiB); longer inbound messages reset their stream."));
    public static final ConfigKey<Long> BITSWAP_MAX_OUTSTANDING_BYTES_PER_PEER = add(ConfigKey.bytes("bitswap.max_outstanding_bytes_per_peer", "1MiB", 1024, "Block bytes packed for one peer per scheduling round before the next peer's turn (fairness vs per-peer throughput)."));
    public static final ConfigKey<Long> BITSWAP_WORKERS = add(ConfigKey.integer("bitswap.workers", 4, 1, 256, "Threads that look blocks up and build Bitswap messages."));
    public static final ConfigKey<Boolean> ROUTING_ENABLED = add(ConfigKey.bool("routing.enabled", true, "Answer Delegated Routing V1 (GET /routing/v1/providers/{cid}) on the gateway port with this node's record."));

    // ---- blockstore ----
    public static final ConfigKey<Long> BLOCKSTORE_CACHE_BYTES = add(ConfigKey.bytes("blockstore.cache_bytes", "256MiB", 0, "Size of the in-memory hot-block cache (0 disables it)."));
    public static final ConfigKey<Boolean> BLOCKSTORE_VERIFY_READS = add(ConfigKey.bool("blockstore.verify_reads", false,
            "Re-hash every block read from a piece file before serving it over graphsync, Bitswap or the gateway's copying paths (a mismatch is logged and the block is not served). Costs about 0.6 CPU-seconds per GB served; turn it on when piece files sit on storage you do not trust to keep bytes intact. Blocks are verified at import, `vrn piece verify` re-checks a piece, clients verify what they receive, and zero-copy gateway sends are never re-hashed (docs/operator-guide.md)."));

    // ---- retrieval pricing (go-fil-markets defaults) ----
    public static final ConfigKey<BigInteger> RETRIEVAL_PRICE_PER_BYTE = add(ConfigKey.attoFil("retrieval.price_per_byte", "0", "Price per byte retrieved, in attoFIL (0 = free)."));
    public static final ConfigKey<BigInteger> RETRIEVAL_UNSEAL_PRICE = add(ConfigKey.attoFil("retrieval.unseal_price", "0", "Flat price to unseal a piece before retrieval, in attoFIL (0 = free)."));
    public static final ConfigKey<Long> RETRIEVAL_PAYMENT_INTERVAL = add(ConfigKey.bytes("retrieval.payment_interval", "1048576", 1, "Bytes sent before the provider asks for the first payment."));
    public static final ConfigKey<Long> RETRIEVAL_PAYMENT_INTERVAL_INCREASE = add(ConfigKey.bytes("retrieval.payment_interval_increase", "1048576", 0, "How much the payment interval grows after each payment."));
    public static final ConfigKey<String> RETRIEVAL_PAYMENT_ADDRESS = add(ConfigKey.string("retrieval.payment_address", "", "Default payment address of retrieval queries (where clients point payment channels); empty = the wallet's default address."));
    public static final ConfigKey<String> RETRIEVAL_MINERS = add(ConfigKey.string("retrieval.miners", "", "Per-miner retrieval asks, ';'-separated: 'f01234 price=2 unseal=0 interval=1048576 increase=1048576 address=f1...'; unset words take the retrieval.* defaults (docs/retrieval.md)."));
    public static final ConfigKey<Duration> RETRIEVAL_RESTART_WINDOW = add(ConfigKey.positiveDuration("retrieval.restart_window", "10m", "How long a retrieval deal cut off mid-transfer (lost connection, graphsync cancel, provider restart) waits for the client's data-transfer Restart, and how long a deal waits for a payment it asked for, before it fails (docs/retrieval.md)."));

    // ---- payments (payment channels, paid gateway) ----
    public static final ConfigKey<BigInteger> GATEWAY_PRICE_PER_BYTE = add(ConfigKey.attoFil("gateway.price_per_byte", "0", "Price per body byte of gateway responses, in attoFIL, paid with payment-channel vouchers (docs/paid-gateway.md); 0 = free gateway."));
    public static final ConfigKey<String> GATEWAY_FREE = add(ConfigKey.string("gateway.free", "", "Comma-separated CIDs served free even when gateway.price_per_byte > 0."));
    public static final ConfigKey<String> CHAIN_API = add(ConfigKey.string("chain.api", "", "Lotus/Venus JSON-RPC for payment channels: TOKEN:/ip4/HOST/tcp/PORT/http or http://HOST:PORT. Empty on devnet = the embedded dev ledger (REPO/lmdb/devledger)."));
    public static final ConfigKey<Long> PAYCH_REDEEM_MARGIN = add(ConfigKey.integer("paych.redeem_margin", 20, 0, 1_000_000, "Epochs before a settling channel's SettlingAt within which its vouchers are no longer accepted (time to get them on chain)."));
    public static final ConfigKey<Duration> PAYCH_REDEEM_INTERVAL = add(ConfigKey.positiveDuration("paych.redeem_interval", "60s", "How often the node submits the vouchers of settling channels and collects settled ones."));
    public static final ConfigKey<Duration> DEVNET_EPOCH = add(ConfigKey.positiveDuration("devnet.epoch", "30s", "Wall time per epoch of the embedded dev ledger (network = devnet)."));
    public static final ConfigKey<Long> DEVNET_SETTLE_DELAY = add(ConfigKey.integer("devnet.settle_delay", 12, 0, 1_000_000, "Epochs between Settle and Collect on a new embedded dev ledger (mainnet: 1440)."));

    private static <T> ConfigKey<T> add(ConfigKey<T> key) {
        for (ConfigKey<?> k : REGISTRY) {
            if (k.name().equals(key.name())) {
                throw new IllegalStateException("config key declared twice: " + key.name());
            }
        }
        REGISTRY.add(key);
        return key;
    }

    private ConfigKeys() {
    }

    /** Every key, in declaration order. */
    public static List<ConfigKey<?>> all() {
        return Collections.unmodifiableList(REGISTRY);
    }

    /** Keys by name. */
    public static Map<String, ConfigKey<?>> byName() {
        Map<String, ConfigKey<?>> m = new LinkedHashMap<>();
        for (ConfigKey<?> k : REGISTRY) {
            m.put(k.name(), k);
        }
        return m;
    }
}
