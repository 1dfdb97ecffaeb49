package venus.retrieval.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.PeerIdentity;
import venus.retrieval.libp2p.Stream;
import venus.retrieval.libp2p.host.Host;
import venus.retrieval.libp2p.host.HostConfig;
import venus.retrieval.libp2p.multiaddr.Multiaddr;
import venus.retrieval.libp2p.multistream.MultistreamNegotiation;
import venus.retrieval.libp2p.noise.ChaChaPoly;
import venus.retrieval.libp2p.yamux.YamuxConfig;
import venus.retrieval.libp2p.yamux.YamuxFrameDecoder;
import venus.retrieval.libp2p.yamux.YamuxFrameEncoder;
import venus.retrieval.libp2p.yamux.YamuxSession;
import venus.retrieval.libp2p.yamux.YamuxStream;

/**
 * One-way bulk transfer over loopback, measured in the same run: raw TCP (blocking sockets), one
 * Noise + Yamux stream between two {@link Host}s, and ChaCha20-Poly1305 on one core for scale.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar venus.retrieval.bench.Libp2pThroughput [MiB] [rounds]</pre>
 */
public final class Libp2pThroughput {
    private static final String SINK = "/vrn/bench/sink/1.0.0";

    private Libp2pThroughput() {}

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long bytes = (long) mib << 20;
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31);
        }
        System.out.printf("transfer %d MiB, best of %d rounds, %d cores%n", mib, rounds, Runtime.getRuntime().availableProcessors());
        double tcp = 0;
        double p2p = 0;
        double aead = 0;
        double yamux = 0;
        String only = System.getProperty("only", System.getProperty("yamuxOnly") != null ? "yamux" : ""); // profiling aid
        for (int r = 0; r < rounds; r++) {
            if (only.isEmpty() || only.equals("tcp")) {
                tcp = Math.max(tcp, timed("raw TCP", () -> rawTcp(bytes, chunk)));
            }
            if (only.isEmpty() || only.equals("yamux")) {
                yamux = Math.max(yamux, timed("plaintext Yamux", () -> plainYamux(bytes, chunk)));
            }
            if (only.isEmpty() || only.equals("noise")) {
                p2p = Math.max(p2p, timed("Noise+Yamux", () -> libp2p(bytes, chunk)));
            }
            if (only.isEmpty() || only.equals("aead")) {
                aead = Math.max(aead, timed("AEAD", () -> aead(bytes)));
            }
        }
        System.out.printf("raw TCP loopback        %8.1f MB/s%n", tcp);
        System.out.printf("plaintext Yamux stream  %8.1f MB/s  (%.2f x raw TCP)%n", yamux, yamux / tcp);
        System.out.printf("Noise+Yamux stream      %8.1f MB/s  (%.2f x raw TCP)%n", p2p, p2p / tcp);
        System.out.printf("ChaCha20-Poly1305 (%s, 1 core) %8.1f MB/s  (stream = %.2f x min(AEAD, TCP))%n",
                ChaChaPoly.defaultEngine(),
                aead, p2p / Math.min(aead, tcp));
    }

    interface Run {
        double mbPerSecond() throws Exception;
    }

    /**
     * Runs one measurement and prints it with the CPU time the whole process used meanwhile: on a
     * shared machine the CPU share a run gets varies, while CPU seconds per GB shows the work done.
     */
    static double timed(String name, Run run) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        double mbs = run.mbPerSecond();
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        System.out.printf("  %-16s %8.1f MB/s   wall %6.2f s   process CPU %6.2f s (%.2f cores busy)%n", name, mbs, wall, cpu, cpu / wall);
        return mbs;
    }

    static double rawTcp(long bytes, byte[] chunk) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Long> done = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[64 * 1024];
                    long n = 0;
                    int r;
                    while ((r = in.read(buf)) > 0) {
                        n += r;
                    }
                    return n;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long start = System.nanoTime();
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()); OutputStream out = c.getOutputStream()) {
                for (long sent = 0; sent < bytes; sent += chunk.length) {
                    out.write(chunk);
                }
            }
            long n = done.get(10, TimeUnit.MINUTES);
            return n / 1e6 / ((System.nanoTime() - start) / 1e9);
        }
    }

    static double libp2p(long bytes, byte[] chunk) throws Exception {
        Host a = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        Host b = Host.create(PeerIdentity.generate(), HostConfig.defaults()).start();
        try {
            Stream s = sinkStream(a, b);
            long start = System.nanoTime();
            long n = sendAndCount(s, bytes, chunk);
            return n / 1e6 / ((System.nanoTime() - start) / 1e9);
        } finally {
            b.close();
            a.close();
        }
    }

    /** Opens a stream from {@code b} to {@code a}'s byte-counting sink (registered on first use). */
    static Stream sinkStream(Host a, Host b) throws Exception {
        if (!a.protocols().contains(SINK)) {
            a.setHandler(SINK, stream -> {
                stream.setListener(new Stream.Listener() {
                    long n;

                    @Override
                    public void onData(Stream s, ByteBuf data) {
                        n += data.readableBytes();
                        data.release();
                    }

                    @Override
                    public void onRemoteClosed(Stream s) {
                        s.closeWrite();
                        RECEIVED.complete(n);
                    }
                });
            });
        }
        return b.newStream(a.listenAddrs().get(0).withPeerId(a.peerId()), List.of(SINK)).get(30, TimeUnit.SECONDS);
    }

    // the sink's count goes to the one transfer running (sendAndCount runs one at a time)
    private static volatile CompletableFuture<Long> RECEIVED = new CompletableFuture<>();

    /** Sends {@code bytes} on {@code s} (one sink stream at a time) and waits until the sink counted them all. */
    static long sendAndCount(Stream s, long bytes, byte[] chunk) throws Exception {
        CompletableFuture<Long> received = new CompletableFuture<>();
        RECEIVED = received;
        send(s, bytes, chunk, received);
        return received.get(10, TimeUnit.MINUTES);
    }

    /** One Yamux stream straight over TCP (no Noise): what the muxer itself costs. */
    static double plainYamux(long bytes, byte[] chunk) throws Exception {
        io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(2, io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            CompletableFuture<Long> received = new CompletableFuture<>();
            Stream.Listener sink = new Stream.Listener() {
                long n;

                @Override
                public void onData(Stream s, ByteBuf data) {
                    n += data.readableBytes();
                    data.release();
                }

                @Override
                public void onRemoteClosed(Stream s) {
                    received.complete(n);
                    s.closeWrite();
                }
            };
            io.netty.channel.Channel server = new io.netty.bootstrap.ServerBootstrap().group(group)
                    .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
                    .childOption(io.netty.channel.ChannelOption.RCVBUF_ALLOCATOR, new io.netty.channel.AdaptiveRecvByteBufAllocator(512, 64 * 1024, 1024 * 1024))
                    .childHandler(new io.netty.channel.ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                        @Override
                        protected void initChannel(io.netty.channel.socket.SocketChannel ch) {
                            ch.pipeline().addLast(new YamuxFrameDecoder(16 << 20), new YamuxFrameEncoder(),
                                    new YamuxSession(false, YamuxConfig.defaults(), st -> st.negotiate(MultistreamNegotiation.listener(SINK::equals),
                                            new YamuxStream.NegotiationCallback() {
                                                @Override
                                                public void negotiated(YamuxStream x, String p) {
                                                    x.setListener(sink);
                                                }

                                                @Override
                                                public void failed(YamuxStream x, Libp2pException cause) {
                                                    received.completeExceptionally(cause);
                                                }
                                            })));
                        }
                    }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            YamuxSession client = new YamuxSession(true, YamuxConfig.defaults(), st -> st.reset());
            io.netty.channel.Channel ch = new io.netty.bootstrap.Bootstrap().group(group)
                    .channel(io.netty.channel.socket.nio.NioSocketChannel.class)
                    .option(io.netty.channel.ChannelOption.WRITE_BUFFER_WATER_MARK, new io.netty.channel.WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .handler(new io.netty.channel.ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                        @Override
                        protected void initChannel(io.netty.channel.socket.SocketChannel c) {
                            c.pipeline().addLast(new YamuxFrameDecoder(16 << 20), new YamuxFrameEncoder(), client);
                        }
                    }).connect(server.localAddress()).sync().channel();
            CompletableFuture<Stream> opened = new CompletableFuture<>();
            ch.eventLoop().execute(() -> client.openStream().negotiate(MultistreamNegotiation.dialer(List.of(SINK)),
                    new YamuxStream.NegotiationCallback() {
                        @Override
                        public void negotiated(YamuxStream x, String p) {
                            opened.complete(x);
                        }

                        @Override
                        public void failed(YamuxStream x, Libp2pException cause) {
                            opened.completeExceptionally(cause);
                        }
                    }));
            Stream s = opened.get(30, TimeUnit.SECONDS);
            long start = System.nanoTime();
            send(s, bytes, chunk, received);
            long n = received.get(10, TimeUnit.MINUTES);
            double mbs = n / 1e6 / ((System.nanoTime() - start) / 1e9);
            ch.close().sync();
            server.close().sync();
            return mbs;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    static void send(Stream s, long bytes, byte[] chunk, CompletableFuture<Long> received) {
        s.eventLoop().execute(() -> s.setListener(new Stream.Listener() {
            long sent;

            {
                pump(s);
            }

            void pump(Stream st) {
                while (sent < bytes && st.isWritable()) {
                    st.write(Unpooled.wrappedBuffer(chunk));
                    sent += chunk.length;
                }
                if (sent >= bytes) {
                    sent = Long.MIN_VALUE; // once
                    st.closeWrite();
                }
            }

            @Override
            public void onData(Stream st, ByteBuf data) {
                data.release();
            }

            @Override
            public void onWritabilityChanged(Stream st) {
                if (sent >= 0) {
                    pump(st);
                }
            }

            @Override
            public void onClosed(Stream st, Libp2pException cause) {
                if (cause != null) {
                    received.completeExceptionally(cause);
                }
            }
        }));
    }

    static double aead(long bytes) {
        byte[] key = new byte[32];
        ChaChaPoly c = ChaChaPoly.create(key);
        byte[] nonce = new byte[12];
        byte[] in = new byte[65519];
        byte[] out = new byte[65535];
        long start = System.nanoTime();
        long n = 0;
        for (long i = 0; n < bytes; i++) {
            ChaChaPoly.nonce(i, nonce);
            c.encrypt(nonce, new byte[0], in, 0, in.length, out, 0);
            n += in.length;
        }
        return n / 1e6 / ((System.nanoTime() - start) / 1e9);
    }
}
