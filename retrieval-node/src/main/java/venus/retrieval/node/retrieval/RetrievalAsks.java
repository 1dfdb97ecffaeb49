package venus.retrieval.node.retrieval;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.blockstore.PieceInfo;
import venus.retrieval.node.NodeException;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;

/**
 * Asks per miner: one node serves the pieces of several miners (as droplet does); each piece
 * records its miner ids, and the first of them with an entry here sets the piece's terms. Pieces of
 * other miners (or none) use the node-wide default.
 *
 * <p>Table syntax ({@code retrieval.miners}): entries separated by {@code ;}, each a miner id
 * followed by {@code key=value} words: {@code price}, {@code unseal} (attoFIL), {@code interval},
 * {@code increase} (bytes), {@code address} (payment address). Unset keys take the default's value,
 * e.g. {@code f01000 price=2 address=f1…; f01001 unseal=100}.
 */
public final class RetrievalAsks {
    private final RetrievalAsk defaults;
    private final Map<String, RetrievalAsk> byMiner;

    public RetrievalAsks(RetrievalAsk defaults, Map<String, RetrievalAsk> byMiner) {
        this.defaults = defaults;
        this.byMiner = Map.copyOf(byMiner);
    }

    /** Only the default ask. */
    public static RetrievalAsks uniform(RetrievalAsk ask) {
        return new RetrievalAsks(ask, Map.of());
    }

    /** Parses the {@code retrieval.miners} table over {@code defaults}; bad syntax is CONFIG_INVALID. */
    public static RetrievalAsks parse(String table, RetrievalAsk defaults) {
        Map<String, RetrievalAsk> m = new LinkedHashMap<>();
        for (String entry : table.split(";")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            String[] words = e.split("\\s+");
            String miner = words[0];
            if (!miner.matches("[ft]0[0-9]{1,19}")) {
                throw bad("\"" + miner + "\" is not a miner id like f01234");
            }
            BigInteger price = defaults.pricePerByte();
            BigInteger unseal = defaults.unsealPrice();
            long interval = defaults.paymentInterval();
            long increase = defaults.paymentIntervalIncrease();
            Address addr = defaults.paymentAddress();
            for (int i = 1; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                if (eq <= 0) {
                    throw bad(miner + ": expected key=value, got \"" + words[i] + "\"");
                }
                String k = words[i].substring(0, eq);
                String v = words[i].substring(eq + 1);
                try {
                    switch (k) {
                        case "price" -> price = new BigInteger(v);
                        case "unseal" -> unseal = new BigInteger(v);
                        case "interval" -> interval = Long.parseLong(v);
                        case "increase" -> increase = Long.parseLong(v);
                        case "address" -> addr = Address.parse(v);
                        default -> throw bad(miner + ": unknown key \"" + k + "\" (price, unseal, interval, increase, address)");
                    }
                } catch (NumberFormatException | PaychException ex) {
                    throw bad(miner + ": bad value for " + k + ": \"" + v + "\"");
                }
            }
            if (m.containsKey(miner)) {
                throw bad(miner + " is listed twice");
            }
            try {
                m.put(miner, new RetrievalAsk(price, unseal, interval, increase, addr));
            } catch (IllegalArgumentException ex) {
                throw bad(miner + ": " + ex.getMessage());
            }
        }
        return new RetrievalAsks(defaults, m);
    }

    private static NodeException bad(String msg) {
        return new NodeException(NodeException.Reason.CONFIG_INVALID, "config: retrieval.miners: " + msg);
    }

    /** The per-miner entries (miner id → ask), for the admin API. */
    public Map<String, RetrievalAsk> byMiner() {
        return byMiner;
    }

    /** The node-wide default. */
    public RetrievalAsk defaults() {
        return defaults;
    }

    /** The ask of one miner (the default when it has no entry). */
    public RetrievalAsk forMiner(String minerId) {
        RetrievalAsk a = byMiner.get(minerId.replaceFirst("^t", "f"));
        return a != null ? a : byMiner.getOrDefault(minerId, defaults);
    }

    /** The ask that applies to a piece: its first miner with an entry, else the default. */
    public RetrievalAsk forPiece(PieceInfo piece) {
        List<String> miners = piece.minerIds();
        for (String mi : miners) {
            RetrievalAsk a = byMiner.get(mi.replaceFirst("^t", "f"));
            if (a != null) {
                return a;
            }
        }
        return defaults;
    }

    /**
     * The unseal price a piece costs: 0 when the node holds it unsealed for fast retrieval or has
     * its blocks cached; otherwise its miner's unseal price (the node's copy stands in for an unseal).
     */
    public BigInteger unsealPrice(PieceInfo piece) {
        if (piece.fastRetrieval() || piece.cached()) {
            return BigInteger.ZERO;
        }
        return forPiece(piece).unsealPrice();
    }
}
