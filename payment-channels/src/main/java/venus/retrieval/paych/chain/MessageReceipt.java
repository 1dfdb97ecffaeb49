package venus.retrieval.paych.chain;

import venus.retrieval.ipld.Cid;

/**
 * What {@code StateWaitMsg} returns: where the message landed and how it exited.
 *
 * @param message the message CID
 * @param exitCode 0 on success (payment channel: 16 illegal argument, 18 forbidden, 32 settled)
 * @param returnValue the CBOR return bytes (empty for none)
 * @param height the epoch of the tipset that executed it
 */
public record MessageReceipt(Cid message, long exitCode, byte[] returnValue, long height) {
    public MessageReceipt {
        returnValue = returnValue == null ? new byte[0] : returnValue.clone();
    }

    @Override
    public byte[] returnValue() {
        return returnValue.clone();
    }

    /** True when the message exited 0. */
    public boolean ok() {
        return exitCode == 0;
    }
}
