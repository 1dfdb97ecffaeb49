package venus.retrieval.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import venus.retrieval.libp2p.noise.ChaChaPoly;

/**
 * ChaCha20-Poly1305 engines compared by CPU time (MB per CPU-second of this thread) on full Noise
 * frames of 65,519 bytes. On a shared machine wall-clock rates (JMH's {@code ChaChaPolyBench})
 * swing with the CPU share a run gets; thread CPU time does not, so this ranks the engines more
 * reliably there.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar venus.retrieval.bench.ChaChaPolyCpu [rounds]</pre>
 */
public final class ChaChaPolyCpu {
    private static final int FRAME = 65519;
    private static final int FRAMES = 400;

    private ChaChaPolyCpu() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        byte[] key = new byte[32];
        byte[] plain = new byte[FRAME];
        byte[][] sealed = new byte[FRAMES][FRAME + ChaChaPoly.TAG]; // distinct nonces: the JDK refuses a repeated one
        byte[] out = new byte[FRAME + ChaChaPoly.TAG];
        byte[] nonce = new byte[12];
        byte[] noAd = new byte[0];
        for (int r = 0; r < rounds; r++) {
            for (ChaChaPoly.Engine e : ChaChaPoly.Engine.values()) {
                ChaChaPoly enc = ChaChaPoly.create(e, key);
                ChaChaPoly dec = ChaChaPoly.create(e, key);
                long t0 = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < FRAMES; i++) {
                    ChaChaPoly.nonce((long) r * FRAMES + i, nonce);
                    enc.encrypt(nonce, noAd, plain, 0, FRAME, sealed[i], 0);
                }
                long t1 = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < FRAMES; i++) {
                    ChaChaPoly.nonce((long) r * FRAMES + i, nonce);
                    dec.decrypt(nonce, noAd, sealed[i], 0, sealed[i].length, out, 0);
                }
                long t2 = threads.getCurrentThreadCpuTime();
                double mb = (double) FRAMES * FRAME / 1e6;
                System.out.printf("round %d  %-12s encrypt %7.1f MB/CPU-s   decrypt %7.1f MB/CPU-s%n",
                        r, e, mb / ((t1 - t0) / 1e9), mb / ((t2 - t1) / 1e9));
            }
        }
    }
}
