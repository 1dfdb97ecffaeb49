package venus.retrieval.ipld.traversal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.IpldException.Reason;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;

/**
 * The IPLD selector grammar (ipld/ipld {@code specs/selectors}) in its compact data-model form:
 * parsing into {@link Selector}s that {@link DagTraversal} evaluates, and builders of the common
 * selectors with their canonical dag-cbor bytes.
 *
 * <p>Keys: {@code .} Matcher (optional {@code subset} {@code {"[":from,"]":to}}), {@code a}
 * ExploreAll ({@code >} next), {@code f} ExploreFields ({@code f>} map of field to selector),
 * {@code i} ExploreIndex ({@code i}, {@code >}), {@code r} ExploreRange ({@code ^} start,
 * {@code $} end, {@code >}), {@code R} ExploreRecursive ({@code l} limit {@code {"none":{}}} or
 * {@code {"depth":n}}, {@code :>} sequence, optional {@code !} stop condition {@code {"/":CID}}),
 * {@code @} ExploreRecursiveEdge, {@code |} ExploreUnion (a list).
 *
 * <p>Parsing accepts and rejects exactly what go-ipld-prime's {@code selector.ParseSelector}
 * does with the ADLs a go-graphsync responder registers, so a request Go would refuse is refused
 * here too: {@code ~} InterpretAs ({@code as}, {@code >}) is accepted for go-unixfsnode's
 * {@code unixfs} and {@code unixfs-preload} (read by the traversal, see {@link UnixFsAdl}), any
 * other ADL name is refused, and so is {@code &} ExploreConditional. Unknown keys inside a
 * selector body are ignored, as there. Every failure is an {@link IpldException} with reason
 * {@code BAD_SELECTOR}.
 */
public final class Selectors {
    private static final int MAX_NESTING = 256;

    private Selectors() {}

    // ---- parsing ----

    /** Parses the dag-cbor bytes of a selector. */
    public static Selector parse(byte[] dagCbor) {
        Node n;
        try {
            n = DagCbor.decode(dagCbor);
        } catch (IpldException e) {
            throw bad("not dag-cbor: " + e.getMessage());
        }
        return parse(n);
    }

    /**
     * Parses a selector node. The unlimited recursive "all" selector becomes {@link Selector#all()}
     * (the same walk, without building each dag-pb block's data-model form).
     */
    public static Selector parse(Node spec) {
        try {
            Selector s = new Parser().parse(spec, 0);
            if (s instanceof ExploreRecursive r && r.depth() < 0 && r.stopAt() == null
                    && r.sequence() instanceof ExploreAll a && a.next() instanceof RecursiveEdge) {
                return Selector.all();
            }
            return s;
        } catch (IpldException e) {
            if (e.reason() == Reason.BAD_SELECTOR) {
                throw e;
            }
            throw new IpldException(Reason.BAD_SELECTOR, "selector: " + e.getMessage(), e);
        }
    }

    private static final class Parser {
        /** Open ExploreRecursive bodies, innermost last, each with the edges found under it. */
        private final List<int[]> recursions = new ArrayList<>();

