package venus.retrieval.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Percent-decoding and -encoding of URL path segments (no {@code +} = space: that is a query rule). */
final class PathCodec {
    private PathCodec() {}

    /**
     * Splits a raw path remainder (after the CID) into decoded segments. Empty segments (from
     * {@code //} or a trailing {@code /}) are dropped; {@code .} and {@code ..} are refused, as are
     * NUL and {@code /} inside a decoded segment.
     */
    static List<String> segments(String raw) {
        List<String> out = new ArrayList<>();
        for (String s : raw.split("/", -1)) {
            if (s.isEmpty()) {
                continue;
            }
            String d = decode(s);
            if (d.equals(".") || d.equals("..")) {
                throw new GatewayException(GatewayException.Reason.BAD_REQUEST, "path segments \".\" and \"..\" are not allowed");
            }
            if (d.indexOf('/') >= 0 || d.indexOf('\0') >= 0) {
                throw new GatewayException(GatewayException.Reason.BAD_REQUEST, "path segment contains \"/\" or NUL");
            }
            out.add(d);
        }
        return out;
    }

    /** Decodes one segment; malformed escapes or invalid UTF-8 are a 400. */
    static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw bad(s);
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw bad(s);
                }
                b.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] u = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    u = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                b.writeBytes(u);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new GatewayException(GatewayException.Reason.BAD_REQUEST, "path segment is not valid UTF-8");
        }
    }

    private static GatewayException bad(String s) {
        return new GatewayException(GatewayException.Reason.BAD_REQUEST,
                "malformed percent-encoding in path segment \"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"");
    }

    /** Percent-encodes a segment for use in a URL path (RFC 3986 unreserved kept). */
    static String encode(String segment) {
        StringBuilder sb = new StringBuilder();
        for (byte x : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    /** Content-Disposition value with an ASCII fallback and the RFC 8187 UTF-8 form. */
    static String disposition(String type, String filename) {
        StringBuilder ascii = new StringBuilder();
        for (int i = 0; i < filename.length(); i++) {
            char c = filename.charAt(i);
            ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
        }
        return type + "; filename=\"" + ascii + "\"; filename*=UTF-8''" + encode(filename);
    }

    /** Minimal HTML escaping for text and attribute values. */
    static String html(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&#34;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
