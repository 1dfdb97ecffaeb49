package venus.retrieval.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import venus.retrieval.node.config.ConfigKey;
import venus.retrieval.node.config.ConfigKeys;
import venus.retrieval.node.config.ConfigTemplate;
import venus.retrieval.node.config.NodeConfig;
import venus.retrieval.node.repo.Repo;

/** {@code vrn config show|check|keys}: the effective configuration, as the daemon would load it. */
@Command(name = "config", description = "Show or check the node configuration.",
        subcommands = {ConfigCommand.Show.class, ConfigCommand.Check.class, ConfigCommand.Keys.class})
public final class ConfigCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(Vrn.out());
    }

    /** Loads config.toml + VRN_* env + --set exactly as {@code vrn daemon} does. */
    static NodeConfig load(RepoOption repo, List<String> sets) {
        Repo r = Repo.open(repo.path());
        return NodeConfig.load(r.configFile(), System.getenv(), sets);
    }

    @Command(name = "show", description = "Print every key's effective value and where it came from.")
    static final class Show implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Apply an override as `vrn daemon --set` would (repeatable).")
        List<String> sets = new ArrayList<>();

        @Option(names = "--json", description = "Print {\"key\":\"value\",...} as one JSON object.")
        boolean json;

        @Override
        public Integer call() {
            NodeConfig c = load(repo, sets);
            if (json) {
                ObjectNode o = Json.MAPPER.createObjectNode();
                c.texts().forEach(o::put);
                Vrn.out().println(o.toString());
            } else {
                for (ConfigKey<?> k : ConfigKeys.all()) {
                    Vrn.out().println(k.name() + " = " + c.text(k) + "    # " + c.source(k));
                }
            }
            return 0;
        }
    }

    @Command(name = "check", description = "Validate the configuration; exit 0 when the daemon would accept it.")
    static final class Check implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Apply an override as `vrn daemon --set` would (repeatable).")
        List<String> sets = new ArrayList<>();

        @Override
        public Integer call() {
            load(repo, sets);
            Vrn.out().println("config ok");
            return 0;
        }
    }

    @Command(name = "keys", description = "Print every configuration key (markdown table, as in docs/config.md).")
    static final class Keys implements Callable<Integer> {
        @Override
        public Integer call() {
            Vrn.out().print(ConfigTemplate.markdownTable());
            return 0;
        }
    }
}
