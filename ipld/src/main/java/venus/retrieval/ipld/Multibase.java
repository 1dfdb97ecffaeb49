package venus.retrieval.ipld;

import java.util.Arrays;
import java.util.Base64;

/**
 * Multibase: a one-character prefix naming the base, then the encoded bytes. Supports the bases
 * CIDs and peer IDs use in practice.
 */
public final class Multibase {
    /** A supported base and its multibase prefix. */
    public enum Base {
        BASE32('b'), BASE32_UPPER('B'), BASE58_BTC('z'), BASE36('k'), BASE36_UPPER('K'),
        BASE64('m'), BASE64_URL('u'), BASE16('f'), BASE16_UPPER('F');

        private final char prefix;

        Base(char prefix) {
            this.prefix = prefix;
        }

        /** The multibase prefix character. */
        public char prefix() {
            return prefix;
        }

        /** The base for a prefix, or null. */
        public static Base forPrefix(char c) {
            for (Base b : values()) {
                if (b.prefix == c) {
                    return b;
                }
            }
            return null;
        }
    }

    private static final char[] B32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final String B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final String B36 = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Multibase() {}

    /** Encodes with the multibase prefix. */
    public static String encode(Base base, byte[] data) {
        return base.prefix + encodeRaw(base, data);
    }

    /** Encodes without a prefix (e.g. CIDv0 and peer IDs use bare base58btc). */
    public static String encodeRaw(Base base, byte[] data) {
        switch (base) {
            case BASE32: return base32(data);
            case BASE32_UPPER: return base32(data).toUpperCase(java.util.Locale.ROOT);
            case BASE58_BTC: return baseN(data, B58);
            case BASE36: return baseN(data, B36);
            case BASE36_UPPER: return baseN(data, B36).toUpperCase(java.util.Locale.ROOT);
            case BASE64: return Base64.getEncoder().withoutPadding().encodeToString(data);
            case BASE64_URL: return Base64.getUrlEncoder().withoutPadding().encodeToString(data);
            case BASE16: return hex(data);
            case BASE16_UPPER: return hex(data).toUpperCase(java.util.Locale.ROOT);
            default: throw new AssertionError(base);
        }
    }

    /** Decodes a prefixed multibase string. */
    public static byte[] decode(String s) {
        if (s.isEmpty()) {
            throw new IpldException(IpldException.Reason.BAD_MULTIBASE, "empty multibase string");
        }
        Base base = Base.forPrefix(s.charAt(0));
        if (base == null) {
            throw new IpldException(IpldException.Reason.BAD_MULTIBASE, "unsupported multibase prefix '" + s.charAt(0) + "'");
        }
        return decodeRaw(base, s.substring(1));
    }

    /** Decodes an unprefixed string in the given base. */
    public static byte[] decodeRaw(Base base, String s) {
        try {
            switch (base) {
                case BASE32: case BASE32_UPPER: return unbase32(s.toLowerCase(java.util.Locale.ROOT));
                case BASE58_BTC: return unbaseN(s, B58);
                case BASE36: case BASE36_UPPER: return unbaseN(s.toLowerCase(java.util.Locale.ROOT), B36);
                case BASE64: return Base64.getDecoder().decode(stripPad(s));
                case BASE64_URL: return Base64.getUrlDecoder().decode(stripPad(s));
                case BASE16: case BASE16_UPPER: return unhex(s);
                default: throw new AssertionError(base);
            }
        } catch (IllegalArgumentException e) {
            throw new IpldException(IpldException.Reason.BAD_MULTIBASE, "invalid " + base.name().toLowerCase(java.util.Locale.ROOT) + " string: " + e.getMessage());
        }
    }

    /** Lower-case hexadecimal without prefix. */
    public static String hex(byte[] data) {
        char[] out = new char[data.length * 2];
        for (int i = 0; i < data.length; i++) {
            out[2 * i] = HEX[(data[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[data[i] & 0xF];
        }
        return new String(out);
    }

    /** Parses hexadecimal (either case) without prefix. */
    public static byte[] unhex(String s) {
        if ((s.length() & 1) != 0) {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16);
            int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("bad hex digit at " + (2 * i));
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    private static String stripPad(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        return s.substring(0, end);
    }

    private static String base32(byte[] data) {
        StringBuilder sb = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                sb.append(B32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(B32[(buffer << (5 - bits)) & 31]);
        }
        return sb.toString();
    }

    private static byte[] unbase32(String s) {
        byte[] out = new byte[s.length() * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int v;
            if (c >= 'a' && c <= 'z') {
                v = c - 'a';
            } else if (c >= '2' && c <= '7') {
                v = c - '2' + 26;
            } else {
                throw new IllegalArgumentException("bad character '" + c + "' at " + i);
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[n++] = (byte) (buffer >> (bits - 8));
                bits -= 8;
            }
        }
        // Leftover bits must be zero padding, otherwise two strings would decode to the same bytes.
        if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0) {
            throw new IllegalArgumentException("non-canonical trailing bits");
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Big-number base conversion with leading-zero preservation (base58btc, base36). */
    private static String baseN(byte[] data, String alphabet) {
        int base = alphabet.length();
        int zeros = 0;
        while (zeros < data.length && data[zeros] == 0) {
            zeros++;
        }
        byte[] input = Arrays.copyOf(data, data.length);
        char[] out = new char[data.length * 2 + 1];
        int outPos = out.length;
        int start = zeros;
        while (start < input.length) {
            int remainder = 0;
            for (int i = start; i < input.length; i++) {
                int digit = (remainder << 8) | (input[i] & 0xFF);
                input[i] = (byte) (digit / base);
                remainder = digit % base;
            }
            out[--outPos] = alphabet.charAt(remainder);
            while (start < input.length && input[start] == 0) {
                start++;
            }
        }
        for (int i = 0; i < zeros; i++) {
            out[--outPos] = alphabet.charAt(0);
        }
        return new String(out, outPos, out.length - outPos);
    }

    private static byte[] unbaseN(String s, String alphabet) {
        int base = alphabet.length();
        int zeros = 0;
        while (zeros < s.length() && s.charAt(zeros) == alphabet.charAt(0)) {
            zeros++;
        }
        byte[] out = new byte[s.length()];
        int outLen = 0; // little-endian accumulator length
        for (int i = zeros; i < s.length(); i++) {
            int carry = alphabet.indexOf(s.charAt(i));
            if (carry < 0) {
                throw new IllegalArgumentException("bad character '" + s.charAt(i) + "' at " + i);
            }
            for (int j = 0; j < outLen; j++) {
                carry += (out[j] & 0xFF) * base;
                out[j] = (byte) carry;
                carry >>>= 8;
            }
            while (carry > 0) {
                out[outLen++] = (byte) carry;
                carry >>>= 8;
            }
        }
        byte[] result = new byte[zeros + outLen];
        for (int i = 0; i < outLen; i++) {
            result[zeros + i] = out[outLen - 1 - i];
        }
        return result;
    }
}
