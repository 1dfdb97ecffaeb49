package venus.retrieval.node.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.traversal.Selectors;
import venus.retrieval.ipld.unixfs.UnixFsReader;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.libp2p.multiaddr.Protocol;
import venus.retrieval.node.retrieval.client.CarSpool;
import venus.retrieval.node.retrieval.client.RetrievalClient;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.Wallet;

/**
 * {@code vrn retrieve CID --provider MULTIADDR/p2p/ID (-o FILE | --car FILE) [--path P] [--scope S] [--paych f2… | --max-price X]}:
 * the lightweight Filecoin retrieval client. It dials (never listens) with a throwaway libp2p
 * identity, queries, proposes, verifies every block against the selector walk, and pays the
 * provider's vouchers from the repo's wallet on {@code --paych}. Without {@code --paych} or
 * {@code --max-price} only a free provider is accepted. {@code --path} and {@code --scope} ask
 * for a UnixFS path and a trustless-gateway {@code dag-scope} with the selector lassie sends.
 */
@Command(name = "retrieve", mixinStandardHelpOptions = true,
        description = "Retrieve a DAG from a Filecoin retrieval provider (graphsync + data-transfer), paying vouchers when asked.")
public final class RetrieveCommand implements Callable<Integer> {
    @Mixin
    RepoOption repo;

    @Parameters(paramLabel = "CID", description = "The payload root.")
    String cid;

    @Option(names = "--provider", required = true, paramLabel = "MULTIADDR", description = "The provider, e.g. /ip4/1.2.3.4/tcp/24001/p2p/12D3Koo…")
    String provider;

    static final class Output {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the UnixFS file's bytes here ('-' = stdout).")
        String file;

        @Option(names = "--car", paramLabel = "FILE", description = "Write the received blocks as a CAR (DFS order).")
        Path car;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Output output;

    @Option(names = "--path", paramLabel = "PATH",
            description = "UnixFS path below CID (through directories and HAMT shards), as lassie's CID/PATH.")
    String path;

    @Option(names = "--scope", defaultValue = "all", paramLabel = "SCOPE",
            description = "What to retrieve at the path (trustless gateway dag-scope): all (default, the whole DAG below it), "
                    + "entity (the file, or the directory without its children), block (its root block).")
    String scope;

    @Option(names = "--paych", paramLabel = "ADDR", description = "Payment channel to pay on (From = this wallet's address).")
    String paych;

    @Option(names = "--max-price", paramLabel = "AMOUNT", description = "Most this retrieval may cost in total (FIL or \"N attoFIL\").")
    String maxPrice;

    @Option(names = "--from", paramLabel = "ADDR", description = "Signing address (default: the wallet's default).")
    String from;

    @Option(names = "--timeout", defaultValue = "30m", paramLabel = "DURATION", description = "Give up after this long (e.g. 90s, 10m; default 30m).")
    String timeout;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--max-restarts", defaultValue = "5", paramLabel = "N",
            description = "When the connection drops mid-transfer, redial and restart the transfer where it stopped "
                    + "at most N times (0 = never; default 5; all within --timeout).")
    int maxRestarts;

