package venus.retrieval.paych;

import java.util.Arrays;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.Varint;

/**
 * A Filecoin address: one protocol byte and a payload. Immutable. {@link #bytes()} is the binary
 * form used in CBOR and chain state; {@link #toString()} is the {@code f} (mainnet) string.
 *
 * <p>Strings accept either network prefix ({@code f} or {@code t}) and only their canonical
 * spelling: lowercase base32 without padding, a checksum that matches, decimal IDs without
 * leading zeros. Two addresses are equal when their binary forms are equal (the network prefix
 * is not part of an address).
 */
public final class Address {
    /** The address kinds; the ordinal is the protocol byte. */
    public enum Protocol { ID, SECP256K1, ACTOR, BLS, DELEGATED }

    /** The network prefix of the string form. */
    public enum Network {
        MAINNET('f'), TESTNET('t');

        private final char prefix;

        Network(char prefix) {
            this.prefix = prefix;
        }

        /** {@code f} or {@code t}. */
        public char prefix() {
            return prefix;
        }
    }

    /** Payload length of secp256k1 and actor addresses (blake2b-160). */
    public static final int HASH_PAYLOAD_BYTES = 20;
    /** Payload length of a BLS address (a compressed G1 public key). */
    public static final int BLS_PAYLOAD_BYTES = 48;
    /** Longest sub-address of a delegated (f4) address. */
    public static final int MAX_SUBADDRESS_BYTES = 54;
    /** Longest accepted address string. */
    public static final int MAX_STRING_LENGTH = 115;
    private static final int CHECKSUM_BYTES = 4;

    private final Protocol protocol;
    private final byte[] bytes;
    private int hash;

    private Address(Protocol protocol, byte[] bytes) {
        this.protocol = protocol;
        this.bytes = bytes;
    }

    /** An ID address {@code f0<id>}; ids are 0 … 2^63−1. */
    public static Address id(long id) {
        if (id < 0) {
            throw bad("ID address must be between 0 and 2^63-1, got " + Long.toUnsignedString(id));
        }
        return new Address(Protocol.ID, concat(new byte[] {0}, Varint.encode(id)));
    }

    /** The f1 address of a 65-byte uncompressed secp256k1 public key (blake2b-160 of the key). */
    public static Address secp256k1(byte[] uncompressedPublicKey) {
        if (uncompressedPublicKey.length != 65 || uncompressedPublicKey[0] != 4) {
            throw new PaychException(PaychException.Reason.BAD_KEY,
                    "secp256k1 public key must be 65 bytes starting with 0x04, got " + uncompressedPublicKey.length + " bytes");
        }
        return new Address(Protocol.SECP256K1, concat(new byte[] {1}, Blake2b.hash(HASH_PAYLOAD_BYTES, uncompressedPublicKey)));
    }

    /** The f2 address of actor-creation data (blake2b-160 of it). */
    public static Address actor(byte[] creationData) {
        return new Address(Protocol.ACTOR, concat(new byte[] {2}, Blake2b.hash(HASH_PAYLOAD_BYTES, creationData)));
    }

    /** The f3 address of a 48-byte BLS public key. */
    public static Address bls(byte[] publicKey) {
        if (publicKey.length != BLS_PAYLOAD_BYTES) {
            throw bad("BLS public key must be 48 bytes, got " + publicKey.length);
        }
        return new Address(Protocol.BLS, concat(new byte[] {3}, publicKey));
    }

    /** A delegated (f4) address: namespace (an actor ID) and a sub-address of at most 54 bytes. */
    public static Address delegated(long namespace, byte[] subAddress) {
        if (namespace < 0) {
            throw bad("delegated namespace must be between 0 and 2^63-1");
        }
        if (subAddress.length > MAX_SUBADDRESS_BYTES) {
            throw bad("delegated sub-address is " + subAddress.length + " bytes, at most " + MAX_SUBADDRESS_BYTES);
        }
        return new Address(Protocol.DELEGATED, concat(new byte[] {4}, Varint.encode(namespace), subAddress));
    }

    /** Parses the binary form (protocol byte ‖ payload); the whole array must be one address. */
    public static Address fromBytes(byte[] b) {
        if (b.length == 0) {
            throw bad("empty address bytes");
        }
        int proto = b[0] & 0xFF;
        switch (proto) {
            case 0: {
                long id = readVarint(b, 1, "ID");
                if (Varint.size(id) != b.length - 1) {
                    throw bad("trailing bytes after ID address varint");
                }
                return id(id);
            }
            case 1:
            case 2:
                if (b.length - 1 != HASH_PAYLOAD_BYTES) {
                    throw bad((proto == 1 ? "secp256k1" : "actor") + " address payload must be 20 bytes, got " + (b.length - 1));
                }
                return new Address(proto == 1 ? Protocol.SECP256K1 : Protocol.ACTOR, b.clone());
            case 3:
                if (b.length - 1 != BLS_PAYLOAD_BYTES) {
                    throw bad("BLS address payload must be 48 bytes, got " + (b.length - 1));
                }
                return new Address(Protocol.BLS, b.clone());
            case 4: {
                long ns = readVarint(b, 1, "delegated namespace");
                int sub = b.length - 1 - Varint.size(ns);
                return delegated(ns, Arrays.copyOfRange(b, b.length - sub, b.length));
            }
            default:
                throw bad("unknown address protocol " + proto);
        }
    }

