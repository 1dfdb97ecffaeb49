package venus.retrieval.paych.chain;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.cbor.CborReader;
import venus.retrieval.ipld.cbor.CborWriter;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.Signature;
import venus.retrieval.paych.SignatureVerifier;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;

/**
 * An embedded single-node ledger for development and tests, persisted in its own LMDB
 * environment, exposing the same {@link ChainApi} as a Lotus node. It keeps accounts (key address
 * ↔ ID, balances) and payment-channel actors, and applies the payment-channel actor's rules to the
 * messages pushed to it: 2 UpdateChannelState (voucher checks, lanes, ToSend within balance),
 * 3 Settle ({@code SettlingAt = max(now + settleDelay, MinSettleHeight)}), 4 Collect (after
 * SettlingAt: ToSend to {@code To}, the rest to {@code From}); a message's value reaches the channel
 * before the method runs and goes back if it fails. A message is executed at once at the
 * current epoch; {@link #stateWaitMsg} returns its receipt. Message signatures are not checked
 * (the ledger trusts its local callers); voucher signatures are.
 *
 * <p>Epochs advance with wall time ({@code epochDuration}, e.g. 30 s like mainnet) and by
 * {@link #advance}. Everything is saved with a synchronous LMDB commit after each change.
 * Not supported (exit 16): vouchers with an Extra call; BLS signatures.
 */
public final class DevLedger implements ChainApi, AutoCloseable {
    /** Exit codes of the builtin actors that the ledger uses. */
    public static final int EXIT_OK = 0, EXIT_ILLEGAL_ARGUMENT = 16, EXIT_NOT_FOUND = 17, EXIT_FORBIDDEN = 18,
            EXIT_INSUFFICIENT_FUNDS = 19, EXIT_ILLEGAL_STATE = 20, EXIT_SETTLED = 32;
    /** First ID handed to a new actor. */
    static final long FIRST_ID = 1000;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setVisibility(com.fasterxml.jackson.annotation.PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
    private static final byte[] STATE_KEY = "state".getBytes(StandardCharsets.UTF_8);

    /** The persisted ledger (one JSON document; the ledger is small). */
    static final class State {
        long epochBase;
        long timeBaseMillis;
        long nextId = FIRST_ID;
        long nextMessage;
        long settleDelay;
        Map<String, String> keyToId = new TreeMap<>();
        Map<String, String> idToKey = new TreeMap<>();
        Map<String, String> balances = new TreeMap<>();
        Map<String, Channel> channels = new TreeMap<>();
        Map<String, String> robustToId = new TreeMap<>();
        Map<String, Receipt> receipts = new LinkedHashMap<>();
    }

    static final class Channel {
        String from;
        String to;
        String toSend = "0";
        long settlingAt;
        long minSettleHeight;
        Map<Long, String[]> lanes = new TreeMap<>(); // lane -> [redeemed, nonce]
    }

    static final class Receipt {
        long exitCode;
        long height;
        String error;
        String returnValue = "";
    }

    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> db;
    private final Clock clock;
    private final long epochMillis;
    private final Map<Cid, byte[]> blocks = new ConcurrentHashMap<>();
    private final SignatureVerifier verifier = SignatureVerifier.offline();
    private State state;

    private DevLedger(Env<ByteBuffer> env, Clock clock, Duration epochDuration, long settleDelay) {
        this.env = env;
        this.db = env.openDbi("ledger", DbiFlags.MDB_CREATE);
        this.clock = clock;
        this.epochMillis = epochDuration == null ? 0 : epochDuration.toMillis();
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            ByteBuffer v = db.get(txn, direct(STATE_KEY));
            if (v != null) {
                byte[] b = new byte[v.remaining()];
                v.get(b);
                state = JSON.readValue(b, State.class);
            }
        } catch (IOException e) {
            throw new PaychException(PaychException.Reason.LEDGER, "dev ledger state is unreadable: " + e.getMessage(), e);
        }
        if (state == null) {
            state = new State();
            state.timeBaseMillis = clock.millis();
            state.settleDelay = settleDelay;
            save();
        }
    }

