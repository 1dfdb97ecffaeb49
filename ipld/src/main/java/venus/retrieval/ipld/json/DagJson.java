package venus.retrieval.ipld.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.IpldException.Reason;
import venus.retrieval.ipld.model.Kind;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.ipld.model.SortedEntries;
import venus.retrieval.ipld.model.Utf8;

/**
 * The dag-json codec (multicodec 0x0129): JSON with links as {@code {"/":"<cid>"}} and bytes as
 * {@code {"/":{"bytes":"<base64, no padding>"}}}.
 *
 * <p>The encoder writes no whitespace, sorts map keys bytewise by their UTF-8 form, writes floats
 * with a decimal point or exponent (so they stay floats) and refuses what dag-json cannot carry:
 * NaN and infinities, strings that are not valid UTF-8, and maps that would read back as a link or
 * bytes (the reserved {@code "/"} namespace). The decoder accepts any key order and whitespace,
 * rejects duplicate keys and malformed reserved forms, and fails only with {@link IpldException}.
 */
public final class DagJson {
    /** Nesting deeper than this is refused. */
    public static final int MAX_DEPTH = 512;
    /** Integer literals longer than this many digits are refused (BigInteger parsing is quadratic). */
    static final int MAX_INT_DIGITS = 100;

    private DagJson() {}

    /** The dag-json bytes (UTF-8) of {@code node}. */
    public static byte[] encode(Node node) {
        Out out = new Out();
        write(out, node, 0);
        return out.toByteArray();
    }

    /** The dag-json text of {@code node}. */
    public static String encodeToString(Node node) {
        return new String(encode(node), StandardCharsets.UTF_8);
    }

    /** Decodes {@code bytes}, which must be exactly one JSON value in UTF-8. */
    public static Node decode(byte[] bytes) {
        if (!Utf8.isValid(bytes)) {
            throw new IpldException(Reason.BAD_BLOCK, "dag-json is not valid UTF-8");
        }
        return new JsonParser(bytes).parseDocument();
    }

    /** Decodes dag-json text. */
    public static Node decode(String json) {
        return new JsonParser(json.getBytes(StandardCharsets.UTF_8)).parseDocument();
    }

    // ---- encoder ----

