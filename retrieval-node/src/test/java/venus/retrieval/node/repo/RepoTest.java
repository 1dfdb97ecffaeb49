package venus.retrieval.node.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.node.NodeException;
import venus.retrieval.paych.Wallet;
import venus.retrieval.node.api.ApiTokens;
import venus.retrieval.node.api.Permission;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.NodeConfig;

class RepoTest {
    @TempDir
    Path tmp;

    @Test
    void initCreatesLayoutWithPrivateKeystore() throws Exception {
        Path dir = tmp.resolve("repo");
        RepoInit.Result r = RepoInit.init(dir);
        assertThat(r.created()).isTrue();
        Repo repo = Repo.open(dir);
        assertThat(Files.readString(repo.versionFile()).trim()).isEqualTo(Integer.toString(Repo.FORMAT));
        assertThat(repo.configFile()).isRegularFile();
        assertThat(repo.lmdb()).isDirectory();
        assertThat(repo.paychLmdb()).isDirectory();
        assertThat(repo.pieces()).isDirectory();
        assertThat(repo.daemonJson()).doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(repo.libp2pKey()))).isEqualTo("rw-------");
        assertThat(PeerIdentity.load(repo.libp2pKey()).peerId().toString()).isEqualTo(r.peerId()).startsWith("12D3KooW");
        assertThat(Wallet.open(repo.dir()).defaultAddress()).isEqualTo(r.paymentAddress());
        assertThat(r.paymentAddress().toString()).startsWith("f1");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(repo.keystore()))).isEqualTo("rwx------");
        for (Permission p : Permission.values()) {
            Path f = ApiTokens.file(repo, p);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
            assertThat(Files.readString(f).trim()).matches("[0-9a-f]{64}");
        }
        ApiTokens tokens = ApiTokens.load(repo);
        assertThat(tokens.token(Permission.ADMIN)).isNotEqualTo(tokens.token(Permission.READ));
        assertThat(tokens.check(tokens.token(Permission.WRITE).orElseThrow())).contains(Permission.WRITE);
        assertThat(tokens.check("00")).isEmpty();
        assertThat(tokens.check(null)).isEmpty();
        // config.toml lists every key and loads to the defaults
        NodeConfig c = NodeConfig.load(repo.configFile(), Map.of(), List.of());
        assertThat(c.texts()).isEqualTo(NodeConfig.defaults().texts());
        assertThat(c.source(ConfigKeys.NETWORK)).isEqualTo(repo.configFile().toString());
    }

    @Test
    void initTwiceChangesNothing() throws Exception {
        Path dir = tmp.resolve("repo");
        RepoInit.init(dir);
        String token = Files.readString(ApiTokens.file(Repo.open(dir), Permission.ADMIN));
        RepoInit.Result first = RepoInit.init(dir.resolveSibling("other"));
        RepoInit.Result again = RepoInit.init(dir);
        assertThat(again.created()).isFalse();
        assertThat(again.peerId()).isEqualTo(PeerIdentity.load(dir.resolve("keystore/libp2p.key")).peerId().toString());
        assertThat(again.peerId()).isNotEqualTo(first.peerId());
        assertThat(Files.readString(ApiTokens.file(again.repo(), Permission.ADMIN))).isEqualTo(token);
    }

    @Test
    void initIntoExistingEmptyDirectoryWorks() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("empty"));
        assertThat(RepoInit.init(dir).created()).isTrue();
    }

    @Test
    void initRefusesNonEmptyNonRepoDirectory() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("stuff"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> RepoInit.init(dir))
                .isInstanceOf(NodeException.class)
                .hasMessage("refusing to initialise " + dir + ": the directory is not empty and is not a vrn repository")
                .extracting(e -> ((NodeException) e).reason()).isEqualTo(NodeException.Reason.REPO_NOT_EMPTY);
        assertThat(dir.resolve("notes.txt")).hasContent("mine");
        assertThat(dir.resolve("keystore")).doesNotExist();
    }

    @Test
    void openMissingRepo() {
        Path dir = tmp.resolve("absent");
        assertThatThrownBy(() -> Repo.open(dir))
                .hasMessage("no vrn repository at " + dir + " (run `vrn init`)")
                .extracting(e -> ((NodeException) e).reason()).isEqualTo(NodeException.Reason.REPO_MISSING);
    }

    @Test
    void openIncompatibleVersion() throws Exception {
        Path dir = tmp.resolve("repo");
        RepoInit.init(dir);
        Files.writeString(dir.resolve("version"), "7\n");
        assertThatThrownBy(() -> Repo.open(dir))
                .hasMessage("repository " + dir + " was written by repo format 7; this vrn reads format " + Repo.FORMAT)
                .extracting(e -> ((NodeException) e).reason()).isEqualTo(NodeException.Reason.REPO_VERSION);
        assertThatThrownBy(() -> RepoInit.init(dir)).hasMessageContaining("repo format 7");
        Files.writeString(dir.resolve("version"), "garbage");
        assertThatThrownBy(() -> Repo.open(dir)).hasMessageContaining("unreadable version file");
    }

    @Test
    void writeLockIsExclusiveWithinAProcessAndReleasable() {
        Repo repo = RepoInit.init(tmp.resolve("repo")).repo();
        try (Repo.WriteLock lock = repo.lockForWrite()) {
            assertThat(lock.isValid()).isTrue();
            assertThatThrownBy(repo::lockForWrite)
                    .hasMessage("repository " + repo.dir() + " is in use by another vrn process (pid "
                            + ProcessHandle.current().pid() + ")");
        }
        try (Repo.WriteLock again = repo.lockForWrite()) {
            assertThat(again.isValid()).isTrue();
        }
    }

    @Test
    void atomicWriteReplaces() throws Exception {
        Path f = tmp.resolve("x.json");
        Repo.writeAtomically(f, "a".getBytes(), false);
        Repo.writeAtomically(f, "b".getBytes(), true);
        assertThat(f).hasContent("b");
        try (var s = Files.list(tmp)) {
            assertThat(s).containsExactly(f);
        }
    }
}