    /**
     * Opens (creating if needed) a ledger in {@code dir}.
     *
     * @param epochDuration wall time per epoch; null for epochs that only move by {@link #advance}
     * @param settleDelay epochs between Settle and the first allowed Collect (mainnet: 1440; a new
     *     ledger keeps the value it was created with)
     */
    public static DevLedger open(Path dir, Clock clock, Duration epochDuration, long settleDelay) {
        try {
            Files.createDirectories(dir);
            Env<ByteBuffer> env = Env.create().setMapSize(256L << 20).setMaxDbs(1).open(dir.toFile(), EnvFlags.MDB_NOTLS);
            return new DevLedger(env, clock, epochDuration, settleDelay);
        } catch (IOException | LmdbException e) {
            throw new PaychException(PaychException.Reason.LEDGER, "cannot open dev ledger " + dir + ": " + e.getMessage(), e);
        }
    }

    // ---- development operations ----

    /** Credits {@code amount} to {@code account} out of thin air (a faucet); returns its ID address. */
    public synchronized Address fund(Address account, TokenAmount amount) {
        Address id = idOf(account, true);
        credit(id, amount);
        save();
        return id;
    }

    /** The balance of an account or actor (zero when unknown). */
    public synchronized TokenAmount balance(Address address) {
        Address id = idOf(address, false);
        return id == null ? TokenAmount.ZERO : bal(id);
    }

    /**
     * Creates a payment channel from {@code from} to {@code to} holding {@code amount}, taken from
     * {@code from}'s balance. Returns the channel's robust (f2) address; its ID is
     * {@link #stateLookupId}.
     */
    public synchronized Address createChannel(Address from, Address to, TokenAmount amount) {
        Address fromId = idOf(from, true);
        Address toId = idOf(to, true);
        if (amount.signum() < 0) {
            throw ledger("channel amount must not be negative");
        }
        if (bal(fromId).lessThan(amount)) {
            throw ledger("insufficient funds: " + from + " holds " + bal(fromId) + ", channel needs " + amount + " (exit " + EXIT_INSUFFICIENT_FUNDS + ")");
        }
        long seq = state.nextId;
        Address chId = Address.id(state.nextId++);
        Address robust = Address.actor((fromId + "/" + toId + "/" + seq).getBytes(StandardCharsets.UTF_8));
        Channel ch = new Channel();
        ch.from = fromId.toString();
        ch.to = toId.toString();
        state.channels.put(chId.toString(), ch);
        state.robustToId.put(robust.toString(), chId.toString());
        credit(fromId, amount.multiply(-1));
        credit(chId, amount);
        save();
        return robust;
    }

    /** Adds {@code amount} from {@code from}'s balance to a channel it pays from. */
    public synchronized void addFunds(Address channel, Address from, TokenAmount amount) {
        Address chId = channelId(channel);
        Address fromId = idOf(from, false);
        if (fromId == null || !fromId.toString().equals(state.channels.get(chId.toString()).from)) {
            throw ledger("only the channel's From can add funds");
        }
        if (bal(fromId).lessThan(amount) || amount.signum() < 0) {
            throw ledger("insufficient funds to add " + amount);
        }
        credit(fromId, amount.multiply(-1));
        credit(chId, amount);
        save();
    }

    /** Moves the chain {@code epochs} forward. */
    public synchronized long advance(long epochs) {
        if (epochs < 0) {
            throw ledger("epochs only move forward");
        }
        state.epochBase += epochs;
        save();
        return chainHead();
    }

    /** Epochs between Settle and Collect on this ledger. */
    public long settleDelay() {
        return state.settleDelay;
    }

    // ---- ChainApi ----

    @Override
    public synchronized long chainHead() {
        long wall = epochMillis <= 0 ? 0 : Math.max(0, clock.millis() - state.timeBaseMillis) / epochMillis;
        return state.epochBase + wall;
    }

    @Override
    public synchronized PaychState stateReadState(Address paych) {
        Address chId = channelId(paych);
        Channel ch = state.channels.get(chId.toString());
        Cid root = LaneStatesAmt.write(lanes(ch), blocks::put);
        return new PaychState(bal(chId), Address.parse(ch.from), Address.parse(ch.to), TokenAmount.ofAtto(ch.toSend),
                ch.settlingAt, ch.minSettleHeight, root);
    }

