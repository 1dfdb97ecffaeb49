package venus.retrieval.gateway;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.ipld.Cid;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.PaymentReceiver;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;

/**
 * The paid gateway: a {@link PaymentGate} that charges a price per body byte, paid with
 * payment-channel vouchers (protocol: {@code docs/paid-gateway.md}).
 *
 * <p>A response is priced at exactly the bytes it carries ({@link PaymentRequest#byteCount()}, so a
 * range pays for its range). Without payment the answer is {@code 402} with a JSON quote. The
 * client pays with a voucher in {@value #VOUCHER_HEADER}; the voucher goes through the one
 * {@link PaymentReceiver} (validated, then stored durably) before any byte is sent, and what it
 * adds becomes a credit. The response carries a credit token ({@value #CREDIT_TOKEN_HEADER}); the
 * unspent credit pays later responses with {@code Authorization: Bearer <token>}, and a later
 * voucher sent with that token tops the same credit up. A debit is taken atomically before a
 * response is allowed, so concurrent requests can never spend one credit twice; bytes that could
 * not be delivered (connection lost) are credited back.
 *
 * <p>Pricing a response whose length only a DAG walk tells (a CAR) is bounded work
 * ({@link QuoteLimits}): one walk per response shape (cached), within a small budget for a client
 * without funded credit (beyond it, a deposit quote) and a larger one for a client with credit
 * (beyond it, 503).
 *
 * <p>HEAD requests, content on the free list and a zero price are free. With credit persistence
 * on, credits are kept in the voucher store: a top-up is saved (synchronously) before the response
 * it pays for, debits are saved in batches every second and on {@link #close()} (a crash can lose
 * at most a second of debits, in the client's favour). Without it credits live in memory only.
 */
public final class VoucherPaymentGate implements PaymentGate, AutoCloseable {
    /** Request header carrying a voucher (base64url or base64 of its CBOR). */
    public static final String VOUCHER_HEADER = "X-Vrn-Voucher";
    /** Response header naming the credit this request used or created. */
    public static final String CREDIT_TOKEN_HEADER = "X-Vrn-Credit-Token";
    /** Response header: attoFIL left on the credit after this response. */
    public static final String CREDIT_REMAINING_HEADER = "X-Vrn-Credit-Remaining";
    /** Response header: attoFIL charged for this response. */
    public static final String PAID_HEADER = "X-Vrn-Paid";

