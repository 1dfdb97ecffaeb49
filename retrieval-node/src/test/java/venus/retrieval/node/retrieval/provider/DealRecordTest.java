package venus.retrieval.node.retrieval.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.retrieval.Wire;

/** The deal record on disk: what a restart needs round-trips, and records written before it still decode. */
class DealRecordTest {
    static final Cid PAYLOAD = Cid.of(Multicodec.RAW, "payload".getBytes());

    @Test
    void everyFieldRoundTripsThroughTheStore(@TempDir Path dir) {
        DealRecord r = new DealRecord(new byte[] {1, 2, 3}, -5L, 7, PAYLOAD, null, ProviderFsm.State.AWAITING_RESTART,
                BigInteger.TWO, BigInteger.valueOf(5000), new BigInteger("123456789012345678901234567890"), 400_123, new byte[] {9},
                "provider restarted during the transfer", 200_000, 50_000, 450_000, 17, new byte[] {(byte) 0xa0}, new byte[] {1, 4},
                new byte[] {(byte) 0x8b}, BigInteger.valueOf(450_000));
        try (DealStore store = DealStore.open(dir)) {
            store.put(r);
            DealRecord back = store.get(new byte[] {1, 2, 3}, -5L);
            assertThat(back).usingRecursiveComparison().isEqualTo(r);
            assertThat(store.get(new byte[] {1, 2, 3}, 4)).isNull();
            assertThat(store.get(new byte[] {1, 2}, -5L)).isNull();
        }
    }

    @Test
    void aRecordWrittenBeforeRestartsExistedStillDecodes() {
        // the key set of the first on-disk format (no interval, increase, limit, progress, proposal, payee)
        byte[] old = DagCbor.encode(Node.mapBuilder()
                .put("client", Node.bytes(new byte[] {1}))
                .put("xfer", Wire.uint(3))
                .put("deal", Wire.uint(4))
                .put("payload", Node.link(PAYLOAD))
                .put("piece", Node.NULL)
                .put("state", Node.string("ERRORED"))
                .put("price", Wire.bigInt(BigInteger.ONE))
                .put("unseal", Wire.bigInt(BigInteger.ZERO))
                .put("funds", Wire.bigInt(BigInteger.TEN))
                .put("sent", Wire.uint(10))
                .put("paych", Node.NULL)
                .put("msg", Node.string("provider restarted during the transfer"))
                .build());
        DealRecord r = DealRecord.decode(old);
        assertThat(r.state()).isEqualTo(ProviderFsm.State.ERRORED);
        assertThat(r.funds()).isEqualTo(BigInteger.TEN);
        assertThat(r.bytesSent()).isEqualTo(10);
        assertThat(r.paymentInterval()).isZero();
        assertThat(r.paymentIntervalIncrease()).isZero();
        assertThat(r.dataLimit()).isZero();
        assertThat(r.progress()).isZero();
        assertThat(r.proposal()).isNull();
        assertThat(r.payee()).isNull();
        assertThat(r.pendingVoucher()).isNull();
        assertThat(r.pendingBaseline()).isZero();
    }
}
