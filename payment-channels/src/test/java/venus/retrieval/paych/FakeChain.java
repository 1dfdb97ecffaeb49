package venus.retrieval.paych;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import venus.retrieval.ipld.Cid;
import venus.retrieval.paych.chain.ChainApi;
import venus.retrieval.paych.chain.LaneStatesAmt;
import venus.retrieval.paych.chain.Message;
import venus.retrieval.paych.chain.MessageReceipt;
import venus.retrieval.paych.chain.PaychState;

/** An in-memory chain for validator tests: set a channel's state and lanes, and the account keys of ID addresses. */
final class FakeChain implements ChainApi {
    long head = 1000;
    final Map<Address, PaychState> channels = new ConcurrentHashMap<>();
    final Map<Address, Address> accountKeys = new ConcurrentHashMap<>();
    final Map<Cid, byte[]> blocks = new ConcurrentHashMap<>();
    final AtomicInteger walletVerifyCalls = new AtomicInteger();
    boolean walletVerifyAnswer = true;

    /** Puts a channel with the given balance, parties, settle epoch and on-chain lanes. */
    void channel(Address ch, Address from, Address to, TokenAmount balance, long settlingAt, SortedMap<Long, PaychState.LaneState> lanes) {
        Cid root = LaneStatesAmt.write(lanes, blocks::put);
        TokenAmount toSend = TokenAmount.ZERO;
        for (PaychState.LaneState l : lanes.values()) {
            toSend = toSend.add(l.redeemed());
        }
        channels.put(ch, new PaychState(balance, from, to, toSend, settlingAt, 0, root));
    }

    static SortedMap<Long, PaychState.LaneState> lanes(Object... laneRedeemedNonce) {
        SortedMap<Long, PaychState.LaneState> m = new TreeMap<>();
        for (int i = 0; i < laneRedeemedNonce.length; i += 3) {
            m.put(((Number) laneRedeemedNonce[i]).longValue(),
                    new PaychState.LaneState(TokenAmount.ofAtto(((Number) laneRedeemedNonce[i + 1]).longValue()), ((Number) laneRedeemedNonce[i + 2]).longValue()));
        }
        return m;
    }

    @Override
    public long chainHead() {
        return head;
    }

    @Override
    public PaychState stateReadState(Address paych) {
        PaychState s = channels.get(paych);
        if (s == null) {
            throw new PaychException(PaychException.Reason.CHANNEL_NOT_FOUND, "payment channel " + paych + " not found on chain");
        }
        return s;
    }

    @Override
    public Address stateAccountKey(Address address) {
        if (address.protocol() != Address.Protocol.ID) {
            return address;
        }
        Address k = accountKeys.get(address);
        if (k == null) {
            throw new PaychException(PaychException.Reason.CHAIN, "actor " + address + " not found");
        }
        return k;
    }

    @Override
    public Address stateLookupId(Address address) {
        for (Map.Entry<Address, Address> e : accountKeys.entrySet()) {
            if (e.getValue().equals(address)) {
                return e.getKey();
            }
        }
        throw new PaychException(PaychException.Reason.CHAIN, "actor " + address + " not found");
    }

    @Override
    public boolean walletVerify(Address signer, byte[] message, Signature signature) {
        walletVerifyCalls.incrementAndGet();
        return walletVerifyAnswer;
    }

    @Override
    public Cid mpoolPushMessage(Message message) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MessageReceipt stateWaitMsg(Cid message, long confidence) {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte[] chainReadObj(Cid cid) {
        return blocks.get(cid);
    }
}
