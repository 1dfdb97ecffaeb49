package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 between "accepted" and anything else: a subprocess accepts vouchers and prints an ACK
 * after each commit; we SIGKILL it right after a random ACK (so the kill lands anywhere in the
 * next write) and reopen the store: every acknowledged voucher must be there.
 */
class VoucherStoreCrashTest {
    @TempDir
    Path repo;

    @Test
    void everyAcknowledgedVoucherSurvivesSigkill() throws Exception {
        Random random = new Random(20261127L);
        Address ch = Address.parse("f2edcoyjd4utkafphh3ov6ongftldzsqpninngbla");
        Map<Long, Long> ackedNonceByLane = new HashMap<>();
        int next = 0;
        int trials = 12;
        for (int trial = 0; trial < trials; trial++) {
            int killAfter = 1 + random.nextInt(25);
            Process p = start(next);
            int acks = 0;
            int lastN = next - 1;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while (acks < killAfter && (line = out.readLine()) != null) {
                    String[] f = line.split(" ");
                    assertThat(f[0]).isEqualTo("ACK");
                    long lane = Long.parseLong(f[1]);
                    long nonce = Long.parseLong(f[2]);
                    ackedNonceByLane.merge(lane, nonce, Math::max);
                    lastN = (int) nonce;
                    acks++;
                }
                p.destroyForcibly(); // SIGKILL
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(acks).as("trial %d: the subprocess acknowledged before dying (stderr: %s)", trial,
                    java.nio.file.Files.readString(repo.resolve("stderr.txt"))).isEqualTo(killAfter);
            try (VoucherStore store = VoucherStore.open(repo)) {
                SortedMap<Long, SignedVoucher> best = store.bestReceived(ch);
                for (Map.Entry<Long, Long> e : ackedNonceByLane.entrySet()) {
                    assertThat(best.get(e.getKey())).as("lane %d after trial %d", e.getKey(), trial).isNotNull();
                    assertThat(best.get(e.getKey()).nonce()).as("lane %d after trial %d", e.getKey(), trial).isGreaterThanOrEqualTo(e.getValue());
                }
                // the next run continues above anything the killed one may have committed unacknowledged
                long maxStored = best.values().stream().mapToLong(SignedVoucher::nonce).max().orElse(-1);
                next = (int) Math.max(lastN, maxStored) + 1;
            }
        }
        assertThat(ackedNonceByLane).isNotEmpty();
    }

    private Process start(int from) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java,
                "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                VoucherStoreKillMain.class.getName(), repo.toString(), Integer.toString(from)));
        return new ProcessBuilder(cmd).redirectError(repo.resolve("stderr.txt").toFile()).start();
    }
}
