package venus.retrieval.paych;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.cbor.CborWriter;
import venus.retrieval.paych.chain.ChainApi;
import venus.retrieval.paych.chain.Message;
import venus.retrieval.paych.chain.MessageReceipt;
import venus.retrieval.paych.chain.PaychState;

/**
 * Turns stored vouchers into FIL: submits each lane's best voucher (UpdateChannelState, from our
 * payee address) and collects once the channel has settled. Submitting one voucher per lane is
 * enough, since a lane's latest voucher supersedes the earlier ones.
 *
 * <p>Restart-safe: before submitting, the lane's on-chain nonce is read, so a voucher that landed
 * before a crash is recorded as submitted instead of being sent again; a channel already collected
 * (actor gone) is skipped. {@link #tick} is what a daemon runs periodically: it submits the vouchers
 * of every settling channel before its deadline and collects the channels whose deadline passed.
 */
public final class Redeemer {
    private static final Logger LOG = LoggerFactory.getLogger(Redeemer.class);

    private final ChainApi chain;
    private final VoucherStore store;
    private final Address payee;
    private final long confidence;

    /**
     * @param payee our address, the channels' {@code To}, which sends the messages
     * @param confidence epochs StateWaitMsg waits on top of a message
     */
    public Redeemer(ChainApi chain, VoucherStore store, Address payee, long confidence) {
        this.chain = chain;
        this.store = store;
        this.payee = payee;
        this.confidence = confidence;
    }

    /** Submits every lane's best stored voucher of {@code channel} that is not on chain yet; returns the message CIDs. */
    public List<Cid> redeem(Address channel) {
        SortedMap<Long, SignedVoucher> best = store.bestReceived(channel);
        List<Cid> sent = new ArrayList<>();
        if (best.isEmpty()) {
            return sent;
        }
        PaychState state = chain.stateReadState(channel);
        Map<Long, PaychState.LaneState> onChain = chain.laneStates(state);
        for (SignedVoucher sv : best.values()) {
            if (store.submittedNonce(channel, sv.lane()) >= sv.nonce()) {
                continue;
            }
            PaychState.LaneState lane = onChain.get(sv.lane());
            if (lane != null && lane.nonce() >= sv.nonce()) {
                store.markSubmitted(channel, sv.lane(), lane.nonce()); // landed before a restart
                continue;
            }
            byte[] params = new CborWriter().writeArrayHeader(2).writeRaw(sv.toCbor()).writeBytes(new byte[0]).toByteArray();
            Cid msg = chain.mpoolPushMessage(new Message(channel, payee, TokenAmount.ZERO, Message.METHOD_UPDATE_CHANNEL_STATE, params));
            MessageReceipt r = chain.stateWaitMsg(msg, confidence);
            if (!r.ok()) {
                throw new PaychException(PaychException.Reason.CHAIN, "UpdateChannelState for " + channel + " lane " + sv.lane()
                        + " nonce " + sv.nonce() + " failed with exit code " + r.exitCode());
            }
            store.markSubmitted(channel, sv.lane(), sv.nonce());
            LOG.info("redeemed voucher channel={} lane={} nonce={} amount={} msg={}", channel, sv.lane(), sv.nonce(), sv.amount(), msg);
            sent.add(msg);
        }
        return sent;
    }

    /** Starts settling {@code channel} (either party may); Collect is possible after the settle delay. */
    public MessageReceipt settle(Address channel) {
        return send(channel, Message.METHOD_SETTLE, "Settle");
    }

    /** Collects a settled channel: ToSend goes to us, the rest back to the payer. */
    public MessageReceipt collect(Address channel) {
        return send(channel, Message.METHOD_COLLECT, "Collect");
    }

    /**
     * One pass over every channel we hold vouchers for: a settling channel gets its vouchers
     * submitted while {@code head < SettlingAt}, and is collected once {@code head ≥ SettlingAt}.
     * Returns the channels collected.
     */
    public List<Address> tick() {
        List<Address> collected = new ArrayList<>();
        for (Address ch : store.receivedChannels()) {
            PaychState s;
            try {
                s = chain.stateReadState(ch);
            } catch (PaychException e) {
                if (e.reason() == PaychException.Reason.CHANNEL_NOT_FOUND) {
                    continue; // already collected
                }
                LOG.warn("cannot read channel={}: {}", ch, e.getMessage());
                continue;
            }
            if (!s.settling()) {
                continue;
            }
            try {
                if (chain.chainHead() < s.settlingAt()) {
                    redeem(ch);
                } else {
                    collect(ch);
                    collected.add(ch);
                }
            } catch (PaychException e) {
                LOG.warn("redemption of channel={} failed: {}", ch, e.getMessage());
            }
        }
        return collected;
    }

    private MessageReceipt send(Address channel, long method, String name) {
        Cid msg = chain.mpoolPushMessage(new Message(channel, payee, TokenAmount.ZERO, method, new byte[0]));
        MessageReceipt r = chain.stateWaitMsg(msg, confidence);
        if (!r.ok()) {
            throw new PaychException(PaychException.Reason.CHAIN, name + " of " + channel + " failed with exit code " + r.exitCode());
        }
        LOG.info("{} channel={} msg={}", name, channel, msg);
        return r;
    }
}
