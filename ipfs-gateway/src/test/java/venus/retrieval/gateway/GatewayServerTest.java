package venus.retrieval.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.testing.Vectors;

/** The HTTP machinery: protocols, keep-alive, limits, timeouts, backpressure, zero-copy, the payment seam. */
class GatewayServerTest {
    private static final Cid CONTENT = Cid.of(Multicodec.RAW, "content".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path tmp;

    private GatewayServer server;
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch entered = new CountDownLatch(2);
    private final CountDownLatch enteredOnce = new CountDownLatch(1);
    private Path file;

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.close();
        }
    }

    private GatewayResponse handle(GatewayRequest req) {
        String p = req.rawPath();
        switch (p) {
            case "/hello":
                return GatewayResponse.text(200, "hello " + req.protocol());
            case "/block":
                entered.countDown();
                enteredOnce.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return GatewayResponse.text(200, "released");
            case "/stream": {
                int size = Integer.parseInt(req.param("size"));
                byte[] data = Vectors.xorshift(7, size);
                return new GatewayResponse(200).header("Content-Type", "application/octet-stream").body(new ResponseBody() {
                    @Override
                    public long length() {
                        return -1;
                    }

                    @Override
                    public void writeTo(BodySink sink) throws IOException {
                        for (int off = 0; off < data.length; off += 1000) {
                            sink.write(data, off, Math.min(1000, data.length - off));
                        }
                    }
                });
            }
            case "/file": {
                long size;
                try {
                    size = Files.size(file);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return new GatewayResponse(200).body(new ResponseBody() {
                    @Override
                    public long length() {
                        return size - 10;
                    }

                    @Override
                    public void writeTo(BodySink sink) throws IOException {
                        sink.writeFile(file, 10, size - 10);
                    }
                });
            }
            case "/paid":
                return GatewayResponse.text(200, "paid content").paid(CONTENT, "raw");
            case "/paid-broken":
                // Promises 100,000 bytes, fails after 70,000 (a block went missing midway).
                return new GatewayResponse(200).body(new ResponseBody() {
                    @Override
                    public long length() {
                        return 100_000;
                    }

                    @Override
                    public void writeTo(BodySink sink) throws IOException {
                        byte[] piece = new byte[1000];
                        for (int i = 0; i < 70; i++) {
                            sink.write(piece, 0, piece.length);
                        }
                        throw new IOException("block missing");
                    }
                }).paid(CONTENT, "raw");
            default:
                throw new GatewayException(GatewayException.Reason.NOT_FOUND, "no " + p);
        }
    }

    private GatewayServer start(GatewayConfig config, PaymentGate gate) {
        server = new GatewayServer(config.withListen("127.0.0.1", 0), this::handle, gate).start();
        return server;
    }

    private GatewayServer start(GatewayConfig config) {
        return start(config, FreePaymentGate.INSTANCE);
    }

    @Test
    void http11KeepAliveServesManyRequestsOnOneConnectionIncludingPipelined() throws Exception {
        start(GatewayConfig.defaults());
        try (RawHttp c = new RawHttp(server.port())) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = c.get("/hello");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("hello http/1.1\n");
                assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
            }
            // Three pipelined requests in one write: answered in order.
            c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nHEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read(false).status()).isEqualTo(200);
            RawHttp.Response missing = c.read(false);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.text()).contains("no /nope");
            RawHttp.Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo("15");
            assertThat(c.get("/hello").status()).isEqualTo(200);
        }
        assertThat(server.stats().requests()).isEqualTo(7);
    }

    @Test
    void connectionCloseAndHttp10AreHonoured() throws Exception {
        start(GatewayConfig.defaults());
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response r = c.get("/hello", "Connection: close");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawHttp c = new RawHttp(server.port())) {
            // HTTP/1.0 has no chunked encoding: a body of unknown length ends with the connection.
            c.send("GET /stream?size=5000 HTTP/1.0\r\n\r\n");
            RawHttp.Response r = c.read(false);
            assertThat(r.header("Transfer-Encoding")).isNull();
            assertThat(r.body()).isEqualTo(Vectors.xorshift(7, 5000));
        }
    }

    @Test
    void h2cWithPriorKnowledgeAndWithUpgrade() throws Exception {
        start(GatewayConfig.defaults());
        try (H2Client h2 = new H2Client(server.port())) {
            for (int i = 0; i < 3; i++) {
                H2Client.Response r = h2.request("GET", "/hello", Map.of());
                assertThat(r.status()).isEqualTo(200);
                assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("hello h2c\n");
            }
            H2Client.Response big = h2.request("GET", "/stream?size=300000", Map.of());
            assertThat(big.body()).isEqualTo(Vectors.xorshift(7, 300000));
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        // The first request of an upgraded connection is answered on stream 1 after the 101.
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.body()).isEqualTo("hello h2c\n");
    }

    @Test
    void tlsNegotiatesH2AndHttp11ByAlpn() throws Exception {
        Path[] pem = TestTls.selfSigned(tmp);
        start(GatewayConfig.defaults().withTls(pem[0], pem[1]));
        assertThat(server.url()).startsWith("https://");
        for (HttpClient.Version v : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
            HttpClient client = HttpClient.newBuilder().version(v).sslContext(TestTls.trustAll()).build();
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/stream?size=200000")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(v);
            assertThat(r.body()).isEqualTo(Vectors.xorshift(7, 200000));
            HttpResponse<String> hello = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(hello.body()).isEqualTo(v == HttpClient.Version.HTTP_2 ? "hello h2\n" : "hello http/1.1\n");
        }
    }

    @Test
    void badTlsFilesFailWithOneClearMessage() throws Exception {
        Path bogus = tmp.resolve("nope.pem");
        Files.writeString(bogus, "not a pem");
        GatewayConfig c = GatewayConfig.defaults().withTls(bogus, bogus);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new GatewayServer(c, this::handle, FreePaymentGate.INSTANCE))
                .isInstanceOf(GatewayException.class).hasMessageContaining("cannot load gateway TLS certificate");
    }

    @Test
    void oversizedHeadersAre431() throws Exception {
        start(GatewayConfig.defaults().withMaxHeaderBytes(4096));
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response r = c.get("/hello", "X-Big: " + "a".repeat(8000));
            assertThat(r.status()).isEqualTo(431);
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawHttp c = new RawHttp(server.port())) {
            // Many small headers add up too.
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                lines.add("X-H" + i + ": " + "v".repeat(30));
            }
            assertThat(c.get("/hello", lines.toArray(String[]::new)).status()).isEqualTo(431);
        }
        try (RawHttp c = new RawHttp(server.port())) {
            assertThat(c.get("/hello").status()).isEqualTo(200);
        }
    }

    @Test
    void malformedRequestLineIs400() throws Exception {
        start(GatewayConfig.defaults());
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("NOT A VALID REQUEST\r\n\r\n");
            assertThat(c.read(false).status()).isEqualTo(400);
        }
    }

    @Test
    void requestsBeyondTheConcurrencyLimitAre503() throws Exception {
        start(GatewayConfig.defaults().withMaxConcurrentRequests(2));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<RawHttp.Response>> blocked = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                blocked.add(pool.submit(() -> {
                    try (RawHttp c = new RawHttp(server.port())) {
                        return c.get("/block");
                    }
                }));
            }
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            try (RawHttp c = new RawHttp(server.port())) {
                RawHttp.Response r = c.get("/hello");
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isEqualTo("1");
                // The connection stays usable; after the slots free up the next request passes.
                release.countDown();
                for (Future<RawHttp.Response> f : blocked) {
                    assertThat(f.get(30, TimeUnit.SECONDS).text()).isEqualTo("released\n");
                }
                assertThat(c.get("/hello").status()).isEqualTo(200);
            }
            assertThat(server.stats().rejectedBusy()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void requestWithoutResponseWithinTheTimeoutIs504() throws Exception {
        start(GatewayConfig.defaults().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(60)));
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response r = c.get("/block");
            assertThat(r.status()).isEqualTo(504);
            assertThat(c.closedByPeer()).isTrue();
        }
        release.countDown();
    }

    @Test
    void headersThatNeverCompleteAre408() throws Exception {
        start(GatewayConfig.defaults().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(60)));
        try (RawHttp c = new RawHttp(server.port())) {
            // A complete request first: the timer only runs while a request's headers are arriving.
            assertThat(c.get("/hello").status()).isEqualTo(200);
            c.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            RawHttp.Response r = c.read(false);
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.text()).startsWith("408 Request Timeout");
            assertThat(c.closedByPeer()).isTrue();
        }
        // h2c connections drop the HTTP/1 header timer and keep working.
        try (H2Client h2 = new H2Client(server.port())) {
            assertThat(h2.request("GET", "/hello", Map.of()).status()).isEqualTo(200);
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        start(GatewayConfig.defaults().withTimeouts(Duration.ofSeconds(30), Duration.ofMillis(300)));
        try (RawHttp c = new RawHttp(server.port())) {
            assertThat(c.get("/hello").status()).isEqualTo(200);
            assertThat(c.closedByPeer()).isTrue(); // blocks until the idle timeout closes it
        }
    }

    @Test
    void idleTimeoutDoesNotCutARequestInFlight() throws Exception {
        // Idle (200 ms) shorter than the request timeout (30 s): a slow handler is not cut by idleness.
        start(GatewayConfig.defaults().withTimeouts(Duration.ofSeconds(30), Duration.ofMillis(200)));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (RawHttp c = new RawHttp(server.port())) {
            Future<RawHttp.Response> f = pool.submit(() -> c.get("/block"));
            assertThat(enteredOnce.await(30, TimeUnit.SECONDS)).isTrue();
            // Let several idle periods pass with the request in flight (the handler waits for us).
            Thread.sleep(800);
            assertThat(server.stats().openConnections()).isEqualTo(1);
            release.countDown();
            assertThat(f.get(30, TimeUnit.SECONDS).text()).isEqualTo("released\n");
            assertThat(c.closedByPeer()).isTrue(); // then, idle, it is closed
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void slowReaderParksTheWriterInsteadOfBufferingTheBody() throws Exception {
        start(GatewayConfig.defaults());
        int size = 8 << 20;
        try (RawHttp c = new RawHttp(server.port(), 4096)) {
            c.send("GET /stream?size=" + size + " HTTP/1.1\r\nHost: x\r\n\r\n");
            // Read nothing until the server's writer has had to wait for the socket.
            for (int i = 0; i < 3000 && server.stats().writeStalls() == 0; i++) {
                Thread.sleep(10);
            }
            assertThat(server.stats().writeStalls()).isPositive();
            long pendingWhileStalled = server.stats().maxPendingOutboundBytes();
            RawHttp.Response r = c.read(false);
            assertThat(r.body()).isEqualTo(Vectors.xorshift(7, size));
            // Never more than the high-water mark plus one chunk queued, although the body is 8 MiB.
            long bound = 64 * 1024 + ChannelBodySink.CHUNK + 4096;
            assertThat(pendingWhileStalled).isLessThanOrEqualTo(bound);
            assertThat(server.stats().maxPendingOutboundBytes()).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void http2FlowControlParksTheWriterToo() throws Exception {
        start(GatewayConfig.defaults());
        int size = 4 << 20;
        try (H2Client h2 = new H2Client(server.port())) {
            Runnable[] drain = new Runnable[1];
            CompletableFuture<H2Client.Response> r = h2.requestWithoutReading("/stream?size=" + size, drain);
            // The client consumes nothing, so the stream's 64 KiB window runs out and the writer waits.
            for (int i = 0; i < 3000 && server.stats().writeStalls() == 0; i++) {
                Thread.sleep(10);
            }
            assertThat(server.stats().writeStalls()).isPositive();
            assertThat(r).isNotDone();
            drain[0].run();
            assertThat(r.get(60, TimeUnit.SECONDS).body()).isEqualTo(Vectors.xorshift(7, size));
        }
    }

    @Test
    void fileBodiesUseZeroCopyOnCleartextHttp11() throws Exception {
        file = tmp.resolve("piece.bin");
        byte[] data = Vectors.xorshift(99, 3 << 20);
        Files.write(file, data);
        start(GatewayConfig.defaults());
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response r = c.get("/file");
            assertThat(r.body()).isEqualTo(Arrays.copyOfRange(data, 10, data.length));
        }
        assertThat(server.stats().zeroCopyBytes()).isEqualTo(data.length - 10);
        // The same body over h2c is copied (HTTP/2 frames it) but identical.
        try (H2Client h2 = new H2Client(server.port())) {
            assertThat(h2.request("GET", "/file", Map.of()).body()).isEqualTo(Arrays.copyOfRange(data, 10, data.length));
        }
        assertThat(server.stats().zeroCopyBytes()).isEqualTo(data.length - 10);
    }

    @Test
    void manyIdleConnectionsDoNotStopService() throws Exception {
        start(GatewayConfig.defaults());
        // Each connection costs two descriptors in this JVM (client and server side).
        long limit = fdLimit();
        // The issue asks for 10k; take as many as the descriptor limit allows (20000 here: 9000).
        int n = (int) Math.min(10_000, Math.max(100, (limit - 2000) / 2));
        List<java.net.Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", server.port());
                idle.add(s);
            }
            for (int i = 0; i < 2000 && server.stats().openConnections() < n; i++) {
                Thread.sleep(10);
            }
            assertThat(server.stats().openConnections()).isGreaterThanOrEqualTo(n);
            try (RawHttp c = new RawHttp(server.port())) {
                assertThat(c.get("/hello").status()).isEqualTo(200);
            }
        } finally {
            for (java.net.Socket s : idle) {
                s.close();
            }
        }
    }

    private static long fdLimit() {
        try {
            Process p = new ProcessBuilder("sh", "-c", "ulimit -n").start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return s.equals("unlimited") ? 1 << 20 : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return 1024;
        }
    }

    @Test
    void paymentGateCanRefuseWith402BeforeAnyByteIsSent() throws Exception {
        AtomicReference<PaymentRequest> seen = new AtomicReference<>();
        PaymentGate gate = request -> {
            seen.set(request);
            // Decide asynchronously, as a voucher check would.
            return CompletableFuture.supplyAsync(() -> request.headers().contains("X-Voucher")
                    ? PaymentDecision.allowWithReceipt(Map.of("X-Receipt", "ok-" + request.byteCount()))
                    : PaymentDecision.paymentRequired("{\"price\":\"" + request.byteCount() + "\"}", Map.of("X-Quote", "1")));
        };
        start(GatewayConfig.defaults(), gate);
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response refused = c.get("/paid");
            assertThat(refused.status()).isEqualTo(402);
            assertThat(refused.header("Content-Type")).isEqualTo("application/json");
            assertThat(refused.text()).isEqualTo("{\"price\":\"13\"}");
            assertThat(refused.header("X-Quote")).isEqualTo("1");
            assertThat(seen.get().content()).isEqualTo(CONTENT);
            assertThat(seen.get().kind()).isEqualTo("raw");
            assertThat(((java.net.InetSocketAddress) seen.get().remote()).getPort()).isEqualTo(c.socket.getLocalPort());
            RawHttp.Response ok = c.get("/paid", "X-Voucher: v");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.text()).isEqualTo("paid content\n");
            assertThat(ok.header("X-Receipt")).isEqualTo("ok-13");
            // Free metadata (no paid content) never reaches the gate.
            seen.set(null);
            assertThat(c.get("/hello").status()).isEqualTo(200);
            assertThat(seen.get()).isNull();
        }
    }

    @Test
    void paymentGateLearnsHowManyBytesWereDelivered() throws Exception {
        AtomicLong delivered = new AtomicLong(-1);
        CountDownLatch reported = new CountDownLatch(1);
        PaymentGate gate = new PaymentGate() {
            @Override
            public java.util.concurrent.CompletionStage<PaymentDecision> decide(PaymentRequest request) {
                return CompletableFuture.completedFuture(PaymentDecision.allow());
            }

            @Override
            public void delivered(PaymentRequest request, long bytesSent, boolean complete) {
                delivered.set(complete ? bytesSent : -2);
                reported.countDown();
            }
        };
        start(GatewayConfig.defaults(), gate);
        try (RawHttp c = new RawHttp(server.port())) {
            assertThat(c.get("/paid").status()).isEqualTo(200);
        }
        assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(delivered.get()).isEqualTo(13);
    }

    @Test
    void aResponseThatFailsMidwayReportsOnlyTheBytesThatReachedTheClient() throws Exception {
        AtomicLong delivered = new AtomicLong(-1);
        AtomicReference<Boolean> complete = new AtomicReference<>();
        CountDownLatch reported = new CountDownLatch(1);
        PaymentGate gate = new PaymentGate() {
            @Override
            public java.util.concurrent.CompletionStage<PaymentDecision> decide(PaymentRequest request) {
                return CompletableFuture.completedFuture(PaymentDecision.allow());
            }

            @Override
            public void delivered(PaymentRequest request, long bytesSent, boolean done) {
                delivered.set(bytesSent);
                complete.set(done);
                reported.countDown();
            }
        };
        start(GatewayConfig.defaults(), gate);
        byte[] all;
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("GET /paid-broken HTTP/1.1\r\nHost: x\r\n\r\n");
            all = c.socket.getInputStream().readAllBytes(); // the server closes a truncated response
        }
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int bodyStart = text.indexOf("\r\n\r\n") + 4;
        assertThat(text).startsWith("HTTP/1.1 200").contains("content-length: 100000");
        long received = all.length - bodyStart;
        assertThat(received).isLessThan(70_000); // the last, partial chunk was never sent
        assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(complete.get()).isFalse();
        // A paid gate refunds c.bytes - bytesSent: bytes the client never got must not count as sent.
        assertThat(delivered.get()).isEqualTo(received);
    }

    @Test
    void configRejectsBadValues() {
        GatewayConfig d = GatewayConfig.defaults();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withMaxConcurrentRequests(0)).hasMessageContaining("maxConcurrentRequests");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withMaxHeaderBytes(10)).hasMessageContaining("maxHeaderBytes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withListen("nohost")).hasMessageContaining("host:port");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withListen("h:99999")).hasMessageContaining("0..65535");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withListen("h:x")).hasMessageContaining("not a number");
        assertThat(d.withListen("[::1]:0").host()).isEqualTo("::1");
        assertThat(d.withListen("0.0.0.0:8081").port()).isEqualTo(8081);
    }

    static String sha256(byte[] b) throws Exception {
        return venus.retrieval.ipld.Multibase.hex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
