package venus.retrieval.node.cli;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.api.ApiClient;
import venus.retrieval.node.api.Permission;
import venus.retrieval.node.repo.Repo;

/**
 * {@code vrn stop}: asks the daemon running on the repository to stop ({@code VRN.Shutdown}, admin
 * token) and waits until it has released the repository (at most {@link #WAIT_SECONDS} s).
 */
@Command(name = "stop", description = "Stop the daemon running on the repository and wait until it has exited.")
public final class StopCommand implements Callable<Integer> {
    static final long WAIT_SECONDS = 15;

    @Mixin
    RepoOption repo;

    @Override
    public Integer call() throws InterruptedException {
        Repo r = Repo.open(repo.path());
        Optional<ApiClient> api = ApiClient.ofRunningDaemon(r, Permission.ADMIN);
        if (api.isEmpty()) {
            throw new CliException("no vrn daemon is running on " + r.dir());
        }
        api.get().call("VRN.Shutdown");
        // Stopped = the writer lock is free again (daemon.json goes first, the lock last).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            try (Repo.WriteLock lock = r.lockForWrite()) {
                Vrn.out().println("vrn daemon on " + r.dir() + " stopped");
                return 0;
            } catch (NodeException e) {
                if (e.reason() != NodeException.Reason.REPO_IN_USE) {
                    throw e;
                }
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new CliException("the daemon on " + r.dir() + " did not stop within " + WAIT_SECONDS + " s");
    }
}