    /** Parses an {@code f…} or {@code t…} string; only the canonical spelling is accepted. */
    public static Address parse(String s) {
        if (s == null || s.length() < 3) {
            throw bad("address '" + s + "' is too short");
        }
        if (s.length() > MAX_STRING_LENGTH) {
            throw bad("address is " + s.length() + " characters, at most " + MAX_STRING_LENGTH);
        }
        char net = s.charAt(0);
        if (net != 'f' && net != 't') {
            throw bad("address '" + s + "' must start with network prefix 'f' or 't'");
        }
        char p = s.charAt(1);
        if (p < '0' || p > '4') {
            throw bad("address '" + s + "' has unknown protocol '" + p + "'");
        }
        String rest = s.substring(2);
        Address a;
        switch (p) {
            case '0':
                a = id(parseDecimal(rest, "ID"));
                break;
            case '4': {
                int f = rest.indexOf('f');
                if (f <= 0) {
                    throw bad("delegated address '" + s + "' needs '<namespace>f<sub-address>'");
                }
                long ns = parseDecimal(rest.substring(0, f), "delegated namespace");
                byte[] raw = base32(rest.substring(f + 1), s);
                if (raw.length < CHECKSUM_BYTES) {
                    throw bad("address '" + s + "' is too short for its checksum");
                }
                a = delegated(ns, Arrays.copyOf(raw, raw.length - CHECKSUM_BYTES));
                checkChecksum(a, raw, s);
                break;
            }
            default: {
                byte[] raw = base32(rest, s);
                if (raw.length < CHECKSUM_BYTES) {
                    throw bad("address '" + s + "' is too short for its checksum");
                }
                byte[] payload = Arrays.copyOf(raw, raw.length - CHECKSUM_BYTES);
                a = fromBytes(concat(new byte[] {(byte) (p - '0')}, payload));
                checkChecksum(a, raw, s);
            }
        }
        // Rejects spellings that decode to the same bytes but are not what we would print.
        if (!a.format(net == 'f' ? Network.MAINNET : Network.TESTNET).equals(s)) {
            throw bad("address '" + s + "' is not in canonical form");
        }
        return a;
    }

    /** The protocol of this address. */
    public Protocol protocol() {
        return protocol;
    }

    /** The binary form: protocol byte ‖ payload (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The payload, without the protocol byte (a copy). */
    public byte[] payload() {
        return Arrays.copyOfRange(bytes, 1, bytes.length);
    }

    /** The actor ID of an ID address. */
    public long id() {
        if (protocol != Protocol.ID) {
            throw bad(this + " is not an ID address");
        }
        return Varint.decode(bytes, 1, bytes.length);
    }

    /** The string form with the given network prefix. */
    public String format(Network network) {
        StringBuilder sb = new StringBuilder().append(network.prefix).append((char) ('0' + protocol.ordinal()));
        switch (protocol) {
            case ID:
                return sb.append(id()).toString();
            case DELEGATED: {
                long ns = Varint.decode(bytes, 1, bytes.length);
                byte[] sub = Arrays.copyOfRange(bytes, 1 + Varint.size(ns), bytes.length);
                return sb.append(ns).append('f').append(Multibase.encodeRaw(Multibase.Base.BASE32, concat(sub, checksum()))).toString();
            }
            default:
                return sb.append(Multibase.encodeRaw(Multibase.Base.BASE32, concat(payload(), checksum()))).toString();
        }
    }

    /** The mainnet ({@code f}) string. */
    @Override
    public String toString() {
        return format(Network.MAINNET);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Address && Arrays.equals(bytes, ((Address) o).bytes);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(bytes);
            hash = h;
        }
        return h;
    }

    /** blake2b-32 over protocol byte ‖ payload (for f4: ‖ namespace varint ‖ sub-address, which is the same bytes). */
    private byte[] checksum() {
        return Blake2b.hash(CHECKSUM_BYTES, bytes);
    }

    private static void checkChecksum(Address a, byte[] raw, String s) {
        byte[] want = a.checksum();
        if (!Arrays.equals(want, 0, CHECKSUM_BYTES, raw, raw.length - CHECKSUM_BYTES, raw.length)) {
            throw bad("address '" + s + "' has a bad checksum");
        }
    }

    private static byte[] base32(String text, String whole) {
        try {
            return Multibase.decodeRaw(Multibase.Base.BASE32, text);
        } catch (IpldException e) {
            throw bad("address '" + whole + "' is not valid base32: " + e.getMessage());
        }
    }

    private static long parseDecimal(String digits, String what) {
        if (digits.isEmpty() || digits.length() > 19 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(what + " '" + digits + "' is not a decimal number between 0 and 2^63-1");
        }
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            throw bad(what + " '" + digits + "' has leading zeros");
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw bad(what + " '" + digits + "' exceeds 2^63-1");
        }
    }

    private static long readVarint(byte[] b, int off, String what) {
        try {
            long v = Varint.decode(b, off, b.length);
            if (v < 0) {
                throw bad(what + " exceeds 2^63-1");
            }
            return v;
        } catch (IpldException e) {
            throw bad("bad " + what + " varint: " + e.getMessage());
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    private static PaychException bad(String message) {
        return new PaychException(PaychException.Reason.BAD_ADDRESS, message);
    }
}