    private static final Logger LOG = LoggerFactory.getLogger(VoucherPaymentGate.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PaymentReceiver receiver;
    private final BigInteger pricePerByte;
    private final Set<Cid> free;
    private final Map<String, Credit> credits = new ConcurrentHashMap<>();
    private final Map<PaymentRequest, Charge> charges = new ConcurrentHashMap<>();
    private final VoucherStore creditStore;
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final QuoteLimits limits;
    private final AsyncCache<String, Long> quotes;
    private final AtomicLong walks = new AtomicLong();
    private final ScheduledExecutorService flusher;

    /** Prepaid attoFIL behind a bearer token. */
    private static final class Credit {
        private BigInteger remaining = BigInteger.ZERO;

        synchronized void add(BigInteger amount) {
            remaining = remaining.add(amount);
        }

        synchronized boolean tryDebit(BigInteger amount) {
            if (remaining.compareTo(amount) < 0) {
                return false;
            }
            remaining = remaining.subtract(amount);
            return true;
        }

        synchronized BigInteger remaining() {
            return remaining;
        }
    }

    private record Charge(String token, Credit credit, long bytes) {}

    /**
     * Bounds on pricing a response whose length only a walk of the DAG tells (a CAR): an
     * unauthenticated client must not be able to make the node walk huge DAGs for free.
     *
     * @param freeBytes    body bytes a pricing walk may produce for a client without funded credit;
     *                     a larger response is quoted a deposit of {@code freeBytes × price} instead
     * @param freeTime     time such a walk may take (then the same)
     * @param paidBytes    the same for a client holding credit; a larger response gets 503
     * @param paidTime     time such a walk may take (then the same)
     * @param cacheEntries quotes remembered, per {@link PaymentRequest#quoteKey()} (content is
     *                     immutable, so a measured size stays right)
     */
    public record QuoteLimits(long freeBytes, Duration freeTime, long paidBytes, Duration paidTime, int cacheEntries) {
        public QuoteLimits {
            if (freeBytes < 0 || paidBytes < freeBytes || freeTime.isNegative() || paidTime.isNegative() || cacheEntries < 0) {
                throw new IllegalArgumentException("need 0 <= freeBytes <= paidBytes, non-negative times and cache size");
            }
        }

        /** 64 MiB / 2 s without credit, 64 GiB / 2 min with, 10,000 cached quotes. */
        public static QuoteLimits defaults() {
            return new QuoteLimits(64L << 20, Duration.ofSeconds(2), 64L << 30, Duration.ofMinutes(2), 10_000);
        }
    }

    /**
     * @param receiver validates and durably stores vouchers paid to this node
     * @param pricePerByte attoFIL per body byte
     * @param free content (root CIDs as the gateway reports them) served without payment
     */
    public VoucherPaymentGate(PaymentReceiver receiver, TokenAmount pricePerByte, Set<Cid> free) {
        this(receiver, pricePerByte, free, false);
    }

    /**
     * @param persistCredits keep credits in the receiver's voucher store (they then survive a restart)
     */
    public VoucherPaymentGate(PaymentReceiver receiver, TokenAmount pricePerByte, Set<Cid> free, boolean persistCredits) {
        this(receiver, pricePerByte, free, persistCredits, QuoteLimits.defaults());
    }

    /**
     * @param limits bounds on the work of pricing responses of unknown length
     */
    public VoucherPaymentGate(PaymentReceiver receiver, TokenAmount pricePerByte, Set<Cid> free, boolean persistCredits,
                              QuoteLimits limits) {
        if (pricePerByte.signum() < 0) {
            throw new IllegalArgumentException("price per byte must not be negative");
        }
        this.limits = limits;
        this.quotes = Caffeine.newBuilder().maximumSize(limits.cacheEntries()).expireAfterWrite(Duration.ofHours(1)).buildAsync();
        this.receiver = receiver;
        this.pricePerByte = pricePerByte.atto();
        this.free = Set.copyOf(free);
        this.creditStore = persistCredits ? receiver.store() : null;
        if (creditStore == null) {
            flusher = null;
            return;
        }
        creditStore.credits().forEach((token, amount) -> {
            Credit c = new Credit();
            c.add(amount.atto());
            credits.put(token, c);
        });
        flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vrn-gateway-credits");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::flushQuietly, 1, 1, TimeUnit.SECONDS);
    }

    /** Saves every credit changed since the last flush (no-op without credit persistence). */
    public void flush() {
        if (creditStore == null || dirty.isEmpty()) {
            return;
        }
        Map<String, TokenAmount> out = new LinkedHashMap<>();
        for (String token : Set.copyOf(dirty)) {
            dirty.remove(token);
            Credit c = credits.get(token);
            if (c != null) {
                out.put(token, new TokenAmount(c.remaining()));
            }
        }
        creditStore.putCredits(out);
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("saving gateway credits failed: {}", e.getMessage());
        }
    }

    /** Stops the background saver and saves what changed. */
    @Override
    public void close() {
        if (flusher != null) {
            flusher.shutdownNow();
            flush();
        }
    }

    @Override
    public CompletionStage<PaymentDecision> decide(PaymentRequest request) {
        return CompletableFuture.completedFuture(decideNow(request));
    }