    @Override
    public synchronized Address stateAccountKey(Address address) {
        if (address.protocol() == Address.Protocol.SECP256K1 || address.protocol() == Address.Protocol.BLS) {
            return address;
        }
        String key = state.idToKey.get(address.toString());
        if (key == null) {
            throw new PaychException(PaychException.Reason.CHAIN, "StateAccountKey failed: actor " + address + " is not an account");
        }
        return Address.parse(key);
    }

    @Override
    public synchronized Address stateLookupId(Address address) {
        Address id = idOf(address, false);
        if (id == null) {
            throw new PaychException(PaychException.Reason.CHAIN, "StateLookupID failed: actor " + address + " not found");
        }
        return id;
    }

    @Override
    public boolean walletVerify(Address signer, byte[] message, Signature signature) {
        try {
            verifier.verify(signer, message, signature);
            return true;
        } catch (PaychException e) {
            if (e.reason() == PaychException.Reason.UNSUPPORTED_SIGNATURE) {
                throw e;
            }
            return false;
        }
    }

    @Override
    public synchronized Cid mpoolPushMessage(Message m) {
        long seq = state.nextMessage++;
        CborWriter w = new CborWriter();
        w.writeArrayHeader(6).writeUint(seq).writeBytes(m.to().bytes()).writeBytes(m.from().bytes())
                .writeFilBigInt(m.value().atto()).writeUint(m.method()).writeBytes(m.params());
        Cid cid = Cid.v1(Multicodec.DAG_CBOR, Multihash.compute(Multicodec.BLAKE2B_256, w.toByteArray()));
        Receipt r = new Receipt();
        r.height = chainHead();
        try {
            apply(m);
            r.exitCode = EXIT_OK;
        } catch (ActorError e) {
            r.exitCode = e.exitCode;
            r.error = e.getMessage();
        }
        state.receipts.put(cid.toString(), r);
        save();
        return cid;
    }

    @Override
    public synchronized MessageReceipt stateWaitMsg(Cid message, long confidence) {
        Receipt r = state.receipts.get(message.toString());
        if (r == null) {
            throw new PaychException(PaychException.Reason.CHAIN, "StateWaitMsg failed: message " + message + " not found");
        }
        return new MessageReceipt(message, r.exitCode, Base64.getDecoder().decode(r.returnValue), r.height);
    }

    /** Why a message failed on the ledger, or null when it succeeded (the receipt only carries the code). */
    public synchronized String messageError(Cid message) {
        Receipt r = state.receipts.get(message.toString());
        return r == null ? null : r.error;
    }

    @Override
    public byte[] chainReadObj(Cid cid) {
        byte[] b = blocks.get(cid);
        if (b == null) {
            throw new PaychException(PaychException.Reason.CHAIN, "ChainReadObj failed: block " + cid + " not found");
        }
        return b;
    }

    @Override
    public synchronized SortedMap<Long, PaychState.LaneState> laneStates(PaychState s) {
        return LaneStatesAmt.read(this::chainReadObj, s.laneStatesRoot());
    }

    @Override
    public synchronized void close() {
        env.close();
    }

    // ---- the payment-channel actor ----

