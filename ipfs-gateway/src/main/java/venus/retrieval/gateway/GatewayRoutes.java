package venus.retrieval.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import venus.retrieval.gateway.GatewayBackend.ByteSpan;
import venus.retrieval.gateway.GatewayBackend.DagScope;
import venus.retrieval.gateway.GatewayBackend.DirEntry;
import venus.retrieval.gateway.GatewayBackend.Entity;
import venus.retrieval.gateway.GatewayBackend.FileSlice;
import venus.retrieval.gateway.GatewayBackend.PieceInfo;
import venus.retrieval.gateway.GatewayBackend.Resolved;
import venus.retrieval.gateway.GatewayException.Reason;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.car.CarWriter;

/**
 * The gateway's HTTP semantics over a {@link GatewayBackend}: {@code /ipfs/{cid}[/path]} as a
 * trustless gateway (raw blocks, CAR) and a path gateway (files, directories, dag-cbor/json), and
 * {@code /piece/{pieceCid}} (booster-http compatible). Pure request-to-response logic: no Netty
 * channel, no storage of its own.
 */
public final class GatewayRoutes implements GatewayHandler {
    /** Cache-Control for immutable {@code /ipfs/} and piece content. */
    static final String IMMUTABLE = "public, max-age=29030400, immutable";
    static final String LISTING_CACHE = "public, max-age=604800, stale-while-revalidate=2678400";
    static final String ALLOW = "GET, HEAD, OPTIONS";
    /** Bump when the listing HTML changes (it is part of the listing Etag). */
    private static final String LISTING_VERSION = "vrn1";
    private static final long FR32_SHA256_TRUNC254_PADBINTREE = 0x1011;

    private final GatewayBackend backend;

    public GatewayRoutes(GatewayBackend backend) {
        this.backend = backend;
    }

    @Override
    public GatewayResponse handle(GatewayRequest req) {
        if ("OPTIONS".equals(req.method())) {
            return new GatewayResponse(200).header(HttpHeaderNames.ALLOW, ALLOW);
        }
        if (!"GET".equals(req.method()) && !"HEAD".equals(req.method())) {
            GatewayResponse r = GatewayResponse.text(405, "405 Method Not Allowed: " + req.method());
            return r.header(HttpHeaderNames.ALLOW, ALLOW);
        }
        String path = req.rawPath();
        if (path.startsWith("/ipfs/")) {
            return ipfs(req, path.substring("/ipfs/".length()));
        }
        if (path.startsWith("/piece/")) {
            return piece(req, path.substring("/piece/".length()));
        }
        if (path.equals("/ipns") || path.startsWith("/ipns/")) {
            throw new GatewayException(Reason.NOT_IMPLEMENTED, "IPNS is not served by this gateway");
        }
        throw new GatewayException(Reason.NOT_FOUND, "no such endpoint: " + abbreviate(path) + " (try /ipfs/{cid} or /piece/{pieceCid})");
    }

    // ---------------------------------------------------------------- /ipfs/

    private GatewayResponse ipfs(GatewayRequest req, String rest) {
        int slash = rest.indexOf('/');
        String cidText = slash < 0 ? rest : rest.substring(0, slash);
        String remainder = slash < 0 ? "" : rest.substring(slash);
        Cid root = parseCid(PathCodec.decode(cidText));
        List<String> segments = PathCodec.segments(remainder);
        ResponseFormat format = ResponseFormat.negotiate(req);
        String onlyIfCached = req.header(HttpHeaderNames.CACHE_CONTROL);
        if (onlyIfCached != null && onlyIfCached.toLowerCase(Locale.ROOT).contains("only-if-cached") && !held(root)) {
            throw new GatewayException(Reason.PRECONDITION_FAILED, root + " is not held by this node (only-if-cached)");
        }
        Resolved resolved = resolve(root, segments);
        return switch (format.kind()) {
            case RAW -> raw(req, resolved, format);
            case CAR -> car(req, resolved, format);
            default -> deserialized(req, resolved, format);
        };
    }

    private Resolved resolve(Cid root, List<String> segments) {
        if (segments.isEmpty()) {
            if (!held(root)) {
                throw new GatewayException(Reason.NOT_FOUND, root + " is not held by this node");
            }
            return new Resolved(root, List.of(root), List.of(), null);
        }
        if (!held(root)) {
            throw new GatewayException(Reason.NOT_FOUND, root + " is not held by this node");
        }
        return backend.resolve(root, segments);
    }