        Selector parse(Node n, int nesting) {
            if (nesting > MAX_NESTING) {
                throw bad("nested deeper than " + MAX_NESTING);
            }
            if (n.kind() != Kind.MAP || n.size() != 1) {
                throw bad("a selector is a keyed union: a map with exactly one entry");
            }
            Map.Entry<String, Node> e = n.entries().entrySet().iterator().next();
            Node body = e.getValue();
            String key = e.getKey();
            if (key.equals("|")) {
                if (body.kind() != Kind.LIST) {
                    throw bad("ExploreUnion must be a list");
                }
                List<Selector> members = new ArrayList<>(body.size());
                for (Node m : body.elements()) {
                    members.add(parse(m, nesting + 1));
                }
                return members.isEmpty() ? new ExploreUnion(List.of(), 1) : union(members);
            }
            if (body.kind() != Kind.MAP) {
                throw bad("selector body of '" + key + "' must be a map");
            }
            return switch (key) {
                case "." -> matcher(body);
                case "a" -> new ExploreAll(parse(require(body, ">", "ExploreAll"), nesting + 1));
                case "f" -> fields(body, nesting);
                case "i" -> {
                    long i = integer(require(body, "i", "ExploreIndex"), "ExploreIndex index");
                    yield new ExploreIndex(i, parse(require(body, ">", "ExploreIndex"), nesting + 1));
                }
                case "r" -> {
                    long start = integer(require(body, "^", "ExploreRange"), "ExploreRange start");
                    long end = integer(require(body, "$", "ExploreRange"), "ExploreRange end");
                    if (start >= end) {
                        throw bad("ExploreRange end must be greater than start");
                    }
                    yield new ExploreRange(start, end, parse(require(body, ">", "ExploreRange"), nesting + 1));
                }
                case "R" -> recursive(body, nesting);
                case "@" -> {
                    if (recursions.isEmpty()) {
                        throw bad("ExploreRecursiveEdge must be beneath ExploreRecursive");
                    }
                    recursions.get(recursions.size() - 1)[0]++;
                    yield RecursiveEdge.INSTANCE;
                }
                case "~" -> interpretAs(body, nesting);
                case "&" -> throw bad("ExploreConditional ('&') is not supported");
                default -> throw bad("'" + key + "' is not a known member of the selector union");
            };
        }

        private Selector fields(Node body, int nesting) {
            Node f = require(body, "f>", "ExploreFields");
            if (f.kind() != Kind.MAP) {
                throw bad("ExploreFields fields must be a map");
            }
            Map<String, Selector> m = new LinkedHashMap<>();
            for (Map.Entry<String, Node> e : f.entries().entrySet()) {
                m.put(e.getKey(), parse(e.getValue(), nesting + 1));
            }
            return new ExploreFields(Map.copyOf(m), List.copyOf(m.keySet()));
        }

        private Selector interpretAs(Node body, int nesting) {
            Node as = require(body, "as", "InterpretAs");
            if (as.kind() != Kind.STRING) {
                throw bad("InterpretAs 'as' must be a string");
            }
            String adl = as.asString();
            if (!adl.equals(InterpretAs.UNIXFS) && !adl.equals(InterpretAs.UNIXFS_PRELOAD)) {
                throw bad("InterpretAs: ADL \"" + adl + "\" is not supported (only \"" + InterpretAs.UNIXFS
                        + "\" and \"" + InterpretAs.UNIXFS_PRELOAD + "\")");
            }
            return new InterpretAs(adl, parse(require(body, ">", "InterpretAs"), nesting + 1));
        }

        private Selector recursive(Node body, int nesting) {
            Node limit = require(body, "l", "ExploreRecursive");
            if (limit.kind() != Kind.MAP || limit.size() != 1) {
                throw bad("ExploreRecursive limit must be a single-entry map");
            }
            Map.Entry<String, Node> le = limit.entries().entrySet().iterator().next();
            long depth;
            if (le.getKey().equals("depth")) {
                depth = Math.max(0, integer(le.getValue(), "ExploreRecursive depth limit"));
            } else if (le.getKey().equals("none")) {
                depth = -1;
            } else {
                throw bad("'" + le.getKey() + "' is not a known member of the limit union");
            }
            Node seq = require(body, ":>", "ExploreRecursive");
            recursions.add(new int[1]);
            Selector sequence = parse(seq, nesting + 1);
            int edges = recursions.remove(recursions.size() - 1)[0];
            if (edges == 0) {
                throw bad("ExploreRecursive must have at least one ExploreRecursiveEdge");
            }
            Cid stopAt = null;
            Node stop = body.get("!");
            if (stop != null) {
                if (stop.kind() != Kind.MAP || stop.size() != 1 || stop.get("/") == null) {
                    throw bad("ExploreRecursive stop condition must be {\"/\": link}");
                }
                if (stop.get("/").kind() != Kind.LINK) {
                    throw bad("ExploreRecursive stop condition must be a link");
                }
                stopAt = stop.get("/").asCid();
            }
            return new ExploreRecursive(sequence, sequence, depth, stopAt);
        }
    }

