package venus.retrieval.node.retrieval.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;

/** Synchronous and background deal record writes: one key's records land in the order they were made. */
class DealStoreTest {
    @TempDir
    Path dir;

    private static DealRecord record(byte[] client, long transfer, ProviderFsm.State state, long sent) {
        return new DealRecord(client, transfer, 7, Cid.of(Multicodec.RAW, new byte[] {1}), null, state, BigInteger.ONE, BigInteger.ZERO,
                BigInteger.valueOf(sent), sent, null, "", 1 << 20, 0, 0, 0, null, null, null, BigInteger.ZERO);
    }

    @Test
    void backgroundRecordsAreSeenAtOnceAndOrderedWithSynchronousOnes() {
        byte[] a = {1, 2, 3};
        byte[] b = {4, 5};
        try (DealStore s = DealStore.open(dir)) {
            s.put(record(a, 1, ProviderFsm.State.ONGOING, 0));
            for (int i = 1; i <= 100; i++) {
                s.putLater(record(a, 1, i % 2 == 0 ? ProviderFsm.State.ONGOING : ProviderFsm.State.FUNDS_NEEDED, i));
                s.putLater(record(b, 9, ProviderFsm.State.FUNDS_NEEDED, i));
                // readers see the newest record whether or not the writer got to it
                assertThat(s.get(a, 1).bytesSent()).isEqualTo(i);
            }
            s.put(record(a, 1, ProviderFsm.State.COMPLETED, 500)); // supersedes anything still queued
            assertThat(s.get(a, 1).state()).isEqualTo(ProviderFsm.State.COMPLETED);
            assertThat(s.all()).extracting(DealRecord::bytesSent).containsExactlyInAnyOrder(500L, 100L);
            s.putLater(record(b, 9, ProviderFsm.State.ONGOING, 101));
        }
        // close committed what was queued; nothing older overwrote the synchronous record
        try (DealStore s = DealStore.open(dir)) {
            assertThat(s.get(a, 1).state()).isEqualTo(ProviderFsm.State.COMPLETED);
            assertThat(s.get(a, 1).bytesSent()).isEqualTo(500);
            assertThat(s.get(b, 9).bytesSent()).isEqualTo(101);
            assertThat(s.get(b, 9).state()).isEqualTo(ProviderFsm.State.ONGOING);
            assertThat(s.get(b, 10)).isNull();
        }
    }
}
