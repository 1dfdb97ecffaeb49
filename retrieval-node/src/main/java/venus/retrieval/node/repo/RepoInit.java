package venus.retrieval.node.repo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import venus.retrieval.node.NodeException;
import venus.retrieval.node.api.ApiTokens;
import venus.retrieval.node.config.ConfigTemplate;

/**
 * {@code vrn init}: creates a repository with a {@code config.toml} listing every key, the API tokens,
 * and the node's keys. Re-running on an existing repository changes nothing.
 */
public final class RepoInit {
    private RepoInit() {
    }

    /** What {@link #init} did. */
    public record Result(Repo repo, boolean created) {
    }

    /**
     * Initialises {@code dir}, or reports that it already holds a repository of this format.
     *
     * @throws NodeException {@code REPO_NOT_EMPTY} for a non-empty directory that is not a repository,
     *     {@code REPO_VERSION} for a repository of another format
     */
    public static Result init(Path dir) {
        if (Repo.exists(dir)) {
            return new Result(Repo.open(dir), false);
        }
        boolean existed = Files.isDirectory(dir);
        Repo repo = Repo.create(dir);
        try {
            Repo.writeAtomically(repo.configFile(), ConfigTemplate.toml().getBytes(StandardCharsets.UTF_8), false);
            ApiTokens.create(repo);
            repo.markInitialised();
            return new Result(repo, true);
        } catch (RuntimeException e) {
            // Leave the directory as we found it (empty or absent) so init can simply be re-run.
            removeContents(repo.dir(), !existed);
            throw e;
        }
    }

    private static void removeContents(Path dir, boolean alsoDir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder())
                    .filter(p -> alsoDir || !p.equals(dir))
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the original error is what the user needs to see
        }
    }
}
