package venus.retrieval.paych;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.KeyRange;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import venus.retrieval.ipld.cbor.CborReader;
import venus.retrieval.ipld.cbor.CborWriter;

/**
 * The durable voucher store: its own LMDB environment in {@code REPO/lmdb/paych/}. It keeps the
 * best (highest-nonce) voucher per (channel, lane) that this node received, the total credited
 * per channel, the last voucher this node created per (channel, lane), and the nonce of the last
 * voucher submitted on chain per lane (for redemption).
 *
 * <p>{@link #putReceived} decides and commits in one LMDB write transaction, and the environment
 * is opened with synchronous commits (no {@code MDB_NOSYNC}/{@code MDB_NOMETASYNC}): when it
 * returns, the voucher is on disk. LMDB allows one writer at a time, so concurrent callers are
 * serialised and each voucher's credit is counted exactly once.
 *
 * <p>A caller that keeps its own account of the credits (the retrieval provider's deal records)
 * passes a {@link Memo}: an opaque value under an opaque key, written in the voucher's own
 * transaction. The memo is durable exactly when the voucher is, so the caller can update its own
 * records later, without waiting for a second synchronous commit, and settle them from the memo
 * after a crash ({@link #memo}).
 */
public final class VoucherStore implements AutoCloseable {
    /** Outcome of storing a received voucher. */
    public record Stored(SignedVoucher voucher, TokenAmount delta, TokenAmount channelTotal, boolean duplicate) {}

    /**
     * What a caller records beside a voucher, in the same transaction: {@link #value} is called
     * inside it with the voucher's credit once the voucher is known to be stored (never for a
     * duplicate or a refused voucher), and replaces any earlier value under {@link #key}.
     * Both are opaque to this store. Keys are at most {@link #MAX_MEMO_KEY} bytes.
     */
    public interface Memo {
        /** The memo's key (not empty, at most {@link #MAX_MEMO_KEY} bytes). */
        byte[] key();

        /** The memo's value for a voucher crediting {@code credit} (positive). Must not throw. */
        byte[] value(TokenAmount credit);
    }

    /** The longest memo key (LMDB's key size limit, with room to spare). */
    public static final int MAX_MEMO_KEY = 256;

    private static final long MAP_SIZE = 1L << 30;

    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> received;
    private final Dbi<ByteBuffer> totals;
    private final Dbi<ByteBuffer> created;
    private final Dbi<ByteBuffer> submitted;
    private final Dbi<ByteBuffer> credits;
    private final Dbi<ByteBuffer> memos;
    /** Write transactions committed since the store opened (each one a synchronous disk flush). */
    private final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();

    private VoucherStore(Env<ByteBuffer> env) {
        this.env = env;
        this.received = env.openDbi("received", DbiFlags.MDB_CREATE);
        this.totals = env.openDbi("totals", DbiFlags.MDB_CREATE);
        this.created = env.openDbi("created", DbiFlags.MDB_CREATE);
        this.submitted = env.openDbi("submitted", DbiFlags.MDB_CREATE);
        this.credits = env.openDbi("credits", DbiFlags.MDB_CREATE);
        this.memos = env.openDbi("memos", DbiFlags.MDB_CREATE);
    }

    /** The environment directory of a repo. */
    public static Path directory(Path repo) {
        return repo.resolve("lmdb").resolve("paych");
    }

    /** Opens (creating if needed) the store of {@code repo}. */
    public static VoucherStore open(Path repo) {
        return openDirectory(directory(repo));
    }

