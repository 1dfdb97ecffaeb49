package venus.retrieval.node.retrieval;

import java.math.BigInteger;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.cbor.CborWriter;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.node.NodeException;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;

/**
 * Value encodings shared by the retrieval messages (filecoin-retrieval.md §0.3): Filecoin big
 * integers as sign-prefixed byte strings, addresses as byte strings, unsigned 64-bit integers.
 * Decoding is lenient about key order (older senders wrote struct order) and strict about types;
 * every failure is a {@code BAD_MESSAGE} {@link NodeException}.
 */
public final class Wire {
    private Wire() {}

    /** A malformed-message error. */
    public static NodeException bad(String msg) {
        return new NodeException(NodeException.Reason.BAD_MESSAGE, msg);
    }

    /** {@code node} as a map, or BAD_MESSAGE naming {@code what}. */
    public static Node map(Node node, String what) {
        if (node == null || node.kind() != Kind.MAP) {
            throw bad(what + ": expected a map");
        }
        return node;
    }

    /** A key that must be present (its value may be null). */
    public static Node field(Node map, String key, String what) {
        Node v = map.get(key);
        if (v == null) {
            throw bad(what + ": missing " + key);
        }
        return v;
    }

    /** An optional key: absent or null gives null. */
    public static Node optional(Node map, String key) {
        Node v = map.get(key);
        return v == null || v.isNull() ? null : v;
    }

    /** An unsigned 64-bit integer (as Java's signed bits). */
    public static long uint(Node v, String what) {
        if (v == null || v.kind() != Kind.INT) {
            throw bad(what + ": expected an unsigned integer");
        }
        BigInteger b = v.asBigInteger();
        if (b.signum() < 0 || b.bitLength() > 64) {
            throw bad(what + ": out of uint64 range");
        }
        return b.longValue();
    }

    /** An unsigned 64-bit value as a node. */
    public static Node uint(long bits) {
        return Node.unsigned(bits);
    }

    /** A boolean. */
    public static boolean bool(Node v, String what) {
        if (v == null || v.kind() != Kind.BOOL) {
            throw bad(what + ": expected a boolean");
        }
        return v.asBoolean();
    }

    /** A text string (UTF-8 checked). */
    public static String text(Node v, String what) {
        if (v == null || v.kind() != Kind.STRING) {
            throw bad(what + ": expected text");
        }
        try {
            return v.asString();
        } catch (IpldException e) {
            throw bad(what + ": " + e.getMessage());
        }
    }

    /** A CID link. */
    public static Cid cid(Node v, String what) {
        if (v == null || v.kind() != Kind.LINK) {
            throw bad(what + ": expected a CID");
        }
        return v.asCid();
    }

    /** Filecoin big integer (§0.3): byte string, empty = 0, else sign byte and big-endian magnitude. */
    public static BigInteger bigInt(Node v, String what) {
        if (v == null || v.kind() != Kind.BYTES) {
            throw bad(what + ": expected a big integer (bytes)");
        }
        byte[] b = v.asBytes();
        if (b.length == 0) {
            return BigInteger.ZERO;
        }
        if (b.length > CborWriter.FIL_BIGINT_MAX_BYTES) {
            throw bad(what + ": big integer longer than " + CborWriter.FIL_BIGINT_MAX_BYTES + " bytes");
        }
        if (b[0] != 0 && b[0] != 1) {
            throw bad(what + ": big integer sign byte " + (b[0] & 0xff));
        }
        BigInteger mag = new BigInteger(1, java.util.Arrays.copyOfRange(b, 1, b.length));
        return b[0] == 1 ? mag.negate() : mag;
    }

    /** A non-negative big integer. */
    public static BigInteger amount(Node v, String what) {
        BigInteger b = bigInt(v, what);
        if (b.signum() < 0) {
            throw bad(what + ": negative amount");
        }
        return b;
    }

    /** Encodes a Filecoin big integer. */
    public static Node bigInt(BigInteger v) {
        return Node.bytes(CborWriter.filBigIntBytes(v));
    }

    /** An address byte string (never empty). */
    public static Address address(Node v, String what) {
        if (v == null || v.kind() != Kind.BYTES) {
            throw bad(what + ": expected an address (bytes)");
        }
        try {
            return Address.fromBytes(v.asBytes());
        } catch (PaychException e) {
            throw bad(what + ": " + e.getMessage());
        }
    }

    /** Encodes an address. */
    public static Node address(Address a) {
        return Node.bytes(a.bytes());
    }
}
