package venus.retrieval.node.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code bin/vrn} as subprocesses, for the launcher ITs (daemon, admin API, status page):
 * starts commands with their output in files, waits for a daemon's {@code daemon.json}, and kills
 * whatever is still running on {@link #close()} so a failed test leaves no daemon behind.
 */
public final class Launcher implements AutoCloseable {
    /** The checkout's root (Surefire/Failsafe set {@code vrn.root}). */
    public static final Path ROOT = Path.of(System.getProperty("vrn.root", "..")).toAbsolutePath().normalize();
    /** Every listener on loopback port 0, so parallel runs never collide. */
    public static final List<String> PORT0 = List.of("--set", "gateway.listen=127.0.0.1:0", "--set", "api.listen=127.0.0.1:0",
            "--set", "libp2p.listen=/ip4/127.0.0.1/tcp/0");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Process> processes = new ArrayList<>();

    /** Starts {@code bin/vrn args…}; stdout goes to {@code stdout} (discarded when null), stderr to {@code stderr}. */
    public Process start(Path stdout, Path stderr, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("bin/vrn").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile())
                .redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()));
        pb.environment().remove("VRN_REPO"); // the repo is always given explicitly
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** {@code daemon --repo REPO} followed by {@code extra}. */
    public static String[] daemonArgs(Path repo, List<String> extra) {
        List<String> a = new ArrayList<>(List.of("daemon", "--repo", repo.toString()));
        a.addAll(extra);
        return a.toArray(String[]::new);
    }

    /** Waits (at most 60 s) for the daemon's {@code daemon.json}, failing early with its stderr if it died. */
    public static JsonNode awaitDaemonJson(Path repo, Process daemon, Path stderr) throws Exception {
        Path f = repo.resolve("daemon.json");
        for (int i = 0; i < 1200; i++) {
            if (Files.exists(f)) {
                return JSON.readTree(f.toFile());
            }
            if (!daemon.isAlive()) {
                throw new AssertionError("daemon exited " + daemon.exitValue() + ": " + Files.readString(stderr));
            }
            daemon.waitFor(50, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("no daemon.json after 60 s: " + Files.readString(stderr));
    }

    /** Kills every process this launcher started that is still running. */
    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
    }
}