    private boolean held(Cid cid) {
        return cid.isIdentity() || backend.block(cid) != null;
    }

    private byte[] blockOf(Cid cid) {
        byte[] data = cid.isIdentity() ? cid.identityData() : backend.block(cid);
        if (data == null) {
            throw new GatewayException(Reason.NOT_FOUND, cid + " is not held by this node");
        }
        return data;
    }

    private static Cid parseCid(String text) {
        try {
            return Cid.parse(text);
        } catch (IpldException e) {
            throw new GatewayException(Reason.BAD_REQUEST, e.getMessage());
        }
    }

    /** Headers every successful /ipfs/ response carries. */
    private static void common(GatewayResponse r, GatewayRequest req, Resolved resolved, String etag) {
        r.header(HttpHeaderNames.ETAG, etag);
        r.header(HttpHeaderNames.CACHE_CONTROL, IMMUTABLE);
        r.header("X-Ipfs-Path", req.rawPath());
        r.header("X-Ipfs-Roots", join(resolved.pathCids()));
        r.header(HttpHeaderNames.VARY, "Accept");
    }

    private static GatewayResponse notModified(GatewayResponse full) {
        GatewayResponse r = new GatewayResponse(304);
        for (CharSequence h : List.<CharSequence>of(HttpHeaderNames.ETAG, HttpHeaderNames.CACHE_CONTROL, "X-Ipfs-Path",
                "X-Ipfs-Roots", HttpHeaderNames.VARY)) {
            String v = full.headers().get(h);
            if (v != null) {
                r.header(h, v);
            }
        }
        return r;
    }

    /** Whether {@code If-None-Match} names {@code etag} (weak comparison, lists, {@code *}). */
    static boolean ifNoneMatch(GatewayRequest req, String etag) {
        String inm = req.header(HttpHeaderNames.IF_NONE_MATCH);
        if (inm == null) {
            return false;
        }
        String want = stripWeak(etag);
        for (String p : inm.split(",")) {
            String t = p.trim();
            if (t.equals("*") || stripWeak(t).equals(want)) {
                return true;
            }
        }
        return false;
    }

    private static String stripWeak(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }

    private static String contentLocation(GatewayRequest req, String format) {
        String q = req.rawQuery();
        return req.rawPath() + "?" + (q.isEmpty() ? "" : q + "&") + "format=" + format;
    }

    // ---------------------------------------------------------------- raw blocks

    private GatewayResponse raw(GatewayRequest req, Resolved resolved, ResponseFormat format) {
        Cid cid = resolved.terminal();
        byte[] data = blockOf(cid);
        String etag = "\"" + cid + ".raw\"";
        String filename = req.param("filename") != null ? req.param("filename") : cid + ".bin";
        GatewayResponse head = new GatewayResponse(200);
        common(head, req, resolved, etag);
        if (ifNoneMatch(req, etag)) {
            return notModified(head);
        }
        Optional<FileSlice> where = cid.isIdentity() ? Optional.empty() : backend.blockLocation(cid);
        RangeSource source = where.isPresent()
                ? (off, len, sink) -> sink.writeFile(where.get().file(), where.get().offset() + off, len)
                : (off, len, sink) -> sink.write(data, (int) off, (int) len);
        GatewayResponse r = ranged(req, head, data.length, "application/vnd.ipld.raw", source);
        r.header(HttpHeaderNames.CONTENT_DISPOSITION, PathCodec.disposition("attachment", filename));
        r.header("X-Content-Type-Options", "nosniff");
        if (format.fromAccept()) {
            r.header(HttpHeaderNames.CONTENT_LOCATION, contentLocation(req, "raw"));
        }
        return r.paid(cid, "raw");
    }

    // ---------------------------------------------------------------- CAR