    private static void write(Out out, Node n, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IpldException(Reason.TOO_LARGE, "nesting deeper than " + MAX_DEPTH);
        }
        switch (n.kind()) {
            case NULL -> ascii(out, "null");
            case BOOL -> ascii(out, n.asBoolean() ? "true" : "false");
            case INT -> ascii(out, n.fitsLong() ? Long.toString(n.asLong()) : n.asBigInteger().toString());
            case FLOAT -> ascii(out, formatFloat(n.asDouble()));
            case STRING -> {
                byte[] b = n.asStringBytes();
                if (!Utf8.isValid(b)) {
                    throw new IpldException(Reason.UNSUPPORTED, "a string that is not valid UTF-8 has no dag-json form");
                }
                string(out, b);
            }
            case BYTES -> {
                ascii(out, "{\"/\":{\"bytes\":\"");
                ascii(out, Base64.getEncoder().withoutPadding().encodeToString(n.asBytes()));
                ascii(out, "\"}}");
            }
            case LINK -> {
                ascii(out, "{\"/\":\"");
                ascii(out, n.asCid().toString());
                ascii(out, "\"}");
            }
            case LIST -> {
                out.write('[');
                boolean first = true;
                for (Node e : n.elements()) {
                    if (!first) {
                        out.write(',');
                    }
                    first = false;
                    write(out, e, depth + 1);
                }
                out.write(']');
            }
            case MAP -> writeMap(out, n.entries(), depth);
            default -> throw new IllegalStateException("unknown kind " + n.kind());
        }
    }

    private static void writeMap(Out out, Map<String, Node> entries, int depth) {
        SortedEntries sorted = SortedEntries.of(entries, Arrays::compareUnsigned);
        int size = sorted.size();
        if (size > 0 && isSlash(sorted.key(0)) && isReservedForm(sorted.value(0))) {
            throw new IpldException(Reason.UNSUPPORTED, "a map whose first key is \"/\" with this value has no dag-json form");
        }
        out.write('{');
        for (int k = 0; k < size; k++) {
            if (k > 0) {
                out.write(',');
            }
            string(out, sorted.key(k));
            out.write(':');
            write(out, sorted.value(k), depth + 1);
        }
        out.write('}');
    }

    private static boolean isSlash(byte[] key) {
        return key.length == 1 && key[0] == '/';
    }

    /** A "/" value that a decoder would read as (or reject as) a link or bytes. */
    static boolean isReservedForm(Node value) {
        if (value.kind() == Kind.STRING) {
            return true;
        }
        return value.kind() == Kind.MAP && firstKeyIs(value.entries(), "bytes")
                && value.get("bytes").kind() == Kind.STRING;
    }

    /** Whether {@code key} is present and sorts first (UTF-8 bytewise) among the map's keys. */
    static boolean firstKeyIs(Map<String, Node> m, String key) {
        if (!m.containsKey(key)) {
            return false;
        }
        byte[] kb = key.getBytes(StandardCharsets.UTF_8);
        for (String other : m.keySet()) {
            if (Arrays.compareUnsigned(other.getBytes(StandardCharsets.UTF_8), kb) < 0) {
                return false;
            }
        }
        return true;
    }

    private static void ascii(Out out, String s) {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** An unsynchronised growing byte buffer (ByteArrayOutputStream locks on every byte). */
    private static final class Out {
        private byte[] buf = new byte[256];
        private int len;

        void write(int b) {
            if (len == buf.length) {
                grow(1);
            }
            buf[len++] = (byte) b;
        }

        void write(byte[] b) {
            if (buf.length - len < b.length) {
                grow(b.length);
            }
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        private void grow(int n) {
            long want = Math.max(2L * buf.length, (long) len + n);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IpldException(Reason.TOO_LARGE, "dag-json output exceeds 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) want);
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** A JSON string: escapes quote, backslash and control characters; other UTF-8 is written as is. */
    private static void string(Out out, byte[] utf8) {
        out.write('"');
        for (byte x : utf8) {
            int c = x & 0xFF;
            switch (c) {
                case '"' -> ascii(out, "\\\"");
                case '\\' -> ascii(out, "\\\\");
                case '\b' -> ascii(out, "\\b");
                case '\f' -> ascii(out, "\\f");
                case '\n' -> ascii(out, "\\n");
                case '\r' -> ascii(out, "\\r");
                case '\t' -> ascii(out, "\\t");
                default -> {
                    if (c < 0x20) {
                        ascii(out, "\\u00");
                        out.write(HEX[c >> 4]);
                        out.write(HEX[c & 15]);
                    } else {
                        out.write(c);
                    }
                }
            }
        }
        out.write('"');
    }

    /**
     * A float in the shortest form that reads back to the same double, laid out as ECMAScript's
     * Number#toString does (what JavaScript dag-json writes), except that a float with no
     * fractional part keeps a ".0" so that it decodes as a float, as the spec asks.
     */
    static String formatFloat(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IpldException(Reason.BAD_BLOCK, "dag-json has no NaN or Infinity");
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal bd = shortest(Math.abs(d));
        String digits = bd.unscaledValue().toString();
        int k = digits.length();
        int n = k - bd.scale();  // value = 0.digits × 10^n
        StringBuilder sb = new StringBuilder(d < 0 ? "-" : "");
        if (k <= n && n <= 21) {
            sb.append(digits).append("0".repeat(n - k)).append(".0");
        } else if (0 < n && n <= 21) {
            sb.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            sb.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int e = n - 1;
            sb.append(digits.charAt(0));
            if (k > 1) {
                sb.append('.').append(digits, 1, k);
            }
            sb.append('e').append(e >= 0 ? '+' : '-').append(Math.abs(e));
        }
        return sb.toString();
    }

    /** The fewest significant digits that read back as {@code d} (Double.toString is not always shortest before JDK 19). */
    private static BigDecimal shortest(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int p = 1; p < 17; p++) {
            BigDecimal r = exact.round(new java.math.MathContext(p, java.math.RoundingMode.HALF_EVEN));
            if (r.doubleValue() == d) {
                return r.stripTrailingZeros();
            }
        }
        return exact.round(new java.math.MathContext(17, java.math.RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    // ---- decoder ----

    /** A recursive-descent JSON parser over UTF-8 bytes, building data-model values. */
    private static final class JsonParser {
        private final byte[] in;
        private int pos;

        JsonParser(byte[] in) {
            this.in = in;
        }

        Node parseDocument() {
            ws();
            if (pos >= in.length) {
                throw new IpldException(Reason.TRUNCATED, "empty dag-json document");
            }
            Node n = value(0);
            ws();
            if (pos != in.length) {
                throw bad("trailing data at offset " + pos);
            }
            return n;
        }

        private Node value(int depth) {
            if (depth > MAX_DEPTH) {
                throw new IpldException(Reason.TOO_LARGE, "nesting deeper than " + MAX_DEPTH + " at offset " + pos);
            }
            int c = peek();
            switch (c) {
                case '{':
                    return object(depth);
                case '[':
                    return array(depth);
                case '"':
                    return Node.string(string());
                case 't':
                    literal("true");
                    return Node.TRUE;
                case 'f':
                    literal("false");
                    return Node.FALSE;
                case 'n':
                    literal("null");
                    return Node.NULL;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw bad("unexpected character '" + (char) c + "' at offset " + pos);
            }
        }

        private Node array(int depth) {
            pos++;  // [
            List<Node> list = new ArrayList<>();
            ws();
            if (peek() == ']') {
                pos++;
                return Node.list(list);
            }
            while (true) {
                ws();
                list.add(value(depth + 1));
                ws();
                int c = peek();
                pos++;
                if (c == ']') {
                    return Node.list(list);
                }
                if (c != ',') {
                    throw bad("expected ',' or ']' at offset " + (pos - 1));
                }
            }
        }

        private Node object(int depth) {
            int start = pos;
            pos++;  // {
            LinkedHashMap<String, Node> map = new LinkedHashMap<>();
            ws();
            if (peek() == '}') {
                pos++;
                return Node.map(map);
            }
            while (true) {
                ws();
                if (peek() != '"') {
                    throw bad("expected a string key at offset " + pos);
                }
                int keyAt = pos;
                String key = string();
                ws();
                if (peek() != ':') {
                    throw bad("expected ':' at offset " + pos);
                }
                pos++;
                ws();
                Node v = value(depth + 1);
                if (map.putIfAbsent(key, v) != null) {
                    throw bad("duplicate map key \"" + key + "\" at offset " + keyAt);
                }
                ws();
                int c = peek();
                pos++;
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw bad("expected ',' or '}' at offset " + (pos - 1));
                }
            }
            return reserved(map, start);
        }

        /** Applies the reserved "/" namespace: links, bytes, and the forms the spec rejects. */
        private Node reserved(LinkedHashMap<String, Node> map, int at) {
            if (!firstKeyIs(map, "/")) {
                return Node.map(map);
            }
            Node v = map.get("/");
            if (v.kind() == Kind.STRING) {
                if (map.size() != 1) {
                    throw bad("a link {\"/\": ...} at offset " + at + " has other keys");
                }
                try {
                    return Node.link(Cid.parse(v.asString()));
                } catch (IpldException e) {
                    throw new IpldException(Reason.BAD_BLOCK, "bad link at offset " + at + ": " + e.getMessage(), e);
                }
            }
            if (isReservedForm(v)) {
                if (map.size() != 1 || v.size() != 1) {
                    throw bad("bytes {\"/\":{\"bytes\": ...}} at offset " + at + " have other keys");
                }
                try {
                    return Node.bytes(Base64.getDecoder().decode(v.get("bytes").asString()));
                } catch (IllegalArgumentException e) {
                    throw bad("bytes at offset " + at + " are not valid base64: " + e.getMessage());
                }
            }
            return Node.map(map);
        }

        private String string() {
            pos++;  // opening quote
            StringBuilder sb = null;
            int runStart = pos;
            while (true) {
                if (pos >= in.length) {
                    throw new IpldException(Reason.TRUNCATED, "unterminated string at end of input");
                }
                int c = in[pos] & 0xFF;
                if (c == '"') {
                    String s = sb == null ? new String(in, runStart, pos - runStart, StandardCharsets.UTF_8)
                            : sb.append(new String(in, runStart, pos - runStart, StandardCharsets.UTF_8)).toString();
                    pos++;
                    return s;
                }
                if (c < 0x20) {
                    throw bad("unescaped control character in string at offset " + pos);
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(new String(in, runStart, pos - runStart, StandardCharsets.UTF_8));
                pos++;
                if (pos >= in.length) {
                    throw new IpldException(Reason.TRUNCATED, "unterminated escape at end of input");
                }
                int e = in[pos++] & 0xFF;
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        char ch = hex4();
                        if (Character.isHighSurrogate(ch)) {
                            if (pos + 1 < in.length && in[pos] == '\\' && in[pos + 1] == 'u') {
                                pos += 2;
                                char lo = hex4();
                                if (!Character.isLowSurrogate(lo)) {
                                    throw bad("unpaired surrogate escape before offset " + pos);
                                }
                                sb.append(ch).append(lo);
                            } else {
                                throw bad("unpaired surrogate escape before offset " + pos);
                            }
                        } else if (Character.isLowSurrogate(ch)) {
                            throw bad("unpaired surrogate escape before offset " + pos);
                        } else {
                            sb.append(ch);
                        }
                    }
                    default -> throw bad("invalid escape '\\" + (char) e + "' at offset " + (pos - 2));
                }
                runStart = pos;
            }
        }

        private char hex4() {
            if (in.length - pos < 4) {
                throw new IpldException(Reason.TRUNCATED, "\\u escape runs past the end of input");
            }
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(in[pos + i], 16);
                if (d < 0) {
                    throw bad("invalid \\u escape at offset " + pos);
                }
                v = (v << 4) | d;
            }
            pos += 4;
            return (char) v;
        }

        private Node number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            int intStart = pos;
            if (peek() == '0') {
                pos++;
            } else if (isDigit(peek())) {
                while (pos < in.length && isDigit(in[pos])) {
                    pos++;
                }
            } else {
                throw bad("expected a digit at offset " + pos);
            }
            int intDigits = pos - intStart;
            boolean isFloat = false;
            if (pos < in.length && in[pos] == '.') {
                isFloat = true;
                pos++;
                digits();
            }
            if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
                isFloat = true;
                pos++;
                if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
                    pos++;
                }
                digits();
            }
            String text = new String(in, start, pos - start, StandardCharsets.US_ASCII);
            if (isFloat) {
                if (pos - start > 1100) {
                    throw new IpldException(Reason.TOO_LARGE, "number at offset " + start + " is too long");
                }
                double d = Double.parseDouble(text);
                if (Double.isInfinite(d)) {
                    throw bad("number at offset " + start + " overflows a float");
                }
                return Node.floating(d);
            }
            if (intDigits <= 18) {
                return Node.integer(Long.parseLong(text));
            }
            if (intDigits > MAX_INT_DIGITS) {
                throw new IpldException(Reason.TOO_LARGE, "integer at offset " + start + " has more than " + MAX_INT_DIGITS + " digits");
            }
            return Node.integer(new BigInteger(text));
        }

        private void digits() {
            if (pos >= in.length) {
                throw new IpldException(Reason.TRUNCATED, "number ends at end of input");
            }
            if (!isDigit(in[pos])) {
                throw bad("expected a digit at offset " + pos);
            }
            while (pos < in.length && isDigit(in[pos])) {
                pos++;
            }
        }

        private static boolean isDigit(int c) {
            return c >= '0' && c <= '9';
        }

        private void literal(String word) {
            for (int i = 0; i < word.length(); i++) {
                if (pos + i >= in.length) {
                    throw new IpldException(Reason.TRUNCATED, "input ends inside '" + word + "'");
                }
                if (in[pos + i] != word.charAt(i)) {
                    throw bad("unexpected character at offset " + (pos + i));
                }
            }
            pos += word.length();
        }

        private int peek() {
            if (pos >= in.length) {
                throw new IpldException(Reason.TRUNCATED, "dag-json ends at offset " + pos + " inside a value");
            }
            return in[pos] & 0xFF;
        }

        private void ws() {
            while (pos < in.length) {
                byte c = in[pos];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    return;
                }
            }
        }

        private static IpldException bad(String msg) {
            return new IpldException(Reason.BAD_BLOCK, msg);
        }
    }
}
