package venus.retrieval.node.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;

/** {@code vrn cid ...}: content identifiers. */
@Command(name = "cid", mixinStandardHelpOptions = true, description = "Work with content identifiers.",
        subcommands = {CidCommand.Inspect.class})
public final class CidCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(Vrn.out());
    }

    /** The bases the CLI prints a CID in, by multibase name. */
    static final Map<String, Multibase.Base> BASES = new LinkedHashMap<>();

    static {
        BASES.put("base32", Multibase.Base.BASE32);
        BASES.put("base58btc", Multibase.Base.BASE58_BTC);
        BASES.put("base36", Multibase.Base.BASE36);
        BASES.put("base64url", Multibase.Base.BASE64_URL);
        BASES.put("base16", Multibase.Base.BASE16);
    }

    /** {@code vrn cid inspect CID [--json]}. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Print a CID's version, codec and multihash, and the CID in each base (the CIDv1 form; "
                    + "a CIDv0 only has its base58btc form).")
    static final class Inspect implements Callable<Integer> {
        @Parameters(paramLabel = "CID", description = "A CIDv0 (Qm...) or a multibase CIDv1.")
        String input;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Override
        public Integer call() {
            Cid cid = Cid.parse(input.strip());
            Multihash mh = cid.multihash();
            String digestHex = Multibase.hex(mh.digest());
            Cid v1 = cid.toV1();
            Map<String, String> bases = new LinkedHashMap<>();
            BASES.forEach((name, base) -> bases.put(name, v1.toString(base)));
            PrintStream out = Vrn.out();
            if (json) {
                StringBuilder sb = new StringBuilder();
                sb.append("{\"cid\":").append(Json.quote(cid.toString()))
                        .append(",\"version\":").append(cid.version())
                        .append(",\"codec\":").append(Json.quote(Multicodec.name(cid.codec())))
                        .append(",\"codecCode\":").append(cid.codec())
                        .append(",\"multihash\":{\"name\":").append(Json.quote(Multicodec.name(mh.code())))
                        .append(",\"code\":").append(mh.code())
                        .append(",\"length\":").append(mh.digestLength())
                        .append(",\"digest\":").append(Json.quote(digestHex)).append('}')
                        .append(",\"bases\":{");
                boolean first = true;
                for (Map.Entry<String, String> e : bases.entrySet()) {
                    sb.append(first ? "" : ",").append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
                    first = false;
                }
                sb.append("}}");
                out.println(sb);
            } else {
                out.println("cid:        " + cid);
                out.println("version:    " + cid.version());
                out.println("codec:      " + Multicodec.name(cid.codec()) + " (0x" + Long.toHexString(cid.codec()) + ")");
                out.println("multihash:  " + Multicodec.name(mh.code()) + " (0x" + Long.toHexString(mh.code()) + "), "
                        + mh.digestLength() + " bytes");
                out.println("digest:     " + digestHex);
                if (cid.version() == 0) {
                    out.println("as CIDv1:");
                }
                bases.forEach((name, s) -> out.println(String.format("%-11s %s", name + ":", s)));
            }
            return 0;
        }
    }
}
