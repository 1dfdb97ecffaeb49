package venus.retrieval.gateway;

import java.util.List;
import venus.retrieval.gateway.GatewayBackend.DirEntry;
import venus.retrieval.ipld.Cid;

/** The HTML page listing a directory: breadcrumb, then one row per entry with name, size and CID. */
final class DirectoryListing {
    private DirectoryListing() {}

    /** @param rawPath the request path, percent-encoded, ending with {@code /} */
    static String html(String rawPath, Cid dir, List<DirEntry> entries) {
        String base = rawPath.endsWith("/") ? rawPath : rawPath + "/";
        String[] parts = base.substring(1, base.length() - 1).split("/");
        StringBuilder sb = new StringBuilder(256 + entries.size() * 200);
        String title = PathCodec.html(decodeForDisplay(base));
        sb.append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Index of ").append(title)
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}td{padding:.2em .8em}"
                        + ".ipfs-hash{font-family:monospace;color:#777}</style>\n</head>\n<body>\n")
                .append("<h1>Index of ");
        // Breadcrumb: /ipfs/<a>cid</a>/<a>seg</a>/...
        StringBuilder href = new StringBuilder("/").append(parts[0]);
        sb.append('/').append(PathCodec.html(parts[0]));
        for (int i = 1; i < parts.length; i++) {
            href.append('/').append(parts[i]);
            sb.append("/<a href=\"").append(PathCodec.html(href.toString())).append("\">")
                    .append(PathCodec.html(decodeForDisplay(parts[i]))).append("</a>");
        }
        sb.append("</h1>\n<p class=\"ipfs-hash\">").append(dir).append("</p>\n<table>\n");
        if (parts.length > 2) {
            sb.append("<tr><td><a href=\"").append(PathCodec.html(base)).append("..\">..</a></td><td></td><td></td></tr>\n");
        }
        for (DirEntry e : entries) {
            String enc = PathCodec.encode(e.name());
            sb.append("<tr><td><a href=\"").append(PathCodec.html(base + enc)).append("\">")
                    .append(PathCodec.html(e.name())).append("</a></td><td>")
                    .append(e.size() >= 0 ? humanSize(e.size()) : "").append("</td><td><a class=\"ipfs-hash\" translate=\"no\" href=\"/ipfs/")
                    .append(e.cid()).append("?filename=").append(PathCodec.html(enc)).append("\">")
                    .append(e.cid()).append("</a></td></tr>\n");
        }
        sb.append("</table>\n</body>\n</html>\n");
        return sb.toString();
    }

    private static String decodeForDisplay(String s) {
        try {
            return PathCodec.decode(s);
        } catch (GatewayException e) {
            return s;
        }
    }

    static String humanSize(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
