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
import venus.retrieval.libp2p.noise.ChaChaPoly;

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
        for (int r = 0; r < rounds; r++) {
            tcp = Math.max(tcp, rawTcp(bytes, chunk));
            p2p = Math.max(p2p, libp2p(bytes, chunk));
            aead = Math.max(aead, aead(bytes));
        }
        System.out.printf("raw TCP loopback        %8.1f MB/s%n", tcp);
        System.out.printf("Noise+Yamux stream      %8.1f MB/s  (%.2f x raw TCP)%n", p2p, p2p / tcp);
        System.out.printf("ChaCha20-Poly1305 (%s, 1 core) %8.1f MB/s  (stream = %.2f x min(AEAD, TCP))%n",
                ChaChaPoly.defaultEngine(),
                aead, p2p / Math.min(aead, tcp));
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
            CompletableFuture<Long> received = new CompletableFuture<>();
            a.setHandler(SINK, stream -> stream.setListener(new Stream.Listener() {
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
            }));
            Stream s = b.newStream(a.listenAddrs().get(0).withPeerId(a.peerId()), List.of(SINK)).get(30, TimeUnit.SECONDS);
            long start = System.nanoTime();
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
            long n = received.get(10, TimeUnit.MINUTES);
            return n / 1e6 / ((System.nanoTime() - start) / 1e9);
        } finally {
            b.close();
            a.close();
        }
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
