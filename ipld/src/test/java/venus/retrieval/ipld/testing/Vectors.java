package venus.retrieval.ipld.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The independent test vectors (a copy of shared/vectors in ipld's test resources), for every
 * module's tests. Found through the {@code vrn.root} system property that Surefire and Failsafe
 * set to the reactor root, so it works from any module and from the ipld test-jar.
 */
public final class Vectors {
    private static JsonNode manifest;

    private Vectors() {}

    /** The reactor root directory. */
    public static Path root() {
        String r = System.getProperty("vrn.root");
        if (r == null) {
            Path p = Path.of("").toAbsolutePath();
            while (p != null && !Files.exists(p.resolve("ipld/src/test/resources/vectors/manifest.json"))) {
                p = p.getParent();
            }
            if (p == null) {
                throw new IllegalStateException("cannot find the reactor root; set -Dvrn.root");
            }
            return p;
        }
        return Path.of(r).toAbsolutePath();
    }

    /** The vectors directory (holds manifest.json, unixfs/, car/). */
    public static Path dir() {
        return root().resolve("ipld/src/test/resources/vectors");
    }

    /** A file named relative to the vectors directory, e.g. {@code unixfs/dir-site.car}. */
    public static Path file(String relative) {
        return dir().resolve(relative);
    }

    /** The parsed manifest.json. */
    public static synchronized JsonNode manifest() {
        if (manifest == null) {
            try {
                manifest = new ObjectMapper().readTree(dir().resolve("manifest.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return manifest;
    }

    /** The manifest's PRNG: xorshift32 (x^=x<<13; x^=x>>>17; x^=x<<5), one byte = x &amp; 0xff per step. */
    public static byte[] xorshift(long seed, int size) {
        if (seed == 0) {
            throw new IllegalArgumentException("xorshift32 seed must be non-zero");
        }
        int x = (int) seed;
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            out[i] = (byte) x;
        }
        return out;
    }
}