    private PaymentDecision decideNow(PaymentRequest request) {
        if ("HEAD".equals(request.method()) || pricePerByte.signum() == 0 || free.contains(request.content())) {
            return PaymentDecision.allow();
        }
        String token = bearer(request);
        Credit credit = null;
        String voucherText = request.headers().get(VOUCHER_HEADER);
        if (token != null) {
            credit = credits.get(token);
            if (credit == null && voucherText != null) {
                token = null; // an unknown token with a voucher: start a new credit
            } else if (credit == null) {
                return quote(request, price(request, false), null, null, "UNKNOWN_CREDIT",
                        "the credit token is unknown (send a voucher to start a new credit)");
            }
        }
        if (voucherText != null) {
            SignedVoucher sv;
            try {
                sv = SignedVoucher.fromBase64(voucherText);
            } catch (PaychException e) {
                return quote(request, price(request, funded(credit)), token, credit, e.reason().name(), e.getMessage());
            }
            PaymentReceiver.Accepted a;
            try {
                // minDelta 0: a voucher that adds less than this response costs is still money
                // received; it is credited and the client is asked for the rest.
                a = receiver.accept(sv.channel(), sv, TokenAmount.ZERO);
            } catch (PaychException e) {
                LOG.info("gateway voucher refused channel={} lane={} nonce={} reason={}: {}", sv.channel(), sv.lane(), sv.nonce(), e.reason(), e.getMessage());
                return quote(request, price(request, funded(credit)), token, credit, e.reason().name(), e.getMessage());
            }
            if (a.credit().signum() > 0) {
                if (credit == null) {
                    token = newToken();
                    credit = new Credit();
                    credits.put(token, credit);
                }
                credit.add(a.credit().atto());
                if (creditStore != null) {
                    // money the client handed over is saved before anything is served against it
                    creditStore.putCredits(Map.of(token, new TokenAmount(credit.remaining())));
                }
                LOG.info("gateway credit +{} attoFIL channel={} lane={} nonce={}", a.credit().toAttoString(), sv.channel(), sv.lane(), sv.nonce());
            } else if (credit == null) {
                return quote(request, price(request, false), null, null, "NO_NEW_FUNDS", "the voucher adds nothing (already received)");
            }
        }
        Priced p = price(request, funded(credit));
        if (p.bytes() == TOO_LARGE && funded(credit)) {
            return tooLarge("this response is larger than " + limits.paidBytes()
                    + " bytes (or took longer than " + limits.paidTime().toSeconds() + " s to measure) and cannot be priced;"
                    + " ask for less (dag-scope=entity or block, entity-bytes, a path below the root)\n");
        }
        if (p.bytes() >= 0 && p.cost().signum() == 0) {
            return PaymentDecision.allow();
        }
        if (credit == null || p.bytes() < 0) {
            return quote(request, p, token, credit, null, null);
        }
        long bytes = p.bytes();
        BigInteger cost = p.cost();
        if (!credit.tryDebit(cost)) {
            return quote(request, p, token, credit, "INSUFFICIENT_CREDIT", "the credit does not cover this response");
        }
        charges.put(request, new Charge(token, credit, bytes));
        if (creditStore != null) {
            dirty.add(token);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(PAID_HEADER, cost.toString());
        headers.put(CREDIT_TOKEN_HEADER, token);
        headers.put(CREDIT_REMAINING_HEADER, credit.remaining().toString());
        return PaymentDecision.allowWithReceipt(headers);
    }

    private static PaymentDecision tooLarge(String message) {
        return new PaymentDecision.Refuse(503, Map.of("Cache-Control", "no-store"), "text/plain; charset=utf-8",
                message.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** What a client without credit pays before a response too large for the free budget is priced. */
    private BigInteger deposit() {
        return pricePerByte.multiply(BigInteger.valueOf(limits.freeBytes()));
    }

    private static boolean funded(Credit credit) {
        return credit != null && credit.remaining().signum() > 0;
    }

    /** {@link Priced#bytes()} when a response was too large (or slow) to measure within its budget. */
    private static final long TOO_LARGE = -1;

    /** A response's body bytes and cost; bytes {@link #TOO_LARGE} when it could not be measured within budget. */
    private record Priced(long bytes, BigInteger cost) {}

    /**
     * Prices a response. A body of known length costs nothing to price; one that must be walked
     * (a CAR) is measured at most once per {@link PaymentRequest#quoteKey()} (identical requests
     * arriving together wait for one walk; the result is cached), within the free budget for a
     * client without funded credit and the paid budget for one with.
     */
    private Priced price(PaymentRequest request, boolean funded) {
        long bytes = request.knownByteCount();
        if (bytes < 0) {
            bytes = measure(request, funded ? limits.paidBytes() : limits.freeBytes(), funded ? limits.paidTime() : limits.freeTime());
        }
        return bytes < 0 ? new Priced(TOO_LARGE, null) : new Priced(bytes, pricePerByte.multiply(BigInteger.valueOf(bytes)));
    }

    /** Cached entries: bytes (>= 0), or -budget: the body is larger than that budget. */
    private long measure(PaymentRequest request, long budget, Duration time) {
        String key = request.quoteKey();
        ConcurrentMap<String, CompletableFuture<Long>> map = quotes.asMap();
        while (true) {
            CompletableFuture<Long> prior = map.get(key);
            CompletableFuture<Long> mine = new CompletableFuture<>();
            if (prior != null) {
                long v = prior.join();
                if (v >= 0) {
                    return v;
                }
                if (-v >= budget) {
                    return TOO_LARGE; // already known to exceed this budget: no second walk
                }
                if (!map.replace(key, prior, mine)) {
                    continue; // someone else is re-measuring: wait for theirs
                }
            } else if (map.putIfAbsent(key, mine) != null) {
                continue;
            }
            long n;
            try {
                walks.incrementAndGet();
                n = request.byteCountWithin(budget, System.nanoTime() + time.toNanos());
            } catch (RuntimeException e) {
                map.remove(key, mine);
                mine.completeExceptionally(e);
                throw e;
            }
            if (n == -2) {
                map.remove(key, mine); // out of time: not cached (the disk may just have been slow)
                mine.complete(-budget);
                return TOO_LARGE;
            }
            mine.complete(n >= 0 ? n : -budget);
            return n >= 0 ? n : TOO_LARGE;
        }
    }

    /** DAG walks done to price responses (for metrics and tests). */
    public long quoteWalks() {
        return walks.get();
    }

    @Override
    public void delivered(PaymentRequest request, long bytesSent, boolean complete) {
        Charge c = charges.remove(request);
        if (c != null && !complete && bytesSent < c.bytes()) {
            // pay back what never left: the client is charged for delivered bytes only
            c.credit().add(pricePerByte.multiply(BigInteger.valueOf(c.bytes() - bytesSent)));
            if (creditStore != null) {
                dirty.add(c.token());
            }
        }
    }

    /** attoFIL left on a credit token; null when the token is unknown. */
    public TokenAmount creditRemaining(String token) {
        Credit c = credits.get(token);
        return c == null ? null : new TokenAmount(c.remaining());
    }

    private PaymentDecision quote(PaymentRequest request, Priced p, String token, Credit credit, String reason, String message) {
        BigInteger remaining = credit == null ? BigInteger.ZERO : credit.remaining();
        StringBuilder q = new StringBuilder("{");
        if (p.bytes() >= 0) {
            field(q, "amount", p.cost().subtract(remaining).max(BigInteger.ZERO).toString()).append(',');
            field(q, "price", p.cost().toString()).append(',');
            q.append("\"bytes\":").append(p.bytes()).append(',');
        } else {
            // Too large to price for a client without credit: a deposit, credited once paid, buys the walk.
            field(q, "amount", deposit().toString()).append(',');
            q.append("\"price\":null,\"bytes\":null,");
            if (reason == null) {
                reason = "PRICE_NEEDS_CREDIT";
                message = "this response is larger than " + limits.freeBytes() + " bytes and is priced only for a client"
                        + " holding a credit: pay the amount (it is credited) and retry with the voucher or the credit token";
            }
        }
        field(q, "pricePerByte", pricePerByte.toString()).append(',');
        field(q, "payee", receiver.payee().toString()).append(',');
        field(q, "content", request.content().toString()).append(',');
        field(q, "voucherHeader", VOUCHER_HEADER).append(',');
        q.append("\"terms\":{\"cumulativeAmount\":true,\"timeLocks\":false,\"secretHash\":false,\"extra\":false,\"merges\":false}");
        if (token != null) {
            field(q.append(','), "creditToken", token).append(',');
            field(q, "creditRemaining", remaining.toString());
        }
        if (reason != null) {
            q.append(",\"error\":{");
            field(q, "reason", reason).append(',');
            field(q, "message", message).append('}');
        }
        q.append('}');
        Map<String, String> headers = new LinkedHashMap<>();
        if (token != null) {
            headers.put(CREDIT_TOKEN_HEADER, token);
            headers.put(CREDIT_REMAINING_HEADER, remaining.toString());
        }
        headers.put("Cache-Control", "no-store");
        return PaymentDecision.paymentRequired(q.toString(), headers);
    }

    /** Appends {@code "name":"value"} with JSON string escaping. */
    private static StringBuilder field(StringBuilder sb, String name, String value) {
        sb.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"');
    }

    private static String bearer(PaymentRequest request) {
        String auth = request.headers().get("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return auth.substring(7).strip();
    }

    private static String newToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