    private GatewayResponse car(GatewayRequest req, Resolved resolved, ResponseFormat format) {
        Cid cid = resolved.terminal();
        if (!held(cid)) {
            throw new GatewayException(Reason.NOT_FOUND, cid + " is not held by this node");
        }
        DagScope scope = dagScope(req.param("dag-scope"));
        String bytesParam = req.param("entity-bytes");
        ByteSpan span = null;
        if (bytesParam != null) {
            long[] fromTo = parseEntityBytes(bytesParam);
            scope = DagScope.ENTITY;
            if (isFileLike(cid)) {
                Entity e = backend.entity(cid);
                if (e.kind() == GatewayBackend.Kind.FILE) {
                    span = entitySpan(fromTo, e.size());
                }
            }
        }
        String etag = "W/\"" + cid + ".car." + shortHash(req.rawPath() + "|" + scope + "|" + bytesParam + "|"
                + format.dups() + "|" + format.order()) + "\"";
        String filename = req.param("filename") != null ? req.param("filename") : cid + ".car";
        GatewayResponse r = new GatewayResponse(200);
        common(r, req, resolved, etag);
        if (ifNoneMatch(req, etag)) {
            return notModified(r);
        }
        r.header(HttpHeaderNames.CONTENT_TYPE, format.carContentType());
        r.header(HttpHeaderNames.CONTENT_DISPOSITION, PathCodec.disposition("attachment", filename));
        r.header("X-Content-Type-Options", "nosniff");
        r.header(HttpHeaderNames.ACCEPT_RANGES, "none");
        if (format.fromAccept()) {
            r.header(HttpHeaderNames.CONTENT_LOCATION, contentLocation(req, "car"));
        }
        DagScope s = scope;
        ByteSpan sp = span;
        boolean dups = format.dups();
        r.body(new ResponseBody() {
            @Override
            public long length() {
                return -1;
            }

            @Override
            public void writeTo(BodySink sink) throws IOException {
                writeCar(resolved, s, sp, dups, sink);
            }
        });
        return r.paid(cid, "car");
    }