    /** Opens (creating if needed) a store in {@code dir}. */
    public static VoucherStore openDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            Env<ByteBuffer> env = Env.create().setMapSize(MAP_SIZE).setMaxDbs(6).setMaxReaders(256)
                    .open(dir.toFile(), EnvFlags.MDB_NOTLS);
            return new VoucherStore(env);
        } catch (IOException | LmdbException e) {
            throw new PaychException(PaychException.Reason.STORE, "cannot open voucher store " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stores a received voucher if it beats the lane's best, durably, and returns its credit:
     * {@code delta = amount − max(previous best amount, laneBaseline)}. An exact copy of the stored
     * best is a duplicate (credit 0, no write); any other voucher whose nonce is not above the
     * stored best is refused with {@code NONCE_TOO_LOW}, and one whose amount does not exceed the
     * baseline with {@code AMOUNT_TOO_LOW}, so a replay never credits anything.
     *
     * @param laneBaseline what is already redeemable on this lane outside this store (the on-chain
     *     lane state); {@link TokenAmount#ZERO} when none
     */
    public Stored putReceived(SignedVoucher sv, TokenAmount laneBaseline) {
        return putReceived(sv, laneBaseline, null);
    }

    /**
     * As {@link #putReceived(SignedVoucher, TokenAmount)}; when the voucher credits something,
     * {@code memo} (if not null) is written in the same transaction.
     */
    public Stored putReceived(SignedVoucher sv, TokenAmount laneBaseline, Memo memo) {
        byte[] cbor = sv.toCbor();
        ByteBuffer memoKey = memo == null ? null : memoKey(memo.key());
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            ByteBuffer key = laneKey(sv.channel(), sv.lane());
            // copy at once: LMDB hands out the transaction's own buffer, reused by the next get
            ByteBuffer prev = received.get(txn, key);
            byte[] prevBytes = prev == null ? null : bytes(prev);
            TokenAmount total = readTotal(txn, sv.channel());
            TokenAmount baseline = laneBaseline;
            if (prevBytes != null) {
                if (Arrays.equals(prevBytes, cbor)) {
                    return new Stored(sv, TokenAmount.ZERO, total, true);
                }
                SignedVoucher best = SignedVoucher.fromCbor(prevBytes);
                if (sv.nonce() <= best.nonce()) {
                    throw new PaychException(PaychException.Reason.NONCE_TOO_LOW,
                            "voucher nonce " + sv.nonce() + " is not above the stored nonce " + best.nonce() + " on lane " + sv.lane());
                }
                baseline = TokenAmount.max(baseline, best.amount());
            }
            TokenAmount delta = sv.amount().subtract(baseline);
            if (delta.signum() <= 0) {
                throw new PaychException(PaychException.Reason.AMOUNT_TOO_LOW,
                        "voucher amount " + sv.amount().toAttoString() + " does not exceed " + baseline.toAttoString() + " already redeemable on lane " + sv.lane());
            }
            TokenAmount newTotal = total.add(delta);
            received.put(txn, key, direct(cbor));
            totals.put(txn, channelKey(sv.channel()), direct(new CborWriter().writeFilBigInt(newTotal.atto()).toByteArray()));
            if (memo != null) {
                memos.put(txn, memoKey, direct(memo.value(delta)));
            }
            commit(txn); // synchronous: fsync before returning
            return new Stored(sv, delta, newTotal, false);
        } catch (LmdbException e) {
            throw storeError("cannot store voucher", e);
        }
    }

    /** The memo last written under {@code key} with a voucher, or null. */
    public byte[] memo(byte[] key) {
        ByteBuffer k = memoKey(key);
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            ByteBuffer v = memos.get(txn, k);
            return v == null ? null : bytes(v);
        } catch (LmdbException e) {
            throw storeError("cannot read a memo", e);
        }
    }

    /**
     * How many write transactions this store committed since it opened, each a synchronous flush
     * to disk (metrics and tests: an accepted voucher costs one, whatever it carries).
     */
    public long commits() {
        return commits.get();
    }

    /** The best received voucher per lane of {@code channel}. */
    public SortedMap<Long, SignedVoucher> bestReceived(Address channel) {
        return scan(received, channel);
    }

    /** The total credited on {@code channel} by received vouchers. */
    public TokenAmount receivedTotal(Address channel) {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            return readTotal(txn, channel);
        } catch (LmdbException e) {
            throw storeError("cannot read the channel total", e);
        }
    }

    /** Every channel that has received vouchers. */
    public List<Address> receivedChannels() {
        Set<Address> out = new LinkedHashSet<>();
        try (Txn<ByteBuffer> txn = env.txnRead(); CursorIterable<ByteBuffer> it = totals.iterate(txn)) {
            for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
                byte[] k = bytes(kv.key());
                out.add(Address.fromBytes(Arrays.copyOfRange(k, 1, k.length)));
            }
        } catch (LmdbException e) {
            throw storeError("cannot list channels", e);
        }
        return new ArrayList<>(out);
    }

    /** Records a voucher this node created (as payer), replacing the lane's previous one. */
    public void putCreated(SignedVoucher sv) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            created.put(txn, laneKey(sv.channel(), sv.lane()), direct(sv.toCbor()));
            commit(txn);
        } catch (LmdbException e) {
            throw storeError("cannot store a created voucher", e);
        }
    }

    /** The last voucher created per lane of {@code channel}. */
    public SortedMap<Long, SignedVoucher> created(Address channel) {
        return scan(created, channel);
    }

    /** Records that the voucher of {@code nonce} on {@code lane} was redeemed on chain. */
    public void markSubmitted(Address channel, long lane, long nonce) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            CborWriter w = new CborWriter().writeUint(nonce);
            submitted.put(txn, laneKey(channel, lane), direct(w.toByteArray()));
            commit(txn);
        } catch (LmdbException e) {
            throw storeError("cannot record a submitted voucher", e);
        }
    }

    /** The nonce last submitted on chain for a lane, or -1. */
    public long submittedNonce(Address channel, long lane) {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            ByteBuffer v = submitted.get(txn, laneKey(channel, lane));
            return v == null ? -1 : new CborReader(bytes(v)).readUint();
        } catch (LmdbException e) {
            throw storeError("cannot read the submitted nonce", e);
        }
    }

    /**
     * Saves prepaid credit balances (the paid gateway's bearer tokens) in one synchronous commit; a
     * zero balance deletes its token.
     */
    public void putCredits(java.util.Map<String, TokenAmount> balances) {
        if (balances.isEmpty()) {
            return;
        }
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            for (java.util.Map.Entry<String, TokenAmount> e : balances.entrySet()) {
                ByteBuffer key = direct(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (e.getValue().isZero()) {
                    credits.delete(txn, key);
                } else {
                    credits.put(txn, key, direct(new CborWriter().writeFilBigInt(e.getValue().atto()).toByteArray()));
                }
            }
            commit(txn);
        } catch (LmdbException e) {
            throw storeError("cannot store credits", e);
        }
    }

    /** Every saved credit balance by token. */
    public java.util.Map<String, TokenAmount> credits() {
        java.util.Map<String, TokenAmount> out = new java.util.LinkedHashMap<>();
        try (Txn<ByteBuffer> txn = env.txnRead(); CursorIterable<ByteBuffer> it = credits.iterate(txn)) {
            for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
                out.put(new String(bytes(kv.key()), java.nio.charset.StandardCharsets.UTF_8),
                        new TokenAmount(new CborReader(bytes(kv.val())).readFilBigInt()));
            }
        } catch (LmdbException e) {
            throw storeError("cannot read credits", e);
        }
        return out;
    }

    @Override
    public void close() {
        env.close();
    }

    private SortedMap<Long, SignedVoucher> scan(Dbi<ByteBuffer> db, Address channel) {
        SortedMap<Long, SignedVoucher> out = new TreeMap<>();
        ByteBuffer prefix = channelKey(channel);
        byte[] p = bytes(prefix.duplicate());
        try (Txn<ByteBuffer> txn = env.txnRead(); CursorIterable<ByteBuffer> it = db.iterate(txn, KeyRange.atLeast(prefix))) {
            for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
                byte[] k = bytes(kv.key());
                if (k.length != p.length + 8 || !Arrays.equals(k, 0, p.length, p, 0, p.length)) {
                    break;
                }
                SignedVoucher sv = SignedVoucher.fromCbor(bytes(kv.val()));
                out.put(sv.lane(), sv);
            }
        } catch (LmdbException e) {
            throw storeError("cannot read vouchers", e);
        }
        return out;
    }

    private TokenAmount readTotal(Txn<ByteBuffer> txn, Address channel) {
        ByteBuffer v = totals.get(txn, channelKey(channel));
        if (v == null) {
            return TokenAmount.ZERO;
        }
        return new TokenAmount(new CborReader(bytes(v)).readFilBigInt()); // CBOR Filecoin BigInt
    }

    /** {@code len ‖ address bytes}: sorts one channel's lanes together. */
    private static ByteBuffer channelKey(Address channel) {
        byte[] a = channel.bytes();
        ByteBuffer b = ByteBuffer.allocateDirect(1 + a.length);
        b.put((byte) a.length).put(a).flip();
        return b;
    }

    /** {@code len ‖ address bytes ‖ lane (8 bytes big-endian)}. */
    private static ByteBuffer laneKey(Address channel, long lane) {
        byte[] a = channel.bytes();
        ByteBuffer b = ByteBuffer.allocateDirect(1 + a.length + 8);
        b.put((byte) a.length).put(a).putLong(lane).flip();
        return b;
    }

    private void commit(Txn<ByteBuffer> txn) {
        txn.commit();
        commits.incrementAndGet();
    }

    private static ByteBuffer memoKey(byte[] key) {
        if (key == null || key.length == 0 || key.length > MAX_MEMO_KEY) {
            throw new IllegalArgumentException("a memo key has 1 to " + MAX_MEMO_KEY + " bytes");
        }
        return direct(key);
    }

    private static PaychException storeError(String what, LmdbException e) {
        return new PaychException(PaychException.Reason.STORE, what + ": " + e.getMessage(), e);
    }

    private static ByteBuffer direct(byte[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(v.length);
        b.put(v).flip();
        return b;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