    private static Selector matcher(Node body) {
        Node subset = body.get("subset");
        if (subset == null) {
            return Matcher.PLAIN;
        }
        if (subset.kind() != Kind.MAP) {
            throw bad("Matcher subset must be a map");
        }
        long from = integer(require(subset, "[", "Matcher subset"), "Matcher subset from");
        long to = integer(require(subset, "]", "Matcher subset"), "Matcher subset to");
        if (to >= 0 && from > to) {
            throw bad("Matcher subset from must be <= to");
        }
        return new Matcher(true, from, to);
    }

    private static Selector union(List<Selector> members) {
        int w = 1;
        for (Selector m : members) {
            w += weight(m);
        }
        return new ExploreUnion(List.copyOf(members), w);
    }

    /** Rough size of a selector state: unions count their members (the only part that grows while walking). */
    static int weight(Selector s) {
        if (s instanceof ExploreUnion u) {
            return u.weight();
        }
        if (s instanceof ExploreRecursive r) {
            return 1 + weight(r.current());
        }
        return 1;
    }

    private static Node require(Node body, String key, String what) {
        Node v = body.get(key);
        if (v == null) {
            throw bad(what + " needs field '" + key + "'");
        }
        return v;
    }

    private static long integer(Node n, String what) {
        if (n.kind() != Kind.INT || !n.fitsLong()) {
            throw bad(what + " must be an integer");
        }
        return n.asLong();
    }

    private static IpldException bad(String msg) {
        return new IpldException(Reason.BAD_SELECTOR, "selector: " + msg);
    }

    // ---- builders (selector nodes; encode with {@link #encode}) ----

    /** {@code {".":{}}}: the node itself, nothing below it. */
    public static Node matcher() {
        return key(".", Node.map(Map.of()));
    }

    /**
     * {@code {".":{"subset":{"[":from,"]":to}}}}: the bytes {@code [from, to)} of a bytes node or
     * of a file read as UnixFS (negative values count from the end).
     */
    public static Node matcherSubset(long from, long to) {
        Node subset = Node.mapBuilder().put("[", from).put("]", to).build();
        return key(".", Node.mapBuilder().put("subset", subset).build());
    }

    /** {@code {"~":{"as":adl,">":next}}}: {@code next} applied to the node read through the ADL. */
    public static Node interpretAs(String adl, Node next) {
        return key("~", Node.mapBuilder().put("as", adl).put(">", next).build());
    }

    /**
     * go-unixfsnode's {@code UnixFSPathSelectorBuilder(path, terminal, false)}, which lassie and
     * go-trustless-utils send: each path segment (empty ones ignored) is a field of the node read
     * as {@code unixfs}, so a path goes through HAMT-sharded directories by name.
     */
    public static Node unixFsPath(String path, Node terminal) {
        Node n = terminal;
        String[] segs = path.split("/");
        for (int i = segs.length - 1; i >= 0; i--) {
            if (!segs[i].isEmpty()) {
                n = interpretAs(InterpretAs.UNIXFS, exploreField(segs[i], n));
            }
        }
        return n;
    }

    /**
     * go-unixfsnode's {@code MatchUnixFSEntitySelector}, the terminal of {@code dag-scope=entity}:
     * the node read as {@code unixfs}, matched, and its children explored one level without
     * loading them — a file's blocks (read by the match), a directory's block (all its shards).
     */
    public static Node matchUnixFsEntity() {
        return interpretAs(InterpretAs.UNIXFS, exploreUnion(matcher(), exploreAllToDepth(1)));
    }

    /**
     * go-trustless-utils' terminal for {@code dag-scope=entity} with {@code entity-bytes=from:to}
     * (already exclusive {@code to}; {@code Long.MAX_VALUE} for {@code *}): as
     * {@link #matchUnixFsEntity}, with the matcher limited to the byte range.
     */
    public static Node matchUnixFsEntityBytes(long from, long to) {
        return interpretAs(InterpretAs.UNIXFS, exploreUnion(matcherSubset(from, to), exploreAllToDepth(1)));
    }

