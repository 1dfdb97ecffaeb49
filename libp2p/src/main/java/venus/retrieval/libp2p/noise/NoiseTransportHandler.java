package venus.retrieval.libp2p.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import venus.retrieval.libp2p.Libp2pException;

/**
 * Noise transport messages. Inbound: each frame from the {@link NoiseFrameDecoder} is decrypted
 * into a plaintext {@link ByteBuf}. Outbound: writes are buffered until flush, then cut into
 * frames of at most {@value #MAX_PLAINTEXT} plaintext bytes (65,535 with the tag), so many small
 * writes share a frame and one AEAD call; a frame whose bytes lie in one heap array (a block a
 * graphsync message wraps) is encrypted from that array, others are first gathered into a scratch
 * array. Inbound frames are decrypted from their own array when they have one; off-heap frames are
 * copied first (the JDK 17 cipher copies direct input into an array anyway).
 */
public final class NoiseTransportHandler extends ChannelDuplexHandler {
    /** Largest plaintext per frame: 65,535 − 16-byte tag. */
    public static final int MAX_PLAINTEXT = NoiseFrameDecoder.MAX_MESSAGE - ChaChaPoly.TAG;
    /**
     * While a large write is encrypted, what is ready goes to the socket every this many frames
     * (256 KiB): the peer decrypts the start of a message while its end is still being encrypted,
     * instead of waiting for all of it (a 1 MiB block's trip, on which a payment round waits,
     * shrinks by a third on JDK 17); a few more writes per MiB cost nothing measurable.
     */
    static final int FLUSH_EVERY_FRAMES = 4;

    private final CipherState sender;
    private final CipherState receiver;
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private final List<ChannelPromise> promises = new ArrayList<>();
    private final byte[] scratch = new byte[NoiseFrameDecoder.MAX_MESSAGE];
    private int pendingBytes;

    public NoiseTransportHandler(CipherState sender, CipherState receiver) {
        this.sender = sender;
        this.receiver = receiver;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        ByteBuf plain = null;
        try {
            int len = frame.readableBytes();
            if (len < ChaChaPoly.TAG) {
                throw new Libp2pException(Libp2pException.Reason.DECRYPT_FAILED, "Noise frame of " + len + " bytes is shorter than a tag");
            }
            byte[] in;
            int inOff;
            if (frame.hasArray()) {
                in = frame.array();
                inOff = frame.arrayOffset() + frame.readerIndex();
            } else {
                frame.getBytes(frame.readerIndex(), scratch, 0, len);
                in = scratch;
                inOff = 0;
            }
            plain = ctx.alloc().heapBuffer(len - ChaChaPoly.TAG);
            int n = receiver.decrypt(in, inOff, len, plain.array(), plain.arrayOffset() + plain.writerIndex());
            plain.writerIndex(plain.writerIndex() + n);
        } catch (RuntimeException e) {
            if (plain != null) {
                plain.release();
            }
            throw e;
        } finally {
            frame.release();
        }
        if (plain.isReadable()) {
            ctx.fireChannelRead(plain);
        } else {
            plain.release();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        pending.add(buf);
        pendingBytes += buf.readableBytes();
        if (!promise.isVoid()) {
            promises.add(promise);
        }
        if (pendingBytes >= 4 * MAX_PLAINTEXT) {
            encryptPending(ctx, false); // bound what waits for a flush
            ctx.flush();
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        encryptPending(ctx, true);
        ctx.flush();
    }

    private void encryptPending(ChannelHandlerContext ctx, boolean all) {
        int frames = 0;
        while (pendingBytes > 0 && (all || pendingBytes >= MAX_PLAINTEXT)) {
            if (frames++ == FLUSH_EVERY_FRAMES) {
                frames = 1;
                ctx.flush();
            }
            int chunk = Math.min(pendingBytes, MAX_PLAINTEXT);
            ByteBuf out = ctx.alloc().heapBuffer(2 + chunk + ChaChaPoly.TAG);
            out.writeShort(chunk + ChaChaPoly.TAG);
            int w;
            try {
                w = encryptNext(chunk, out);
            } catch (RuntimeException e) {
                out.release();
                throw e;
            }
            pendingBytes -= chunk;
            out.writerIndex(out.writerIndex() + w);
            if (pendingBytes == 0 && !promises.isEmpty()) {
                ChannelPromise last = ctx.newPromise();
                List<ChannelPromise> waiting = new ArrayList<>(promises);
                promises.clear();
                last.addListener(f -> {
                    for (ChannelPromise p : waiting) {
                        if (f.isSuccess()) {
                            p.trySuccess();
                        } else {
                            p.tryFailure(f.cause());
                        }
                    }
                });
                ctx.write(out, last);
            } else {
                ctx.write(out, ctx.voidPromise());
            }
        }
        while (pending.peek() != null && !pending.peek().isReadable()) {
            pending.poll().release();
        }
        if (pendingBytes == 0 && !promises.isEmpty()) {
            promises.forEach(ChannelPromise::trySuccess); // only empty buffers were written
            promises.clear();
        }
    }

    /**
     * Encrypts the next {@code chunk} pending bytes into {@code out} at its writer index, releasing
     * the buffers it empties; returns the bytes written.
     */
    private int encryptNext(int chunk, ByteBuf out) {
        byte[] dst = out.array();
        int dstOff = out.arrayOffset() + out.writerIndex();
        ByteBuf head = pending.peek();
        ByteBuffer inPlace = head.readableBytes() >= chunk ? oneHeapArray(head, chunk) : null;
        int w;
        if (inPlace != null) {
            // the frame's bytes lie in one array (a graphsync block, mostly): no copy into scratch
            w = sender.encrypt(inPlace.array(), inPlace.arrayOffset() + inPlace.position(), chunk, dst, dstOff);
            head.skipBytes(chunk);
            if (!head.isReadable()) {
                pending.poll().release();
            }
        } else {
            int filled = 0;
            while (filled < chunk) {
                head = pending.peek();
                int n = Math.min(chunk - filled, head.readableBytes());
                head.readBytes(scratch, filled, n);
                filled += n;
                if (!head.isReadable()) {
                    pending.poll().release();
                }
            }
            w = sender.encrypt(scratch, 0, chunk, dst, dstOff);
        }
        return w;
    }

    /**
     * The next {@code len} readable bytes of {@code buf} as a view of the one heap array that
     * holds them, or null when they are off-heap, read-only or spread over several components.
     */
    static ByteBuffer oneHeapArray(ByteBuf buf, int len) {
        if (buf.hasArray()) {
            return ByteBuffer.wrap(buf.array(), buf.arrayOffset() + buf.readerIndex(), len);
        }
        if (buf.isDirect()) {
            return null; // no array to encrypt from; nioBuffers would only allocate views
        }
        ByteBuffer[] parts = buf.nioBuffers(buf.readerIndex(), len);
        return parts.length == 1 && parts[0].hasArray() ? parts[0] : null;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ByteBuf b;
        while ((b = pending.poll()) != null) {
            b.release();
        }
        pendingBytes = 0;
        Libp2pException closed = new Libp2pException(Libp2pException.Reason.CLOSED, "connection closed");
        promises.forEach(p -> p.tryFailure(closed));
        promises.clear();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        flush(ctx);
        ctx.close(promise);
    }
}
