package venus.retrieval.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/** Content types for the path gateway: by file extension first, then by sniffing the first bytes. */
final class MediaTypes {
    static final int SNIFF_BYTES = 512;
    static final String OCTET_STREAM = "application/octet-stream";
    static final String TEXT_PLAIN = "text/plain; charset=utf-8";

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("html", "text/html"), Map.entry("htm", "text/html"),
            Map.entry("txt", TEXT_PLAIN), Map.entry("md", "text/markdown; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"), Map.entry("csv", "text/csv; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"), Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json"), Map.entry("xml", "text/xml; charset=utf-8"),
            Map.entry("wasm", "application/wasm"), Map.entry("pdf", "application/pdf"),
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"), Map.entry("avif", "image/avif"),
            Map.entry("svg", "image/svg+xml"), Map.entry("ico", "image/vnd.microsoft.icon"),
            Map.entry("mp4", "video/mp4"), Map.entry("webm", "video/webm"), Map.entry("ogg", "audio/ogg"),
            Map.entry("mp3", "audio/mpeg"), Map.entry("wav", "audio/wav"), Map.entry("flac", "audio/flac"),
            Map.entry("woff", "font/woff"), Map.entry("woff2", "font/woff2"), Map.entry("ttf", "font/ttf"),
            Map.entry("otf", "font/otf"), Map.entry("zip", "application/zip"), Map.entry("gz", "application/gzip"),
            Map.entry("tar", "application/x-tar"), Map.entry("car", "application/vnd.ipld.car"),
            Map.entry("bin", OCTET_STREAM));

    private MediaTypes() {}

    /** The type for a file name's extension, or null when unknown. */
    static String byName(String name) {
        if (name == null) {
            return null;
        }
        int dot = name.lastIndexOf('.');
        if (dot < 0 || dot == name.length() - 1) {
            return null;
        }
        return BY_EXTENSION.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Sniffs the first bytes of a file (WHATWG-style signatures, then text vs binary). */
    static String sniff(byte[] b, int len) {
        if (len == 0) {
            return TEXT_PLAIN;
        }
        if (starts(b, len, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})) {
            return "image/png";
        }
        if (starts(b, len, new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff})) {
            return "image/jpeg";
        }
        if (startsAscii(b, len, "GIF87a") || startsAscii(b, len, "GIF89a")) {
            return "image/gif";
        }
        if (startsAscii(b, len, "%PDF-")) {
            return "application/pdf";
        }
        if (starts(b, len, new byte[] {'P', 'K', 3, 4})) {
            return "application/zip";
        }
        if (starts(b, len, new byte[] {0x1f, (byte) 0x8b, 8})) {
            return "application/gzip";
        }
        if (len >= 12 && startsAscii(b, len, "RIFF") && new String(b, 8, 4, StandardCharsets.ISO_8859_1).equals("WEBP")) {
            return "image/webp";
        }
        if (starts(b, len, new byte[] {0, 'a', 's', 'm'})) {
            return "application/wasm";
        }
        int i = 0;
        while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
        String head = new String(b, i, Math.min(len - i, 16), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        if (head.startsWith("<!doctype html") || head.startsWith("<html") || head.startsWith("<head")
                || head.startsWith("<body") || head.startsWith("<script") || head.startsWith("<title")) {
            return "text/html";
        }
        if (head.startsWith("<svg")) {
            return "image/svg+xml";
        }
        if (head.startsWith("<?xml")) {
            return "text/xml; charset=utf-8";
        }
        for (int k = 0; k < len; k++) {
            int c = b[k] & 0xff;
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x0c && c != 0x1b) {
                return OCTET_STREAM;
            }
        }
        return TEXT_PLAIN;
    }

    private static boolean starts(byte[] b, int len, byte[] sig) {
        if (len < sig.length) {
            return false;
        }
        for (int i = 0; i < sig.length; i++) {
            if (b[i] != sig[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsAscii(byte[] b, int len, String sig) {
        return starts(b, len, sig.getBytes(StandardCharsets.ISO_8859_1));
    }
}
