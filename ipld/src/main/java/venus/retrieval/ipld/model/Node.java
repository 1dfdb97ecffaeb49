package venus.retrieval.ipld.model;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;

/**
 * A value of the IPLD data model: null, bool, int, float, string, bytes, list, map or link.
 * Immutable, with value equality. Accessors of the wrong kind throw {@link IpldException}
 * ({@code BAD_BLOCK}), because a value of an unexpected kind almost always means a peer sent
 * data that does not match the expected schema.
 *
 * <p>Strings keep their exact bytes: CBOR text strings that are not valid UTF-8 (Filecoin peers
 * send raw peer IDs that way) survive a decode/encode round trip unchanged.
 */
public abstract sealed class Node permits Node.Null, Node.Bool, Node.Int, Node.Float, Node.Str, Node.Bytes,
        Node.ListNode, Node.MapNode, Node.Link {

    /** The null value. */
    public static final Node NULL = new Null();
    /** The boolean true. */
    public static final Node TRUE = new Bool(true);
    /** The boolean false. */
    public static final Node FALSE = new Bool(false);

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    Node() {}

    // ---- factories ----

    /** A boolean. */
    public static Node bool(boolean b) {
        return b ? TRUE : FALSE;
    }

    /** An integer. */
    public static Node integer(long v) {
        return new Int(v, null);
    }

    /** An integer of any size; stored as a long when it fits. */
    public static Node integer(BigInteger v) {
        if (v.compareTo(LONG_MIN) >= 0 && v.compareTo(LONG_MAX) <= 0) {
            return new Int(v.longValue(), null);
        }
        return new Int(0, v);
    }

    /** An unsigned 64-bit integer given as the bits of a long (as CBOR major type 0 carries it). */
    public static Node unsigned(long bits) {
        return bits >= 0 ? new Int(bits, null) : new Int(0, new BigInteger(Long.toUnsignedString(bits)));
    }

    /** A float. */
    public static Node floating(double v) {
        return new Float(v);
    }

    /** A string, kept as its UTF-8 bytes. */
    public static Node string(String s) {
        return new Str(s.getBytes(StandardCharsets.UTF_8), s);
    }

    /** A string given as raw bytes, which need not be valid UTF-8; the array is copied. */
    public static Node stringBytes(byte[] utf8) {
        return new Str(utf8.clone(), null);
    }

    /** Bytes; the array is copied. */
    public static Node bytes(byte[] b) {
        return new Bytes(b.clone());
    }

    /** A link. */
    public static Node link(Cid cid) {
        if (cid == null) {
            throw new NullPointerException("cid");
        }
        return new Link(cid);
    }

    /** A list of the given elements. */
    public static Node list(Node... elements) {
        return list(List.of(elements));
    }

    /** A list of the given elements (copied). */
    public static Node list(List<? extends Node> elements) {
        return new ListNode(List.copyOf(elements));
    }

    /** A map with the entries in the given map's iteration order (copied). */
    public static Node map(Map<String, ? extends Node> entries) {
        LinkedHashMap<String, Node> m = new LinkedHashMap<>();
        entries.forEach((k, v) -> m.put(java.util.Objects.requireNonNull(k), java.util.Objects.requireNonNull(v)));
        return new MapNode(Collections.unmodifiableMap(m));
    }

    /** A builder of a map that keeps insertion order. */
    public static MapBuilder mapBuilder() {
        return new MapBuilder();
    }

    /** Builds a map node in insertion order; duplicate keys are rejected. */
    public static final class MapBuilder {
        private final LinkedHashMap<String, Node> m = new LinkedHashMap<>();

        MapBuilder() {}

        /** Adds an entry; throws {@code BAD_BLOCK} on a duplicate key. */
        public MapBuilder put(String key, Node value) {
            java.util.Objects.requireNonNull(key, "key");
            java.util.Objects.requireNonNull(value, "value");
            if (m.putIfAbsent(key, value) != null) {
                throw new IpldException(IpldException.Reason.BAD_BLOCK, "duplicate map key \"" + key + "\"");
            }
            return this;
        }

        /** Adds a string entry. */
        public MapBuilder put(String key, String value) {
            return put(key, string(value));
        }

        /** Adds an integer entry. */
        public MapBuilder put(String key, long value) {
            return put(key, integer(value));
        }

        /** Number of entries so far. */
        public int size() {
            return m.size();
        }

        /** The map node. */
        public Node build() {
            return new MapNode(Collections.unmodifiableMap(new LinkedHashMap<>(m)));
        }
    }

    // ---- accessors ----

    /** This value's kind. */
    public abstract Kind kind();

    /** Whether this is the null value. */
    public boolean isNull() {
        return false;
    }

    /** The boolean value. */
    public boolean asBoolean() {
        throw wrongKind(Kind.BOOL);
    }

    /** The integer value; {@code TOO_LARGE} if it does not fit a long. */
    public long asLong() {
        throw wrongKind(Kind.INT);
    }

    /** The integer value as an int; {@code TOO_LARGE} if it does not fit. */
    public int asInt() {
        long v = asLong();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IpldException(IpldException.Reason.TOO_LARGE, "integer " + v + " does not fit an int");
        }
        return (int) v;
    }

    /** The integer value at any size. */
    public BigInteger asBigInteger() {
        throw wrongKind(Kind.INT);
    }

    /** Whether this is an int that fits a long. */
    public boolean fitsLong() {
        return false;
    }

    /** The float value. */
    public double asDouble() {
        throw wrongKind(Kind.FLOAT);
    }

    /** The string, decoded leniently (invalid UTF-8 becomes U+FFFD). */
    public String asString() {
        throw wrongKind(Kind.STRING);
    }

    /** The exact bytes of the string (a copy). */
    public byte[] asStringBytes() {
        throw wrongKind(Kind.STRING);
    }

    /** The bytes (a copy). */
    public byte[] asBytes() {
        throw wrongKind(Kind.BYTES);
    }

    /** The link's CID. */
    public Cid asCid() {
        throw wrongKind(Kind.LINK);
    }

    /** The list elements (unmodifiable). */
    public List<Node> elements() {
        throw wrongKind(Kind.LIST);
    }

    /** The map entries in their order (unmodifiable). */
    public Map<String, Node> entries() {
        throw wrongKind(Kind.MAP);
    }

    /** Number of elements of a list or entries of a map. */
    public int size() {
        throw new IpldException(IpldException.Reason.BAD_BLOCK, "expected a list or map, got " + kind());
    }

    /** A map's value for {@code key}, or null when absent. */
    public Node get(String key) {
        throw wrongKind(Kind.MAP);
    }

    /** A map's value for {@code key}; {@code BAD_BLOCK} when absent. */
    public Node require(String key) {
        Node n = get(key);
        if (n == null) {
            throw new IpldException(IpldException.Reason.BAD_BLOCK, "missing map key \"" + key + "\"");
        }
        return n;
    }

    /** A list element; {@code BAD_BLOCK} when out of range. */
    public Node get(int index) {
        throw wrongKind(Kind.LIST);
    }

    /** Every link in this value, depth-first in document order. */
    public List<Cid> links() {
        List<Cid> out = new ArrayList<>();
        collectLinks(out);
        return out;
    }

    void collectLinks(List<Cid> out) {
        // scalars hold no links
    }

    IpldException wrongKind(Kind expected) {
        return new IpldException(IpldException.Reason.BAD_BLOCK, "expected " + expected + ", got " + kind());
    }

    // ---- kinds ----

    static final class Null extends Node {
        @Override public Kind kind() { return Kind.NULL; }
        @Override public boolean isNull() { return true; }
        @Override public boolean equals(Object o) { return o instanceof Null; }
        @Override public int hashCode() { return 0; }
        @Override public String toString() { return "null"; }
    }

    static final class Bool extends Node {
        private final boolean value;

        Bool(boolean value) { this.value = value; }
        @Override public Kind kind() { return Kind.BOOL; }
        @Override public boolean asBoolean() { return value; }
        @Override public boolean equals(Object o) { return o instanceof Bool && ((Bool) o).value == value; }
        @Override public int hashCode() { return value ? 1231 : 1237; }
        @Override public String toString() { return Boolean.toString(value); }
    }

    static final class Int extends Node {
        private final long value;
        private final BigInteger big;   // non-null only when the value does not fit a long

        Int(long value, BigInteger big) {
            this.value = value;
            this.big = big;
        }

        @Override public Kind kind() { return Kind.INT; }
        @Override public boolean fitsLong() { return big == null; }

        @Override
        public long asLong() {
            if (big != null) {
                throw new IpldException(IpldException.Reason.TOO_LARGE, "integer " + big + " does not fit a long");
            }
            return value;
        }

        @Override public BigInteger asBigInteger() { return big != null ? big : BigInteger.valueOf(value); }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Int)) {
                return false;
            }
            Int i = (Int) o;
            return big == null ? i.big == null && i.value == value : big.equals(i.big);
        }

        @Override public int hashCode() { return big != null ? big.hashCode() : Long.hashCode(value); }
        @Override public String toString() { return big != null ? big.toString() : Long.toString(value); }
    }

    static final class Float extends Node {
        private final double value;

        Float(double value) { this.value = value; }
        @Override public Kind kind() { return Kind.FLOAT; }
        @Override public double asDouble() { return value; }

        @Override
        public boolean equals(Object o) {
            return o instanceof Float && Double.doubleToLongBits(((Float) o).value) == Double.doubleToLongBits(value);
        }

        @Override public int hashCode() { return Double.hashCode(value); }
        @Override public String toString() { return Double.toString(value); }
    }

    static final class Str extends Node {
        private final byte[] bytes;
        private String string;  // decoded lazily

        Str(byte[] bytes, String string) {
            this.bytes = bytes;
            this.string = string;
        }

        @Override public Kind kind() { return Kind.STRING; }

        @Override
        public String asString() {
            String s = string;
            if (s == null) {
                s = new String(bytes, StandardCharsets.UTF_8);  // lenient: malformed input becomes U+FFFD
                string = s;
            }
            return s;
        }

        @Override public byte[] asStringBytes() { return bytes.clone(); }
        @Override public boolean equals(Object o) { return o instanceof Str && java.util.Arrays.equals(((Str) o).bytes, bytes); }
        @Override public int hashCode() { return java.util.Arrays.hashCode(bytes); }
        @Override public String toString() { return '"' + asString() + '"'; }
    }

    static final class Bytes extends Node {
        private final byte[] bytes;

        Bytes(byte[] bytes) { this.bytes = bytes; }
        @Override public Kind kind() { return Kind.BYTES; }
        @Override public byte[] asBytes() { return bytes.clone(); }
        @Override public boolean equals(Object o) { return o instanceof Bytes && java.util.Arrays.equals(((Bytes) o).bytes, bytes); }
        @Override public int hashCode() { return 31 + java.util.Arrays.hashCode(bytes); }
        @Override public String toString() { return "bytes[" + bytes.length + "]"; }
    }

    static final class Link extends Node {
        private final Cid cid;

        Link(Cid cid) { this.cid = cid; }
        @Override public Kind kind() { return Kind.LINK; }
        @Override public Cid asCid() { return cid; }
        @Override void collectLinks(List<Cid> out) { out.add(cid); }
        @Override public boolean equals(Object o) { return o instanceof Link && ((Link) o).cid.equals(cid); }
        @Override public int hashCode() { return cid.hashCode(); }
        @Override public String toString() { return "link(" + cid + ")"; }
    }

    static final class ListNode extends Node {
        private final List<Node> elements;

        ListNode(List<Node> elements) { this.elements = elements; }
        @Override public Kind kind() { return Kind.LIST; }
        @Override public List<Node> elements() { return elements; }
        @Override public int size() { return elements.size(); }

        @Override
        public Node get(int index) {
            if (index < 0 || index >= elements.size()) {
                throw new IpldException(IpldException.Reason.BAD_BLOCK,
                        "list index " + index + " out of range (size " + elements.size() + ")");
            }
            return elements.get(index);
        }

        @Override
        void collectLinks(List<Cid> out) {
            for (Node n : elements) {
                n.collectLinks(out);
            }
        }

        @Override public boolean equals(Object o) { return o instanceof ListNode && ((ListNode) o).elements.equals(elements); }
        @Override public int hashCode() { return elements.hashCode(); }
        @Override public String toString() { return elements.toString(); }
    }

    static final class MapNode extends Node {
        private final Map<String, Node> entries;

        MapNode(Map<String, Node> entries) { this.entries = entries; }
        @Override public Kind kind() { return Kind.MAP; }
        @Override public Map<String, Node> entries() { return entries; }
        @Override public int size() { return entries.size(); }
        @Override public Node get(String key) { return entries.get(key); }

        @Override
        void collectLinks(List<Cid> out) {
            for (Node n : entries.values()) {
                n.collectLinks(out);
            }
        }

        /** Order-insensitive, like the data model: the codecs fix the order when they encode. */
        @Override public boolean equals(Object o) { return o instanceof MapNode && ((MapNode) o).entries.equals(entries); }
        @Override public int hashCode() { return entries.hashCode(); }
        @Override public String toString() { return entries.toString(); }
    }
}
