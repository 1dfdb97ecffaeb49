package venus.retrieval.node.retrieval;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.function.Consumer;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.cbor.CborReader;
import venus.retrieval.ipld.cbor.DagCbor;
import venus.retrieval.ipld.model.Node;
import venus.retrieval.libp2p.Libp2pException;
import venus.retrieval.libp2p.Stream;

/**
 * Reads self-delimiting dag-cbor items from a stream (the query, transports and data-transfer
 * protocols put one unframed item after another). Each complete item goes to {@code onItem};
 * an item larger than {@code maxItem}, bytes that are not dag-cbor, or an exception from
 * {@code onItem} reset the stream and go to {@code onError} once. Buffers are released as read.
 */
public final class CborStreamReader implements Stream.Listener {
    /** What the reader reports besides items. */
    public interface Events {
        void onItem(Stream stream, Node item);

        /** The item with the exact bytes it arrived as (for captures); the default forwards to {@link #onItem(Stream, Node)}. */
        default void onItem(Stream stream, Node item, byte[] raw) {
            onItem(stream, item);
        }

        /** The peer half-closed; {@code partial} when it stopped inside an item. */
        default void onEnd(Stream stream, boolean partial) {}

        /** The stream was reset by us (bad input) or failed. */
        default void onError(Stream stream, Exception cause) {}
    }

    private final int maxItem;
    private final Events events;
    private byte[] buf = new byte[256];
    private int len;
    private boolean failed;

    public CborStreamReader(int maxItem, Events events) {
        this.maxItem = maxItem;
        this.events = events;
    }

    /** A reader that hands items to {@code onItem} and ignores the rest. */
    public static CborStreamReader of(int maxItem, Consumer<Node> onItem) {
        return new CborStreamReader(maxItem, (s, n) -> onItem.accept(n));
    }

    @Override
    public void onData(Stream stream, ByteBuf data) {
        try {
            if (failed) {
                return;
            }
            int n = data.readableBytes();
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
            data.readBytes(buf, len, n);
            len += n;
        } finally {
            data.release();
        }
        drain(stream);
    }

    private void drain(Stream stream) {
        while (!failed && len > 0) {
            int end;
            try {
                CborReader r = new CborReader(buf, 0, len);
                r.skip();
                end = r.position();
            } catch (IpldException e) {
                if (e.reason() == IpldException.Reason.TRUNCATED) {
                    if (len > maxItem) {
                        fail(stream, Wire.bad(stream.protocol() + ": message larger than " + maxItem + " bytes"));
                    }
                    return;
                }
                fail(stream, Wire.bad(stream.protocol() + ": " + e.getMessage()));
                return;
            }
            if (end > maxItem) {
                fail(stream, Wire.bad(stream.protocol() + ": message larger than " + maxItem + " bytes"));
                return;
            }
            Node item;
            try {
                item = DagCbor.decode(buf, 0, end, DagCbor.Limits.DEFAULT);
            } catch (IpldException e) {
                fail(stream, Wire.bad(stream.protocol() + ": " + e.getMessage()));
                return;
            }
            byte[] raw = Arrays.copyOf(buf, end);
            System.arraycopy(buf, end, buf, 0, len - end);
            len -= end;
            try {
                events.onItem(stream, item, raw);
            } catch (RuntimeException e) {
                fail(stream, e);
                return;
            }
        }
    }

    private void fail(Stream stream, Exception e) {
        failed = true;
        len = 0;
        stream.reset();
        events.onError(stream, e);
    }

    @Override
    public void onRemoteClosed(Stream stream) {
        if (!failed) {
            events.onEnd(stream, len > 0);
        }
    }

    @Override
    public void onClosed(Stream stream, Libp2pException cause) {
        if (cause != null && !failed) {
            failed = true;
            events.onError(stream, cause);
        }
    }
}
