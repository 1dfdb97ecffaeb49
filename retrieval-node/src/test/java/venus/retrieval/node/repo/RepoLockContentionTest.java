package venus.retrieval.node.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer lock between two JVMs: the refused writer names the holder's pid. */
class RepoLockContentionTest {
    @TempDir
    Path tmp;

    private static ProcessBuilder holder(Path repo) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), repo.toString());
    }

    @Test
    void secondProcessIsRefusedWhileFirstHoldsTheLock() throws Exception {
        Repo repo = RepoInit.init(tmp.resolve("repo")).repo();
        Process other = holder(repo.dir()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked");
            assertThat(repo.writerMayBeRunning()).isTrue(); // what read-only `piece ls` asks
            assertThatThrownBy(repo::lockForWrite)
                    .hasMessage("repository " + repo.dir() + " is in use by another vrn process (pid " + other.pid() + ")");
            other.getOutputStream().close(); // let it release and exit
            assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(other.exitValue()).isZero();
            assertThat(repo.writerMayBeRunning()).isFalse(); // the file still names it, but it is gone
            java.nio.file.Files.writeString(repo.lockFile(), "garbage");
            assertThat(repo.writerMayBeRunning()).isTrue(); // unreadable: assume a writer (shows imports as they are)
            try (Repo.WriteLock lock = repo.lockForWrite()) {
                assertThat(lock.isValid()).isTrue();
            }
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void otherProcessIsRefusedWhileWeHoldTheLock() throws Exception {
        Repo repo = RepoInit.init(tmp.resolve("repo")).repo();
        try (Repo.WriteLock lock = repo.lockForWrite()) {
            Process other = holder(repo.dir()).redirectErrorStream(true).start();
            try {
                String line = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(other.exitValue()).isEqualTo(3);
                assertThat(line).isEqualTo("repository " + repo.dir() + " is in use by another vrn process (pid "
                        + ProcessHandle.current().pid() + ")");
            } finally {
                other.destroyForcibly();
            }
        }
    }
}
