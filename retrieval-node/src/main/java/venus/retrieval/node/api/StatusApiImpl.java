package venus.retrieval.node.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import venus.retrieval.libp2p.Connection;
import venus.retrieval.libp2p.PeerId;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.node.config.Networks;
import venus.retrieval.node.retrieval.RetrievalAsk;
import venus.retrieval.node.retrieval.RetrievalAsks;
import venus.retrieval.node.retrieval.provider.DealRecord;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;

/**
 * {@link StatusApi} over the daemon's parts. Each part is optional (a supplier answering null):
 * a node without payments lists no channels rather than failing.
 */
public final class StatusApiImpl implements StatusApi {
    private final Host host;
    private final Supplier<VoucherStore> vouchers;
    private final RetrievalAsks asks;
    private final Supplier<List<DealRecord>> deals;
    private final MeterRegistry registry;
    private final String network;

    /**
     * @param vouchers the voucher store when payments run, else answers null
     * @param asks the effective retrieval asks, or null
     * @param deals the retrieval provider's deals
     */
    public StatusApiImpl(Host host, Supplier<VoucherStore> vouchers, RetrievalAsks asks, Supplier<List<DealRecord>> deals,
                         MeterRegistry registry, String network) {
        this.host = host;
        this.vouchers = vouchers;
        this.asks = asks;
        this.deals = deals;
        this.registry = registry;
        this.network = network;
    }

    @Override
    public List<Peer> netPeers() {
        List<Peer> out = new ArrayList<>();
        for (Connection c : host.connections()) {
            Connection.PeerInfo info = c.peerInfo();
            out.add(new Peer(c.remotePeer().toString(), String.valueOf(c.remoteAddress()), c.isInitiator() ? "outbound" : "inbound",
                    info == null ? List.of() : info.protocols(), info == null ? null : info.agentVersion()));
        }
        return out;
    }

    @Override
    public List<Channel> paychList() {
        VoucherStore s = vouchers.get();
        if (s == null) {
            return List.of();
        }
        List<Channel> out = new ArrayList<>();
        for (Address ch : s.receivedChannels()) {
            List<LaneVoucher> lanes = new ArrayList<>();
            for (Map.Entry<Long, SignedVoucher> e : s.bestReceived(ch).entrySet()) {
                SignedVoucher v = e.getValue();
                lanes.add(new LaneVoucher(e.getKey(), v.nonce(), v.amount().atto().toString(), s.submittedNonce(ch, e.getKey())));
            }
            out.add(new Channel(Networks.format(ch, network), s.receivedTotal(ch).atto().toString(), lanes));
        }
        return out;
    }

    @Override
    public Earnings earnings() {
        VoucherStore s = vouchers.get();
        if (s == null) {
            return new Earnings(false, 0, "0");
        }
        List<Address> chs = s.receivedChannels();
        return new Earnings(true, chs.size(), total(s, chs).toString());
    }

    private static BigInteger total(VoucherStore s, List<Address> chs) {
        BigInteger sum = BigInteger.ZERO;
        for (Address ch : chs) {
            TokenAmount t = s.receivedTotal(ch);
            sum = sum.add(t.atto());
        }
        return sum;
    }

    @Override
    public List<Ask> askList() {
        if (asks == null) {
            return List.of();
        }
        List<Ask> out = new ArrayList<>();
        out.add(ask(null, asks.defaults()));
        asks.byMiner().forEach((miner, a) -> out.add(ask(miner, a)));
        return out;
    }

    private Ask ask(String miner, RetrievalAsk a) {
        return new Ask(miner, a.pricePerByte().toString(), a.unsealPrice().toString(), a.paymentInterval(),
                a.paymentIntervalIncrease(), Networks.format(a.paymentAddress(), network));
    }

    @Override
    public List<Deal> dealList() {
        List<Deal> out = new ArrayList<>();
        for (DealRecord r : deals.get()) {
            String client;
            try {
                client = PeerId.fromBytes(r.client()).toString();
            } catch (RuntimeException e) {
                client = HexFormat.of().formatHex(r.client());
            }
            String paych = null;
            if (r.paymentChannel() != null) {
                try {
                    paych = Networks.format(Address.fromBytes(r.paymentChannel()), network);
                } catch (RuntimeException e) {
                    paych = HexFormat.of().formatHex(r.paymentChannel());
                }
            }
            out.add(new Deal(client, r.transferId(), r.dealId(), String.valueOf(r.payloadCid()),
                    r.pieceCid() == null ? null : r.pieceCid().toString(), r.state().name(), String.valueOf(r.pricePerByte()),
                    String.valueOf(r.funds()), r.bytesSent(), paych, r.message()));
        }
        return out;
    }

    @Override
    public Map<String, Double> traffic() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Meter m : registry.getMeters()) {
            String name = m.getId().getName();
            if (!name.startsWith("vrn.served.") && !name.startsWith("vrn.import.") && !name.startsWith("vrn.blocks.")
                    && !name.startsWith("vrn.paych.") && !name.startsWith("vrn.libp2p.")) {
                continue;
            }
            String protocol = m.getId().getTag("protocol");
            if (protocol == null) {
                protocol = m.getId().getTag("direction"); // vrn.libp2p.streams.opened{inbound|outbound}
            }
            String key = protocol == null ? name : name + "{" + protocol + "}";
            double v;
            if (m instanceof Counter c) {
                v = c.count();
            } else if (m instanceof FunctionCounter fc) {
                v = fc.count();
            } else if (m instanceof Gauge g) {
                v = g.value();
            } else {
                continue;
            }
            out.put(key, v);
        }
        return out;
    }
}