    private void writeCar(Resolved resolved, DagScope scope, ByteSpan span, boolean dups, BodySink sink) throws IOException {
        Cid terminal = resolved.terminal();
        CarWriter car = new CarWriter(sink.asOutputStream(), List.of(terminal));
        Set<Cid> seen = dups ? null : new HashSet<>();
        GatewayBackend.BlockVisitor emit = (cid, data) -> {
            if (cid.isIdentity() || (seen != null && !seen.add(cid))) {
                return; // identity blocks are never sent; dups=n sends each block once
            }
            car.put(cid, data);
        };
        try {
            for (Cid c : resolved.pathBlocks()) {
                byte[] data = c.isIdentity() ? c.identityData() : backend.block(c);
                if (data == null) {
                    throw new IOException("path block " + c + " disappeared");
                }
                emit.block(c, data);
            }
            backend.walk(terminal, scope, span, dups, emit);
            car.flush();
        } catch (IpldException e) {
            throw new IOException("CAR stream for " + terminal + " ended: " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private boolean isFileLike(Cid cid) {
        return cid.codec() == Multicodec.RAW || cid.codec() == Multicodec.DAG_PB;
    }

    static DagScope dagScope(String p) {
        if (p == null) {
            return DagScope.ALL;
        }
        return switch (p) {
            case "block" -> DagScope.BLOCK;
            case "entity" -> DagScope.ENTITY;
            case "all" -> DagScope.ALL;
            default -> throw new GatewayException(Reason.BAD_REQUEST, "dag-scope must be block, entity or all, got \"" + abbreviate(p) + "\"");
        };
    }

    /** Parses {@code from:to} ({@code to} may be {@code *}; either may be negative); {@code to} = Long.MAX_VALUE for {@code *}. */
    static long[] parseEntityBytes(String p) {
        int colon = p.indexOf(':');
        if (colon < 0) {
            throw badEntityBytes(p);
        }
        try {
            long from = Long.parseLong(p.substring(0, colon));
            String t = p.substring(colon + 1);
            long to = t.equals("*") ? Long.MAX_VALUE : Long.parseLong(t);
            if (from >= 0 && to >= 0 && to < from) {
                throw badEntityBytes(p);
            }
            return new long[] {from, to};
        } catch (NumberFormatException e) {
            throw badEntityBytes(p);
        }
    }

    private static GatewayException badEntityBytes(String p) {
        return new GatewayException(Reason.BAD_REQUEST, "entity-bytes must be from:to (integers, to may be *), got \"" + abbreviate(p) + "\"");
    }

    /** Resolves negative and open ends against a file of {@code size} bytes; null for an empty file. */
    static ByteSpan entitySpan(long[] fromTo, long size) {
        if (size == 0) {
            return null;
        }
        long from = fromTo[0] < 0 ? Math.max(0, size + fromTo[0]) : fromTo[0];
        long to = fromTo[1] == Long.MAX_VALUE ? size - 1 : fromTo[1] < 0 ? size + fromTo[1] : Math.min(fromTo[1], size - 1);
        if (from >= size || to < from) {
            throw new GatewayException(Reason.BAD_REQUEST, "entity-bytes " + fromTo[0] + ":" + (fromTo[1] == Long.MAX_VALUE ? "*" : fromTo[1])
                    + " lies outside the " + size + " bytes of the file");
        }
        return new ByteSpan(from, to);
    }

    // ---------------------------------------------------------------- deserialized (path gateway)

    private GatewayResponse deserialized(GatewayRequest req, Resolved resolved, ResponseFormat format) {
        Cid cid = resolved.terminal();
        long codec = cid.codec();
        if (format.kind() != ResponseFormat.Kind.DEFAULT) {
            long wanted = switch (format.kind()) {
                case DAG_JSON -> Multicodec.DAG_JSON;
                case DAG_CBOR -> Multicodec.DAG_CBOR;
                case JSON -> Multicodec.JSON;
                default -> Multicodec.CBOR;
            };
            if (wanted != codec) {
                throw new GatewayException(Reason.NOT_ACCEPTABLE, "format=" + format.kind().param + " cannot be served for a "
                        + Multicodec.name(codec) + " node (no codec conversion; use format=raw or car)");
            }
            return codecBytes(req, resolved, format.kind().mediaType);
        }
        if (codec == Multicodec.RAW) {
            return file(req, resolved, cid, blockOf(cid).length, "\"" + cid + "\"");
        }
        if (codec == Multicodec.DAG_CBOR) {
            return codecBytes(req, resolved, "application/vnd.ipld.dag-cbor");
        }
        if (codec == Multicodec.DAG_JSON) {
            return codecBytes(req, resolved, "application/vnd.ipld.dag-json");
        }
        if (codec == Multicodec.JSON) {
            return codecBytes(req, resolved, "application/json");
        }
        if (codec == Multicodec.CBOR) {
            return codecBytes(req, resolved, "application/cbor");
        }
        if (codec != Multicodec.DAG_PB) {
            throw new GatewayException(Reason.NOT_ACCEPTABLE, "no deserialized form for " + Multicodec.name(codec)
                    + " content; ask for ?format=raw or ?format=car");
        }
        Entity e = backend.entity(cid);
        return switch (e.kind()) {
            case FILE -> file(req, resolved, cid, e.size(), "\"" + cid + "\"");
            case DIRECTORY, HAMT_DIRECTORY -> directory(req, resolved);
            case SYMLINK -> symlink(req, resolved, e.symlinkTarget());
            default -> throw new GatewayException(Reason.NOT_ACCEPTABLE, "no deserialized form for this node; ask for ?format=raw or ?format=car");
        };
    }

    private GatewayResponse codecBytes(GatewayRequest req, Resolved resolved, String mediaType) {
        Cid cid = resolved.terminal();
        byte[] data = blockOf(cid);
        String etag = "\"" + cid + "." + mediaType.substring(mediaType.lastIndexOf('/') + 1) + "\"";
        GatewayResponse r = new GatewayResponse(200);
        common(r, req, resolved, etag);
        if (ifNoneMatch(req, etag)) {
            return notModified(r);
        }
        r = ranged(req, r, data.length, mediaType, (off, len, sink) -> sink.write(data, (int) off, (int) len));
        disposition(req, r, null);
        return r.paid(cid, "block");
    }

    private GatewayResponse symlink(GatewayRequest req, Resolved resolved, String target) {
        Cid cid = resolved.terminal();
        String etag = "\"" + cid + "\"";
        GatewayResponse r = new GatewayResponse(200);
        common(r, req, resolved, etag);
        if (ifNoneMatch(req, etag)) {
            return notModified(r);
        }
        byte[] body = (target == null ? "" : target).getBytes(StandardCharsets.UTF_8);
        r.header(HttpHeaderNames.CONTENT_TYPE, "inode/symlink");
        return r.body(ResponseBody.of(body)).paid(cid, "file");
    }

    private GatewayResponse file(GatewayRequest req, Resolved resolved, Cid cid, long size, String etag) {
        GatewayResponse r = new GatewayResponse(200);
        common(r, req, resolved, etag);
        if (ifNoneMatch(req, etag)) {
            return notModified(r);
        }
        String name = req.param("filename") != null ? req.param("filename") : resolved.lastName();
        String type = MediaTypes.byName(name);
        if (type == null) {
            int n = (int) Math.min(MediaTypes.SNIFF_BYTES, size);
            Collecting head = new Collecting(n);
            try {
                backend.readFile(cid, 0, n, head);
            } catch (IOException e) {
                throw new GatewayException(Reason.INTERNAL, "cannot read " + cid + ": " + e.getMessage(), e);
            }
            type = MediaTypes.sniff(head.bytes, head.size);
        }
        Optional<FileSlice> where = cid.codec() == Multicodec.RAW ? backend.blockLocation(cid) : Optional.empty();
        RangeSource source = where.isPresent()
                ? (off, len, sink) -> sink.writeFile(where.get().file(), where.get().offset() + off, len)
                : (off, len, sink) -> backend.readFile(cid, off, len, sink);
        r = ranged(req, r, size, type, source);
        disposition(req, r, name);
        return r.paid(cid, "file");
    }

    private static void disposition(GatewayRequest req, GatewayResponse r, String name) {
        String filename = req.param("filename");
        boolean download = "true".equalsIgnoreCase(req.param("download"));
        if (filename != null) {
            r.header(HttpHeaderNames.CONTENT_DISPOSITION, PathCodec.disposition(download ? "attachment" : "inline", filename));
        } else if (download) {
            String n = name != null ? name : r.paidContent() != null ? r.paidContent().toString() : "download";
            r.header(HttpHeaderNames.CONTENT_DISPOSITION, PathCodec.disposition("attachment", n));
        }
    }

    private GatewayResponse directory(GatewayRequest req, Resolved resolved) {
        Cid dir = resolved.terminal();
        if (!req.rawPath().endsWith("/")) {
            String q = req.rawQuery();
            GatewayResponse r = GatewayResponse.text(301, "Moved Permanently: directory paths end with /");
            return r.header(HttpHeaderNames.LOCATION, req.rawPath() + "/" + (q.isEmpty() ? "" : "?" + q));
        }
        List<DirEntry> entries = backend.list(dir);
        for (DirEntry e : entries) {
            if (e.name().equals("index.html")) {
                Entity ie = backend.entity(e.cid());
                if (ie.kind() == GatewayBackend.Kind.FILE) {
                    Resolved viaIndex = new Resolved(e.cid(), resolved.pathCids(), resolved.pathBlocks(), "index.html");
                    GatewayResponse r = file(req, viaIndex, e.cid(), ie.size(), "\"" + dir + "\"");
                    return r;
                }
            }
        }
        String etag = "\"DirIndex-" + LISTING_VERSION + "_CID-" + dir + "\"";
        GatewayResponse r = new GatewayResponse(200);
        common(r, req, resolved, etag);
        r.header(HttpHeaderNames.CACHE_CONTROL, LISTING_CACHE);
        if (ifNoneMatch(req, etag)) {
            return notModified(r);
        }
        r.header(HttpHeaderNames.CONTENT_TYPE, "text/html");
        byte[] html = DirectoryListing.html(req.rawPath(), dir, entries).getBytes(StandardCharsets.UTF_8);
        return r.body(ResponseBody.of(html));
    }

    // ---------------------------------------------------------------- /piece/

    private GatewayResponse piece(GatewayRequest req, String rest) {
        if (rest.isEmpty() || rest.indexOf('/') >= 0) {
            throw new GatewayException(Reason.BAD_REQUEST, "expected /piece/{pieceCid}");
        }
        Cid cid = parseCid(PathCodec.decode(rest));
        long mh = cid.multihash().code();
        boolean v1 = cid.codec() == Multicodec.FIL_COMMITMENT_UNSEALED && mh == Multicodec.SHA2_256_TRUNC254_PADDED;
        boolean v2 = cid.codec() == Multicodec.RAW && mh == FR32_SHA256_TRUNC254_PADBINTREE;
        if (!v1 && !v2) {
            throw new GatewayException(Reason.BAD_REQUEST, cid + " is not a piece CID (fil-commitment-unsealed v1 or raw fr32-sha256-trunc254-padbintree v2)");
        }
        PieceInfo info = backend.piece(cid).orElseThrow(() ->
                new GatewayException(Reason.NOT_FOUND, "piece " + cid + " is not held by this node"));
        if (info.file() == null) {
            throw new GatewayException(Reason.NOT_FOUND, "piece " + cid + " is cached without an unsealed piece file");
        }
        long size = info.paddedSize() > 0 ? info.paddedSize() / 128 * 127 : info.fileLength();
        long fileLength = Math.min(info.fileLength(), size);
        String etag = "\"" + cid + "\"";
        GatewayResponse r = new GatewayResponse(200);
        r.header(HttpHeaderNames.ETAG, etag);
        r.header(HttpHeaderNames.CACHE_CONTROL, IMMUTABLE);
        r.header(HttpHeaderNames.VARY, "Accept-Encoding");
        if (ifNoneMatch(req, etag)) {
            return notModified(r);
        }
        java.nio.file.Path file = info.file();
        RangeSource source = (off, len, sink) -> {
            long inFile = Math.max(0, Math.min(len, fileLength - off));
            if (inFile > 0) {
                sink.writeFile(file, off, inFile);
            }
            long zeros = len - inFile;
            byte[] z = new byte[(int) Math.min(zeros, 64 * 1024)];
            while (zeros > 0) {
                int n = (int) Math.min(zeros, z.length);
                sink.write(z, 0, n);
                zeros -= n;
            }
        };
        r = ranged(req, r, size, "application/piece", source);
        return r.paid(cid, "piece");
    }

    // ---------------------------------------------------------------- ranges

    /** Writes {@code len} bytes from {@code off} of some content. */
    @FunctionalInterface
    interface RangeSource {
        void write(long off, long len, BodySink sink) throws IOException;
    }

    /** A 200, 206 or multipart 206 response of {@code size} bytes of {@code type}, per the Range header. */
    static GatewayResponse ranged(GatewayRequest req, GatewayResponse base, long size, String type, RangeSource source) {
        base.header(HttpHeaderNames.ACCEPT_RANGES, "bytes");
        List<HttpRanges.Span> spans;
        try {
            spans = HttpRanges.parse(req.header(HttpHeaderNames.RANGE), size);
        } catch (GatewayException e) {
            GatewayResponse r = GatewayResponse.text(416, "416 Range Not Satisfiable: " + e.getMessage());
            return r.header(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
        }
        if (spans == null) {
            base.header(HttpHeaderNames.CONTENT_TYPE, type);
            return base.body(new SourceBody(size, sink -> source.write(0, size, sink)));
        }
        GatewayResponse r = new GatewayResponse(206);
        r.headers().set(base.headers());
        if (spans.size() == 1) {
            HttpRanges.Span s = spans.get(0);
            r.header(HttpHeaderNames.CONTENT_TYPE, type);
            r.header(HttpHeaderNames.CONTENT_RANGE, "bytes " + s.first() + "-" + s.last() + "/" + size);
            return r.body(new SourceBody(s.length(), sink -> source.write(s.first(), s.length(), sink)));
        }
        String boundary = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE)
                + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        List<byte[]> heads = new ArrayList<>();
        long total = 0;
        for (HttpRanges.Span s : spans) {
            byte[] h = ("\r\n--" + boundary + "\r\nContent-Type: " + type + "\r\nContent-Range: bytes " + s.first() + "-" + s.last()
                    + "/" + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            heads.add(h);
            total += h.length + s.length();
        }
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        total += tail.length;
        r.header(HttpHeaderNames.CONTENT_TYPE, "multipart/byteranges; boundary=" + boundary);
        return r.body(new SourceBody(total, sink -> {
            for (int i = 0; i < spans.size(); i++) {
                sink.write(heads.get(i), 0, heads.get(i).length);
                source.write(spans.get(i).first(), spans.get(i).length(), sink);
            }
            sink.write(tail, 0, tail.length);
        }));
    }

    /** A body of known length written by a lambda. */
    private record SourceBody(long length, Writer writer) implements ResponseBody {
        interface Writer {
            void write(BodySink sink) throws IOException;
        }

        @Override
        public void writeTo(BodySink sink) throws IOException {
            writer.write(sink);
        }
    }

    /** Gathers up to {@code n} bytes (for sniffing). */
    private static final class Collecting implements BodySink {
        final byte[] bytes;
        int size;

        Collecting(int n) {
            bytes = new byte[n];
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int n = Math.min(len, bytes.length - size);
            System.arraycopy(b, off, bytes, size, n);
            size += n;
        }

        @Override
        public void writeFile(java.nio.file.Path file, long position, long count) throws IOException {
            try (var ch = java.nio.channels.FileChannel.open(file)) {
                int n = (int) Math.min(count, bytes.length - size);
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(bytes, size, n);
                while (bb.hasRemaining()) {
                    if (ch.read(bb, position + (bb.position() - size)) < 0) {
                        break;
                    }
                }
                size = bb.position();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String join(List<Cid> cids) {
        StringBuilder sb = new StringBuilder();
        for (Cid c : cids) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (d[i] & 0xff);
            }
            return Long.toUnsignedString(v, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