    @Override
    public Integer call() throws Exception {
        Cid root;
        try {
            root = Cid.parse(cid);
        } catch (IpldException e) {
            throw new CliException("not a CID: " + cid);
        }
        Multiaddr addr;
        try {
            addr = Multiaddr.parse(provider);
        } catch (Libp2pException e) {
            throw new CliException("--provider: " + e.getMessage());
        }
        if (!addr.has(Protocol.P2P)) {
            throw new CliException("--provider must end with /p2p/<peer id>");
        }
        Duration limit = parseDuration(timeout);
        if (maxRestarts < 0) {
            throw new CliException("--max-restarts must be 0 or more, got " + maxRestarts);
        }
        Node selector = selector(path, scope);
        RetrievalClient.Payment pay = RetrievalClient.Payment.FREE_ONLY;
        VoucherStore vouchers = null;
        try {
            if (paych != null || maxPrice != null) {
                java.math.BigInteger max = null;
                if (maxPrice != null) {
                    try {
                        max = TokenAmount.parse(maxPrice).atto();
                    } catch (PaychException e) {
                        throw new CliException("--max-price: " + e.getMessage());
                    }
                }
                Address ch = null;
                Wallet wallet = null;
                Address signer = null;
                if (paych != null) {
                    try {
                        ch = Address.parse(paych);
                    } catch (PaychException e) {
                        throw new CliException("--paych: " + e.getMessage());
                    }
                    Path dir = repo.path();
                    wallet = Wallet.open(dir);
                    signer = from == null ? wallet.defaultAddress() : Address.parse(from);
                    vouchers = VoucherStore.open(dir);
                }
                pay = new RetrievalClient.Payment(max, ch, wallet, signer, vouchers);
            }
            Path car = output.car;
            boolean toStdout = "-".equals(output.file);
            Path spoolFile = car != null ? car
                    : Files.createTempFile(toStdout ? Path.of(System.getProperty("java.io.tmpdir")) : Path.of(output.file).toAbsolutePath().getParent(),
                    ".vrn-retrieve-", ".car");
            RetrievalClient.Result r;
            try (Host host = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
                 RetrievalClient client = new RetrievalClient(host);
                 CarSpool spool = new CarSpool(spoolFile, root)) {
                RetrievalClient.Reconnect d = RetrievalClient.Reconnect.DEFAULT;
                client.setReconnect(new RetrievalClient.Reconnect(maxRestarts, d.dialAttempts(), d.firstBackoff(), d.maxBackoff()));
                r = client.retrieve(addr, root, selector, spool, pay, limit);
                spool.finish();
                if (car == null) {
                    try (InputStream in = new UnixFsReader(spool).open(path == null ? root : new UnixFsReader(spool).resolve(root, path))) {
                        if (toStdout) {
                            in.transferTo(Vrn.out());
                            Vrn.out().flush();
                        } else {
                            Path tmp = Path.of(output.file + ".part");
                            try (OutputStream os = Files.newOutputStream(tmp)) {
                                in.transferTo(os);
                            }
                            Files.move(tmp, Path.of(output.file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        }
                    } catch (IpldException e) {
                        throw new CliException("retrieved " + root + (path == null ? "" : "/" + path) + " but it is not a UnixFS file: "
                                + e.getMessage() + " (use --car)");
                    }
                }
            } finally {
                if (car == null) {
                    Files.deleteIfExists(spoolFile);
                }
            }
            if (!toStdout || json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cid", root.toString());
                if (path != null) {
                    m.put("path", path);
                }
                m.put("blocks", r.blocks());
                m.put("bytes", r.bytes());
                m.put("paidAttoFil", r.paid().toString());
                m.put("restarts", r.restarts());
                m.put("graphsyncStatus", r.graphsyncStatus());
                (toStdout ? Vrn.err() : Vrn.out()).println(json ? Json.write(m)
                        : "retrieved " + root + ": " + r.blocks() + " blocks, " + r.bytes() + " bytes, paid " + new TokenAmount(r.paid()));
            }
            return 0;
        } finally {
            if (vouchers != null) {
                vouchers.close();
            }
        }
    }

    /** The selector for {@code --path} and {@code --scope} (go-trustless-utils' shape), or null for the whole DAG. */
    static Node selector(String path, String scope) {
        Node terminal = switch (scope) {
            case "all" -> Selectors.exploreAllRecursively();
            case "entity" -> Selectors.matchUnixFsEntity();
            case "block" -> Selectors.matcher();
            default -> throw new CliException("--scope: expected all, entity or block, got \"" + scope + "\"");
        };
        if ((path == null || path.isEmpty()) && scope.equals("all")) {
            return null;
        }
        return Selectors.unixFsPath(path == null ? "" : path, terminal);
    }

    private static Duration parseDuration(String s) {
        try {
            return Duration.parse("PT" + s.toUpperCase(java.util.Locale.ROOT));
        } catch (java.time.format.DateTimeParseException e) {
            throw new CliException("--timeout: expected a duration like 90s or 10m, got \"" + s + "\"");
        }
    }
}
