package venus.retrieval.node.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --repo DIR} option every repo-using subcommand mixes in: explicit flag, else
 * {@code VRN_REPO}, else {@code ~/.vrn}.
 */
public final class RepoOption {
    @Option(names = "--repo", paramLabel = "DIR", description = "Repository directory (env VRN_REPO; default ~/.vrn).")
    Path repo;

    /** The repository directory chosen by flag, environment, or default. */
    public Path path() {
        if (repo != null) {
            return repo.toAbsolutePath();
        }
        String env = System.getenv("VRN_REPO");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".vrn");
    }
}
