package venus.retrieval.node.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.daemon.Daemon;
import venus.retrieval.node.repo.Repo;

/**
 * {@code vrn daemon}: runs the node until SIGTERM/SIGINT (or {@code VRN.Shutdown}). Stops within
 * {@code daemon.shutdown_grace} and in any case within {@link #HARD_LIMIT_MILLIS}.
 */
@Command(name = "daemon", description = "Run the node: gateway, libp2p, admin API (writes REPO/daemon.json while running).")
public final class DaemonCommand implements Callable<Integer> {
    /** The operator contract: exit within 10 s of SIGTERM whatever a service does. */
    static final long HARD_LIMIT_MILLIS = 9_000;

    @Mixin
    RepoOption repo;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key for this run (repeatable).")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() {
        Repo r = Repo.open(repo.path());
        NodeConfig config = NodeConfig.load(r.configFile(), System.getenv(), sets);
        configureLogging(config.get(ConfigKeys.LOG_LEVEL));
        Daemon daemon = Daemon.start(r, config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopOnSignal(daemon), "vrn-sigterm"));
        daemon.awaitStopped();
        return 0;
    }

    static void stopOnSignal(Daemon daemon) {
        // Watchdog: whatever a service does, the process ends within the contract's 10 s.
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(HARD_LIMIT_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            daemon.deleteDaemonJson();
            Vrn.err().println("vrn: shutdown took longer than " + HARD_LIMIT_MILLIS / 1000 + "s; halting");
            Runtime.getRuntime().halt(1);
        }, "vrn-shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        daemon.stop();
        watchdog.interrupt();
    }

    /** slf4j-simple reads these once, at its first use: call before anything logs. */
    static void configureLogging(String level) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    }
}
