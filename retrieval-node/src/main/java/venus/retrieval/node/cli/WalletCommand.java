package venus.retrieval.node.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.Wallet;

/** {@code vrn wallet ...}: the payment wallet (secp256k1 keys in REPO/keystore/wallet). */
@Command(name = "wallet", mixinStandardHelpOptions = true, description = "Manage payment keys (secp256k1, f1 addresses).",
        subcommands = {WalletCommand.New.class, WalletCommand.ListKeys.class})
public final class WalletCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(Vrn.out());
    }

    /** {@code vrn wallet new}: creates a key and prints its address. */
    @Command(name = "new", mixinStandardHelpOptions = true, description = "Create a new secp256k1 key and print its f1 address.")
    static final class New implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Override
        public Integer call() {
            Wallet w = Wallet.open(Repo.open(repo.path()).dir());
            Address a = w.newAddress();
            Vrn.out().println(json ? "{\"address\":" + Json.quote(a.toString()) + "}" : a.toString());
            return 0;
        }
    }

    /** {@code vrn wallet list}: every address, the default marked. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the wallet's addresses (the default one is marked).")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Option(names = "--json", description = "Print a JSON array of {address, default}.")
        boolean json;

        @Override
        public Integer call() {
            Wallet w = Wallet.open(Repo.open(repo.path()).dir());
            java.util.List<Address> all = w.list();
            Address def = all.isEmpty() ? null : w.defaultAddress();
            if (json) {
                ArrayNode arr = Json.MAPPER.createArrayNode();
                for (Address a : all) {
                    arr.addObject().put("address", a.toString()).put("default", a.equals(def));
                }
                Vrn.out().println(arr);
            } else {
                for (Address a : all) {
                    Vrn.out().println(a + (a.equals(def) ? "  (default)" : ""));
                }
            }
            return 0;
        }
    }
}
