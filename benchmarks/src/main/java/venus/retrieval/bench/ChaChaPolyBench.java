package venus.retrieval.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import venus.retrieval.libp2p.noise.ChaChaPoly;

/**
 * ChaCha20-Poly1305 as Noise uses it: one full transport frame (65,519 bytes of plaintext) per
 * operation, JDK provider vs BouncyCastle. MB/s = ops/s × 65,519 / 10^6.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChaChaPolyBench {
    @Param({"BOUNCYCASTLE", "JDK"})
    public ChaChaPoly.Engine engine;

    private ChaChaPoly aead;
    private final byte[] nonce = new byte[12];
    private final byte[] plain = new byte[65519];
    private final byte[][] sealed = new byte[2][65535];
    private final byte[] out = new byte[65535];
    private long counter;

    @Setup
    public void setup() {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        aead = ChaChaPoly.create(engine, key);
        // the decrypt benchmark alternates two frames: the JDK refuses to re-init with the previous nonce
        for (int i = 0; i < 2; i++) {
            ChaChaPoly.nonce(i, nonce);
            ChaChaPoly.create(engine, key).encrypt(nonce, new byte[0], plain, 0, plain.length, sealed[i], 0);
        }
    }

    @Benchmark
    public int encryptFrame() {
        ChaChaPoly.nonce(counter++, nonce);
        return aead.encrypt(nonce, new byte[0], plain, 0, plain.length, out, 0);
    }

    @Benchmark
    public int decryptFrame() {
        int i = (int) (counter++ & 1);
        ChaChaPoly.nonce(i, nonce);
        return aead.decrypt(nonce, new byte[0], sealed[i], 0, sealed[i].length, out, 0);
    }
}
