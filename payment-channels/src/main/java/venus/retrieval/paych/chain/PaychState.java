package venus.retrieval.paych.chain;

import venus.retrieval.ipld.Cid;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.TokenAmount;

/**
 * A payment-channel actor as {@code StateReadState} shows it.
 *
 * @param balance the actor's balance (the funds the channel can pay out)
 * @param from the payer (usually an ID address)
 * @param to the payee (usually an ID address)
 * @param toSend the sum already redeemed on chain (paid to {@code to} on Collect)
 * @param settlingAt the epoch from which Collect is allowed; 0 when not settling
 * @param minSettleHeight the earliest epoch settling may complete
 * @param laneStatesRoot the root CID of the lane-state AMT (read with {@code ChainReadObj})
 */
public record PaychState(TokenAmount balance, Address from, Address to, TokenAmount toSend,
                         long settlingAt, long minSettleHeight, Cid laneStatesRoot) {
    /** One lane on chain: the cumulative amount redeemed and the nonce of the voucher that did it. */
    public record LaneState(TokenAmount redeemed, long nonce) {}

    /** True once Settle was called. */
    public boolean settling() {
        return settlingAt != 0;
    }
}