    private static final class ActorError extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        ActorError(int exitCode, String message) {
            super(message + " (exit " + exitCode + ")");
            this.exitCode = exitCode;
        }
    }

    private void apply(Message m) throws ActorError {
        Address fromId = idOf(m.from(), true);
        if (m.value().signum() < 0 || bal(fromId).lessThan(m.value())) {
            throw new ActorError(EXIT_INSUFFICIENT_FUNDS, "sender cannot pay the message value");
        }
        if (m.method() == Message.METHOD_SEND) {
            Address toId = idOf(m.to(), true);
            credit(fromId, m.value().multiply(-1));
            credit(toId, m.value());
            return;
        }
        Address chId = idOf(m.to(), false);
        Channel ch = chId == null ? null : state.channels.get(chId.toString());
        if (ch == null) {
            throw new ActorError(EXIT_NOT_FOUND, "no payment channel at " + m.to());
        }
        boolean callerIsFrom = fromId.toString().equals(ch.from);
        boolean callerIsTo = fromId.toString().equals(ch.to);
        if (!callerIsFrom && !callerIsTo) {
            throw new ActorError(EXIT_FORBIDDEN, "caller " + m.from() + " is neither From nor To");
        }
        long now = chainHead();
        // as on chain, the value reaches the actor before its method runs; a failed method reverts it
        credit(fromId, m.value().multiply(-1));
        credit(chId, m.value());
        try {
            paychMethod(m, chId, ch, callerIsFrom, now);
        } catch (ActorError e) {
            credit(chId, m.value().multiply(-1));
            credit(fromId, m.value());
            throw e;
        }
    }

    private void paychMethod(Message m, Address chId, Channel ch, boolean callerIsFrom, long now) throws ActorError {
        if (m.method() == Message.METHOD_UPDATE_CHANNEL_STATE) {
            updateChannelState(chId, ch, m.params(), callerIsFrom ? ch.to : ch.from, now);
        } else if (m.method() == Message.METHOD_SETTLE) {
            if (ch.settlingAt != 0) {
                throw new ActorError(EXIT_ILLEGAL_STATE, "channel already settling");
            }
            ch.settlingAt = Math.max(now + state.settleDelay, ch.minSettleHeight);
        } else if (m.method() == Message.METHOD_COLLECT) {
            if (ch.settlingAt == 0 || now < ch.settlingAt) {
                throw new ActorError(EXIT_FORBIDDEN, "payment channel not settling or settled");
            }
            TokenAmount toSend = TokenAmount.ofAtto(ch.toSend);
            TokenAmount rest = bal(chId).subtract(toSend);
            credit(Address.parse(ch.to), toSend);
            credit(Address.parse(ch.from), rest);
            state.balances.remove(chId.toString());
            state.channels.remove(chId.toString());
        } else {
            throw new ActorError(22, "unknown payment channel method " + m.method()); // USR_UNHANDLED_MESSAGE
        }
    }

    private void updateChannelState(Address chId, Channel ch, byte[] params, String otherParty, long now) throws ActorError {
        SignedVoucher sv;
        byte[] secret;
        try {
            CborReader r = new CborReader(params);
            if (r.readArrayHeader() != 2) {
                throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "UpdateChannelState params must be [voucher, secret]");
            }
            sv = SignedVoucher.fromCbor(r.readRaw());
            secret = r.readBytes();
            r.expectEnd();
        } catch (IpldException | PaychException e) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "bad UpdateChannelState params: " + e.getMessage());
        }
        if (sv.signature() == null) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "voucher has no signature");
        }
        if (ch.settlingAt != 0 && now >= ch.settlingAt) {
            throw new ActorError(EXIT_SETTLED, "no vouchers can be processed after settling is complete");
        }
        if (secret.length > 256) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "secret too long");
        }
        try {
            verifier.verify(stateAccountKey(Address.parse(otherParty)), sv.signingBytes(), sv.signature());
        } catch (PaychException e) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "voucher signature invalid: " + e.getMessage());
        }
        if (!chId.equals(idOf(sv.channel(), false))) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "voucher payment channel address does not match this actor");
        }
        if (now < sv.timeLockMin()) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "cannot use this voucher yet");
        }
        if (sv.timeLockMax() != 0 && now > sv.timeLockMax()) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "this voucher has expired");
        }
        if (sv.amount().signum() < 0) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "voucher amount must be non-negative");
        }
        if (sv.secretHash().length > 0 && !Arrays.equals(Multihash.compute(Multicodec.BLAKE2B_256, secret).digest(), sv.secretHash())) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "incorrect secret");
        }
        if (sv.extra() != null) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "vouchers with an Extra call are not supported by the dev ledger");
        }
        String[] lane = ch.lanes.get(sv.lane());
        if (lane != null && Long.parseLong(lane[1]) >= sv.nonce()) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "voucher has an outdated nonce, existing nonce: " + lane[1] + ", voucher nonce: " + sv.nonce());
        }
        TokenAmount redeemedFromOthers = TokenAmount.ZERO;
        for (SignedVoucher.Merge merge : sv.merges()) {
            String[] other = ch.lanes.get(merge.lane());
            if (merge.lane() == sv.lane() || other == null) {
                throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "voucher cannot merge lane " + merge.lane());
            }
            if (Long.parseLong(other[1]) >= merge.nonce()) {
                throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "merged lane in voucher has outdated nonce");
            }
            redeemedFromOthers = redeemedFromOthers.add(TokenAmount.ofAtto(other[0]));
        }
        TokenAmount previous = lane == null ? TokenAmount.ZERO : TokenAmount.ofAtto(lane[0]);
        TokenAmount delta = sv.amount().subtract(previous.add(redeemedFromOthers));
        TokenAmount newToSend = TokenAmount.ofAtto(ch.toSend).add(delta);
        if (newToSend.signum() < 0) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "voucher would leave channel balance negative");
        }
        if (newToSend.greaterThan(bal(chId))) {
            throw new ActorError(EXIT_ILLEGAL_ARGUMENT, "not enough funds in channel to cover voucher");
        }
        for (SignedVoucher.Merge merge : sv.merges()) {
            ch.lanes.get(merge.lane())[1] = Long.toString(merge.nonce());
        }
        ch.lanes.put(sv.lane(), new String[] {sv.amount().toAttoString(), Long.toString(sv.nonce())});
        ch.toSend = newToSend.toAttoString();
        if (sv.minSettleHeight() > ch.minSettleHeight) {
            ch.minSettleHeight = sv.minSettleHeight();
            if (ch.settlingAt != 0 && ch.settlingAt < ch.minSettleHeight) {
                ch.settlingAt = ch.minSettleHeight;
            }
        }
    }

    // ---- bookkeeping ----

    private static SortedMap<Long, PaychState.LaneState> lanes(Channel ch) {
        SortedMap<Long, PaychState.LaneState> out = new TreeMap<>();
        ch.lanes.forEach((lane, v) -> out.put(lane, new PaychState.LaneState(TokenAmount.ofAtto(v[0]), Long.parseLong(v[1]))));
        return out;
    }

    private Address channelId(Address channel) {
        Address id = idOf(channel, false);
        if (id == null || !state.channels.containsKey(id.toString())) {
            throw new PaychException(PaychException.Reason.CHANNEL_NOT_FOUND, "payment channel " + channel + " not found on the dev ledger");
        }
        return id;
    }

    /** The ID of any address; for a new key address, a fresh ID when {@code create}. */
    private Address idOf(Address a, boolean create) {
        switch (a.protocol()) {
            case ID:
                return a;
            case ACTOR: {
                String id = state.robustToId.get(a.toString());
                return id == null ? null : Address.parse(id);
            }
            default: {
                String id = state.keyToId.get(a.toString());
                if (id != null) {
                    return Address.parse(id);
                }
                if (!create) {
                    return null;
                }
                Address fresh = Address.id(state.nextId++);
                state.keyToId.put(a.toString(), fresh.toString());
                state.idToKey.put(fresh.toString(), a.toString());
                return fresh;
            }
        }
    }

    private TokenAmount bal(Address id) {
        String b = state.balances.get(id.toString());
        return b == null ? TokenAmount.ZERO : TokenAmount.ofAtto(b);
    }

    private void credit(Address id, TokenAmount amount) {
        state.balances.put(id.toString(), bal(id).add(amount).toAttoString());
    }

    private void save() {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            db.put(txn, direct(STATE_KEY), direct(JSON.writeValueAsBytes(state)));
            txn.commit();
        } catch (IOException | LmdbException e) {
            throw new PaychException(PaychException.Reason.LEDGER, "cannot save the dev ledger: " + e.getMessage(), e);
        }
    }

    private static ByteBuffer direct(byte[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(v.length);
        b.put(v).flip();
        return b;
    }

    private static PaychException ledger(String message) {
        return new PaychException(PaychException.Reason.LEDGER, message);
    }
}
