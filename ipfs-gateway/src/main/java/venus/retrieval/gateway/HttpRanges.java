package venus.retrieval.gateway;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses an HTTP {@code Range} header (RFC 9110 §14) against a representation of known size.
 * A header that does not parse is ignored (whole content, as the RFC allows); a parsable header
 * none of whose ranges can be satisfied is a {@code 416}; ranges that together ask for more bytes
 * than the content has (overlaps) are ignored, so a response is never larger than the content.
 */
final class HttpRanges {
    /** More ranges than this in one request is treated as abuse: 416. */
    static final int MAX_RANGES = 32;

    /** One satisfiable range, inclusive. */
    record Span(long first, long last) {
        long length() {
            return last - first + 1;
        }
    }

    private HttpRanges() {}

    /**
     * The ranges to serve, or null to serve the whole content (no header, or one that does not parse).
     *
     * @throws GatewayException RANGE_NOT_SATISFIABLE when no range overlaps {@code size} bytes
     */
    static List<Span> parse(String header, long size) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null; // other units are ignored
        }
        String[] parts = h.substring(6).split(",", -1);
        if (parts.length > MAX_RANGES) {
            throw new GatewayException(GatewayException.Reason.RANGE_NOT_SATISFIABLE,
                    "too many ranges (" + parts.length + " > " + MAX_RANGES + ")");
        }
        List<Span> out = new ArrayList<>();
        int specs = 0;
        for (String raw : parts) {
            String p = raw.trim();
            if (p.isEmpty()) {
                continue; // an empty list element (RFC 9110 §5.6.1)
            }
            specs++;
            int dash = p.indexOf('-');
            if (dash < 0) {
                return null;
            }
            String a = p.substring(0, dash).trim();
            String b = p.substring(dash + 1).trim();
            long first;
            long last;
            if (a.isEmpty()) {
                long suffix = number(b);
                if (suffix < 0) {
                    return null;
                }
                if (suffix == 0 || size == 0) {
                    continue; // unsatisfiable
                }
                first = Math.max(0, size - suffix);
                last = size - 1;
            } else {
                first = number(a);
                if (first < 0) {
                    return null;
                }
                if (b.isEmpty()) {
                    last = size - 1;
                } else {
                    last = number(b);
                    if (last < 0 || last < first) {
                        return null; // syntactically invalid: ignore the whole header
                    }
                }
                if (first >= size) {
                    continue; // unsatisfiable
                }
                last = Math.min(last, size - 1);
            }
            out.add(new Span(first, last));
        }
        if (specs == 0) {
            return null; // "bytes=" with no range at all does not parse
        }
        if (out.isEmpty()) {
            throw new GatewayException(GatewayException.Reason.RANGE_NOT_SATISFIABLE,
                    "range \"" + abbreviate(h) + "\" is outside the " + size + " bytes of content");
        }
        // Overlapping ranges could ask for the content many times over (RFC 9110 §14.2 lets a server
        // ignore them): past the content's own size, send the content once instead.
        long total = 0;
        for (Span s : out) {
            total += s.length(); // checked each step: total <= size before the add, so no overflow
            if (total > size) {
                return null;
            }
        }
        return out;
    }

    /** A non-negative decimal, or -1 for anything else (including overflow). */
    private static long number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
