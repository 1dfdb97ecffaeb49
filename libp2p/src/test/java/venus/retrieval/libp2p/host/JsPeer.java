package venus.retrieval.libp2p.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import venus.retrieval.ipld.testing.Interop;

/** A running {@code interop/libp2p-peer.mjs}: its JSON event lines, and a clean stop (stdin close). */
final class JsPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final StringBuilder transcript = new StringBuilder();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    JsPeer(String... args) throws IOException {
        process = Interop.start("libp2p-peer.mjs", args);
        Thread out = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (transcript) {
                        transcript.append(line).append('\n');
                    }
                    try {
                        events.add(JSON.readTree(line));
                    } catch (IOException e) {
                        // not an event line
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(() -> {
            try {
                process.getErrorStream().transferTo(stderr);
            } catch (IOException ignored) {
                // process ended
            }
        });
        err.setDaemon(true);
        err.start();
    }

    /** The next event named {@code name} (earlier events of other names are skipped). */
    JsonNode await(String name, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
            if (e == null) {
                throw new AssertionError("js peer sent no '" + name + "' event in " + seconds + " s\nstdout:\n" + transcript()
                        + "\nstderr:\n" + stderr.toString(StandardCharsets.UTF_8));
            }
            if (name.equals(e.path("event").asText())) {
                return e;
            }
            if ("error".equals(e.path("event").asText())) {
                throw new AssertionError("js peer reported an error: " + e);
            }
        }
    }

    String transcript() {
        synchronized (transcript) {
            return transcript.toString();
        }
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
