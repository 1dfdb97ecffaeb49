package venus.retrieval.paych;

import java.util.Arrays;
import java.util.Base64;

/**
 * A Filecoin signature: a type and the signature data. The wire form ({@link #bytes()}) is the
 * type byte followed by the data.
 */
public final class Signature {
    /** Signature types and their wire type byte. */
    public enum Type {
        SECP256K1(1, 65), BLS(2, 96), DELEGATED(3, 65);

        private final int code;
        private final int dataLength;

        Type(int code, int dataLength) {
            this.code = code;
            this.dataLength = dataLength;
        }

        /** The type byte (1 secp256k1, 2 BLS, 3 delegated). */
        public int code() {
            return code;
        }

        /** The exact data length this type requires. */
        public int dataLength() {
            return dataLength;
        }

        /** The type for a type byte. */
        public static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new PaychException(PaychException.Reason.BAD_SIGNATURE, "unknown signature type " + code);
        }
    }

    /** Longest serialized signature Filecoin accepts (type byte included). */
    public static final int MAX_BYTES = 200;

    private final Type type;
    private final byte[] data;

    /** A signature of {@code type} over {@code data}; the data length must suit the type. */
    public Signature(Type type, byte[] data) {
        if (data.length != type.dataLength) {
            throw new PaychException(PaychException.Reason.BAD_SIGNATURE,
                    type + " signature must be " + type.dataLength + " bytes, got " + data.length);
        }
        this.type = type;
        this.data = data.clone();
    }

    /** Parses the wire form: type byte ‖ data. */
    public static Signature fromBytes(byte[] b) {
        if (b.length == 0) {
            throw new PaychException(PaychException.Reason.BAD_SIGNATURE, "empty signature bytes");
        }
        if (b.length > MAX_BYTES) {
            throw new PaychException(PaychException.Reason.BAD_SIGNATURE, "signature is " + b.length + " bytes, at most " + MAX_BYTES);
        }
        return new Signature(Type.of(b[0] & 0xFF), Arrays.copyOfRange(b, 1, b.length));
    }

    /** The signature scheme (the wire form's first byte). */
    public Type type() {
        return type;
    }

    /** The signature data without the type byte (a copy). */
    public byte[] data() {
        return data.clone();
    }

    /** The wire form: type byte ‖ data. */
    public byte[] bytes() {
        return Address.concat(new byte[] {(byte) type.code}, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Signature && ((Signature) o).type == type && Arrays.equals(data, ((Signature) o).data);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return type + ":" + Base64.getEncoder().encodeToString(data);
    }
}
