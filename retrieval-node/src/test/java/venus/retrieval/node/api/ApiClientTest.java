package venus.retrieval.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.node.repo.RepoInit;

class ApiClientTest {
    @TempDir
    Path tmp;

    @Test
    void noDaemonWhenFileMissingOrStale() throws Exception {
        Repo repo = RepoInit.init(tmp.resolve("r")).repo();
        assertThat(ApiClient.ofRunningDaemon(repo, Permission.ADMIN)).isEmpty();
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Files.writeString(repo.daemonJson(), "{\"api\":\"http://127.0.0.1:1\",\"pid\":" + p.pid() + "}");
        assertThat(ApiClient.ofRunningDaemon(repo, Permission.ADMIN)).isEmpty(); // pid is gone
        Files.writeString(repo.daemonJson(), "{\"api\":\"http://127.0.0.1:1\",\"pid\":" + ProcessHandle.current().pid() + "}");
        assertThat(ApiClient.ofRunningDaemon(repo, Permission.ADMIN)).isPresent();
        Files.writeString(repo.daemonJson(), "{trunc");
        assertThat(ApiClient.ofRunningDaemon(repo, Permission.ADMIN)).isEmpty();
    }
}
