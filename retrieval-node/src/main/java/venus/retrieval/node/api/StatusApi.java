package venus.retrieval.node.api;

import com.googlecode.jsonrpc4j.JsonRpcMethod;
import java.util.List;
import java.util.Map;

/**
 * What a running node is doing: libp2p peers, payment channels and vouchers received, earnings,
 * the effective retrieval asks and the retrieval deals. Read-only. Token amounts are attoFIL as
 * decimal strings (they exceed a JSON number's safe range); addresses use the network's prefix.
 */
public interface StatusApi {
    /** One libp2p connection. */
    record Peer(String peerId, String addr, String direction, List<String> protocols, String agent) {
    }

    /** The best voucher received on one lane. */
    record LaneVoucher(long lane, long nonce, String amount, long submittedNonce) {
    }

    /** One payment channel paying this node. */
    record Channel(String channel, String total, List<LaneVoucher> lanes) {
    }

    /** Totals over every channel. */
    record Earnings(boolean paymentsEnabled, int channels, String receivedAttoFil) {
    }

    /** One ask: {@code miner} is null for the node-wide default. */
    record Ask(String miner, String pricePerByte, String unsealPrice, long paymentInterval, long paymentIntervalIncrease,
               String paymentAddress) {
    }

    /** One retrieval deal as the provider persisted it. */
    record Deal(String client, long transferId, long dealId, String payloadCid, String pieceCid, String state,
                String pricePerByte, String funds, long bytesSent, String paymentChannel, String message) {
    }

    @JsonRpcMethod("VRN.NetPeers")
    @RequiresPermission(Permission.READ)
    List<Peer> netPeers();

    @JsonRpcMethod("VRN.PaychList")
    @RequiresPermission(Permission.READ)
    List<Channel> paychList();

    @JsonRpcMethod("VRN.Earnings")
    @RequiresPermission(Permission.READ)
    Earnings earnings();

    @JsonRpcMethod("VRN.AskList")
    @RequiresPermission(Permission.READ)
    List<Ask> askList();

    @JsonRpcMethod("VRN.DealList")
    @RequiresPermission(Permission.READ)
    List<Deal> dealList();

    /** A few traffic counters from the metrics registry, by name (for the status page). */
    @JsonRpcMethod("VRN.Traffic")
    @RequiresPermission(Permission.READ)
    Map<String, Double> traffic();
}
