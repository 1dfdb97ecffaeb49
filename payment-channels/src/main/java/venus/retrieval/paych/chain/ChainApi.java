package venus.retrieval.paych.chain;

import java.util.SortedMap;
import venus.retrieval.ipld.Cid;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.Signature;

/**
 * The few chain calls payment channels need, named after the Lotus JSON-RPC methods they map to.
 * Two implementations: {@link LotusChainApi} (a Lotus/Venus node over JSON-RPC) and the embedded
 * {@link DevLedger}. Every method reads at the current head. Failures are {@link PaychException}
 * with reason {@code CHAIN} (transport, RPC error) or {@code CHANNEL_NOT_FOUND}.
 */
public interface ChainApi {
    /** {@code ChainHead}: the current epoch (the head tipset's height). */
    long chainHead();

    /** {@code StateReadState} of a payment-channel actor: its balance and state. */
    PaychState stateReadState(Address paych);

    /** {@code StateAccountKey}: the key address (f1/f3) behind an ID or key address. */
    Address stateAccountKey(Address address);

    /** {@code StateLookupID}: the ID address of any address. */
    Address stateLookupId(Address address);

    /** {@code WalletVerify}: whether {@code signature} over {@code message} was made by {@code signer}'s key. */
    boolean walletVerify(Address signer, byte[] message, Signature signature);

    /** {@code MpoolPushMessage}: signs (with the node's key for {@code From}) and pushes a message; returns its CID. */
    Cid mpoolPushMessage(Message message);

    /** {@code StateWaitMsg}: waits until the message is on chain with {@code confidence} epochs on top. */
    MessageReceipt stateWaitMsg(Cid message, long confidence);

    /** {@code ChainReadObj}: the raw bytes of a chain IPLD block (e.g. a lane-state AMT node). */
    byte[] chainReadObj(Cid cid);

    /** The channel's on-chain lane states by lane, read from its lane-state AMT with {@link #chainReadObj}. */
    default SortedMap<Long, PaychState.LaneState> laneStates(PaychState state) {
        return LaneStatesAmt.read(this::chainReadObj, state.laneStatesRoot());
    }
}