    /** go-unixfsnode's {@code MatchUnixFSSelector}: {@code {"~":{"as":"unixfs",">":{".":{}}}}}. */
    public static Node matchUnixFs() {
        return interpretAs(InterpretAs.UNIXFS, matcher());
    }

    /** go-unixfsnode's {@code MatchUnixFSPreloadSelector}: as {@link #matchUnixFs} with {@code unixfs-preload}. */
    public static Node matchUnixFsPreload() {
        return interpretAs(InterpretAs.UNIXFS_PRELOAD, matcher());
    }

    /** {@code {"a":{">":next}}}. */
    public static Node exploreAll(Node next) {
        return key("a", Node.mapBuilder().put(">", next).build());
    }

    /** {@code {"f":{"f>":{field:selector...}}}}, fields in the map's iteration order. */
    public static Node exploreFields(Map<String, Node> fields) {
        return key("f", Node.mapBuilder().put("f>", Node.map(fields)).build());
    }

    /** One field: {@code {"f":{"f>":{field:next}}}}. */
    public static Node exploreField(String field, Node next) {
        Map<String, Node> m = new LinkedHashMap<>();
        m.put(field, next);
        return exploreFields(m);
    }

    /** A path of fields (segments separated by {@code /}) ending in {@code atEnd}. */
    public static Node explorePath(String path, Node atEnd) {
        Node n = atEnd;
        String[] segs = path.split("/");
        for (int i = segs.length - 1; i >= 0; i--) {
            if (!segs[i].isEmpty()) {
                n = exploreField(segs[i], n);
            }
        }
        return n;
    }

    /** {@code {"i":{"i":index,">":next}}}. */
    public static Node exploreIndex(long index, Node next) {
        return key("i", Node.mapBuilder().put("i", index).put(">", next).build());
    }

    /** {@code {"r":{"^":start,"$":end,">":next}}}. */
    public static Node exploreRange(long start, long end, Node next) {
        return key("r", Node.mapBuilder().put("^", start).put("$", end).put(">", next).build());
    }

    /** {@code {"|":[members...]}}. */
    public static Node exploreUnion(Node... members) {
        return key("|", Node.list(members));
    }

    /** {@code {"@":{}}}. */
    public static Node recursiveEdge() {
        return key("@", Node.map(Map.of()));
    }

    /** {@code {"R":{"l":limit,":>":sequence}}}; {@code depth} < 0 means {@code {"none":{}}}. */
    public static Node exploreRecursive(long depth, Node sequence) {
        return exploreRecursive(depth, sequence, null);
    }

    /** ExploreRecursive with a stop condition at {@code stopAt} (null for none). */
    public static Node exploreRecursive(long depth, Node sequence, Cid stopAt) {
        Node limit = depth < 0 ? key("none", Node.map(Map.of())) : key("depth", Node.integer(depth));
        Node.MapBuilder b = Node.mapBuilder().put("l", limit).put(":>", sequence);
        if (stopAt != null) {
            b.put("!", key("/", Node.link(stopAt)));
        }
        return key("R", b.build());
    }

    /**
     * go-ipld-prime's {@code CommonSelector_ExploreAllRecursively}:
     * {@code {"R":{"l":{"none":{}},":>":{"a":{">":{"@":{}}}}}}}.
     */
    public static Node exploreAllRecursively() {
        return exploreRecursive(-1, exploreAll(recursiveEdge()));
    }

    /** Every node down to {@code depth} recursion levels: ExploreRecursive(depth, ExploreAll(edge)). */
    public static Node exploreAllToDepth(long depth) {
        return exploreRecursive(depth, exploreAll(recursiveEdge()));
    }

    /** Canonical dag-cbor bytes of a selector node (keys length-first; what Boost byte-compares). */
    public static byte[] encode(Node selector) {
        return DagCbor.encode(selector);
    }

    private static Node key(String k, Node v) {
        return Node.mapBuilder().put(k, v).build();
    }
}
