package venus.retrieval.paych.chain;

import venus.retrieval.paych.Address;
import venus.retrieval.paych.TokenAmount;

/**
 * An unsigned chain message as {@code MpoolPushMessage} takes it; the node fills nonce and gas.
 *
 * @param to the receiving actor
 * @param from the sender (a key or ID address the node holds a key for)
 * @param value attoFIL sent with the message
 * @param method the actor method number (payment channel: 2 UpdateChannelState, 3 Settle, 4 Collect)
 * @param params the CBOR-encoded parameters (empty for none)
 */
public record Message(Address to, Address from, TokenAmount value, long method, byte[] params) {
    /** Payment-channel method numbers. */
    public static final long METHOD_SEND = 0, METHOD_UPDATE_CHANNEL_STATE = 2, METHOD_SETTLE = 3, METHOD_COLLECT = 4;

    public Message {
        params = params == null ? new byte[0] : params.clone();
    }

    @Override
    public byte[] params() {
        return params.clone();
    }
}
