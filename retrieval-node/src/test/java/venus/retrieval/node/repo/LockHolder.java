package venus.retrieval.node.repo;

import java.nio.file.Path;

/**
 * Test helper run in a second JVM: takes the repository's writer lock, prints {@code locked}, and
 * holds it until stdin closes. If the lock is taken, prints the error line and exits 3.
 */
public final class LockHolder {
    public static void main(String[] args) throws Exception {
        Repo repo = Repo.open(Path.of(args[0]));
        Repo.WriteLock lock;
        try {
            lock = repo.lockForWrite();
        } catch (venus.retrieval.node.NodeException e) {
            System.out.println(e.getMessage());
            System.exit(3);
            return;
        }
        System.out.println("locked");
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close our stdin
        }
        lock.close();
    }
}
