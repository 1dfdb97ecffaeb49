package venus.retrieval.ipld.car;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.IpldException.Reason;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;
import venus.retrieval.ipld.Varint;

/**
 * Streaming reader of CARv1 and CARv2 files. It reads the header when opened, then one block
 * section per {@link #next()}; memory stays flat whatever the file's size (one reusable buffer,
 * plus one array per block that the caller owns). Every failure is an {@link IpldException} whose
 * message names the absolute byte offset of the problem.
 *
 * <p>Not thread-safe: one reader per thread.
 */
public final class CarReader implements AutoCloseable, Iterable<CarBlock> {
    /** The CARv2 pragma: varint 10, then dag-cbor {@code {"version": 2}}. */
    static final byte[] V2_PRAGMA = {0x0a, (byte) 0xa1, 0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x02};
    /** Pragma plus the fixed 40-byte header. */
    static final int V2_HEADER_END = V2_PRAGMA.length + 40;
    /** Largest CID this reader accepts in a section (identity CIDs carry their data inline). */
    static final int MAX_CID_BYTES = 4096;
    /** Buffer size for {@link #next(boolean) next(false)}: 4 MiB reads, blocks up to 2 MiB hashed in place. */
    static final int BULK_BUFFER = 4 << 20;

    private static final ThreadLocal<MessageDigest[]> DIGESTS = ThreadLocal.withInitial(() -> new MessageDigest[] {
        Multihash.messageDigest(Multicodec.SHA2_256), Multihash.messageDigest(Multicodec.SHA2_512)});

    /**
     * How to read.
     *
     * @param verifyHashes check every block's bytes against its CID's multihash
     * @param maxBlockSize largest block (data without CID) accepted; larger is {@code TOO_LARGE}, never allocated
     * @param maxHeaderSize largest CARv1 header accepted
     * @param allowTrailingZeros stop cleanly at a section whose length is 0 (an unsealed piece file:
     *                           a CAR followed by zero padding) instead of failing
     */
    public record Options(boolean verifyHashes, int maxBlockSize, int maxHeaderSize, boolean allowTrailingZeros) {
        /** 4 MiB: the largest block any IPFS or Filecoin peer is expected to send. */
        public static final int DEFAULT_MAX_BLOCK_SIZE = 4 << 20;
        /** 1 MiB of header is room for tens of thousands of roots. */
        public static final int DEFAULT_MAX_HEADER_SIZE = 1 << 20;

        /** Refuses negative limits. */
        public Options {
            if (maxBlockSize < 0 || maxHeaderSize < 0) {
                throw new IllegalArgumentException("limits must be non-negative");
            }
        }

        /** Verify hashes, 4 MiB blocks, strict end of file. */
        public static Options defaults() {
            return new Options(true, DEFAULT_MAX_BLOCK_SIZE, DEFAULT_MAX_HEADER_SIZE, false);
        }

        /** These options with hash verification on or off. */
        public Options withVerifyHashes(boolean v) {
            return new Options(v, maxBlockSize, maxHeaderSize, allowTrailingZeros);
        }

        /** These options with another largest accepted block size. */
        public Options withMaxBlockSize(int v) {
            return new Options(verifyHashes, v, maxHeaderSize, allowTrailingZeros);
        }

        /** These options with another largest accepted CARv1 header size. */
        public Options withMaxHeaderSize(int v) {
            return new Options(verifyHashes, maxBlockSize, v, allowTrailingZeros);
        }

        /** These options with trailing zero padding (an unsealed piece) accepted or refused. */
        public Options withAllowTrailingZeros(boolean v) {
            return new Options(verifyHashes, maxBlockSize, maxHeaderSize, v);
        }
    }

    private final CarInput in;
    private final Options options;
    private final CarHeader header;
    private final long dataEnd;          // absolute end of the v1 payload, or Long.MAX_VALUE for a v1 stream
    private final byte[] scratchDigest = new byte[64];
    private boolean done;
    private boolean iterated;

    private CarReader(InputStream stream, Options options) {
        this.in = new CarInput(stream, 64 * 1024);
        this.options = options;
        CarHeader h;
        long end = Long.MAX_VALUE;
        try {
            CarHeaderCodec.Decoded first = readHeaderMap(0);
            if (first.version() == 2) {
                if (in.position() != V2_PRAGMA.length || first.roots() != null) {
                    throw new IpldException(Reason.BAD_CAR, "bad CARv2 pragma at offset 0");
                }
                CarHeader.V2 v2 = readV2Header();
                long skip = v2.dataOffset() - in.position();
                if (in.skip(skip) != skip) {
                    throw new IpldException(Reason.TRUNCATED, "CARv2 ends at offset " + in.position()
                            + " before its data offset " + v2.dataOffset());
                }
                end = v2.dataOffset() + v2.dataSize();
                CarHeaderCodec.Decoded inner = readHeaderMap(v2.dataOffset());
                if (inner.version() != 1 || inner.roots() == null) {
                    throw new IpldException(Reason.BAD_CAR, "CARv2 payload at offset " + v2.dataOffset()
                            + " is not a CARv1 (version " + inner.version() + ")");
                }
                if (in.position() > end) {
                    throw new IpldException(Reason.BAD_CAR, "CARv1 header at offset " + v2.dataOffset()
                            + " runs past the CARv2 data size " + v2.dataSize());
                }
                h = new CarHeader(2, inner.roots(), v2);
            } else if (first.version() == 1) {
                if (first.roots() == null) {
                    throw new IpldException(Reason.BAD_CAR, "CARv1 header at offset 0 has no roots");
                }
                h = new CarHeader(1, first.roots(), null);
            } else {
                throw new IpldException(Reason.BAD_CAR, "unsupported CAR version " + first.version() + " at offset 0");
            }
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
        this.header = h;
        this.dataEnd = end;
    }

    /** Opens a CAR stream with {@link Options#defaults()}; offsets count from the stream's first byte. */
    public static CarReader open(InputStream in) {
        return open(in, Options.defaults());
    }

    /** Opens a CAR stream; offsets count from the stream's first byte. Closing the reader closes the stream. */
    public static CarReader open(InputStream in, Options options) {
        return new CarReader(in, options);
    }

    /** Opens a CAR file with {@link Options#defaults()}. */
    public static CarReader open(Path file) {
        return open(file, Options.defaults());
    }

    /** Opens a CAR file. */
    public static CarReader open(Path file, Options options) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new IpldException(Reason.IO, "cannot open " + file + ": " + e.getMessage(), e);
        }
        return new CarReader(new ChannelStream(ch, true), options);
    }

    /**
     * Reads the CAR that starts at byte 0 of {@code channel} with positional reads (the channel's
     * own position is not used or moved). Closing the reader does not close the channel.
     */
    public static CarReader open(FileChannel channel, Options options) {
        return new CarReader(new ChannelStream(channel, false), options);
    }

    /** The header: version, roots and, for a CARv2, its data and index offsets. */
    public CarHeader header() {
        return header;
    }

    /** Absolute offset of the next unread byte. */
    public long position() {
        return in.position();
    }

    /**
     * The next block, or {@code null} at the end of the payload (end of file for a CARv1, end of
     * the data section for a CARv2, or a zero-length section when trailing zeros are allowed).
     */
    public CarBlock next() {
        return next(true);
    }

    /**
     * Like {@link #next()}; with {@code withData == false} the block's bytes are read (and
     * verified, if configured) in the reader's own buffer and not copied out, and the returned
     * block's {@link CarBlock#data()} is {@code null}. An index that only needs CIDs and offsets
     * saves an array per block that way. The first such call grows the buffer to
     * {@value #BULK_BUFFER} bytes, which also makes the file reads that large.
     */
    public CarBlock next(boolean withData) {
        if (done) {
            return null;
        }
        long sectionOffset = in.position();
        if (sectionOffset == dataEnd) {
            done = true;
            return null;
        }
        long len = readVarint("section length", sectionOffset, true);
        if (len < 0) {
            if (dataEnd != Long.MAX_VALUE) {
                throw new IpldException(Reason.TRUNCATED, "CARv2 data ends at offset " + sectionOffset
                        + " before its declared end " + dataEnd);
            }
            done = true;
            return null;
        }
        if (len == 0) {
            if (options.allowTrailingZeros()) {
                done = true;
                return null;
            }
            throw new IpldException(Reason.BAD_CAR, "zero-length block section at offset " + sectionOffset);
        }
        if (len > (long) options.maxBlockSize() + MAX_CID_BYTES) {
            throw new IpldException(Reason.TOO_LARGE, "block section at offset " + sectionOffset + " is " + len
                    + " bytes, over the " + options.maxBlockSize() + "-byte block limit");
        }
        long cidOffset = in.position();
        if (cidOffset + len > dataEnd) {
            throw new IpldException(Reason.BAD_CAR, "block section at offset " + sectionOffset
                    + " runs past the CARv2 data end " + dataEnd);
        }
        int want = (int) Math.min(len, MAX_CID_BYTES);
        int have = in.ensure(want);
        if (have < want) {
            throw truncated(cidOffset + have, sectionOffset);
        }
        Cid cid;
        try {
            cid = Cid.decode(in.buffer(), in.bufferPos(), in.bufferPos() + want);
        } catch (IpldException e) {
            throw new IpldException(Reason.BAD_CAR, "bad CID in block section at offset " + sectionOffset + ": " + e.getMessage(), e);
        }
        in.advance(cid.byteLength());
        long dataLen = len - cid.byteLength();
        if (dataLen > options.maxBlockSize()) {
            throw new IpldException(Reason.TOO_LARGE, "block " + cid + " at offset " + sectionOffset + " is " + dataLen
                    + " bytes, over the " + options.maxBlockSize() + "-byte block limit");
        }
        long dataOffset = in.position();
        if (!withData) {
            in.grow(BULK_BUFFER);
            if (dataLen <= BULK_BUFFER / 2) {
                int inBuffer = in.ensure((int) dataLen);
                if (inBuffer < dataLen) {
                    throw truncated(dataOffset + inBuffer, sectionOffset);
                }
                if (options.verifyHashes()) {
                    verify(cid, in.buffer(), in.bufferPos(), (int) dataLen, sectionOffset);
                }
                in.advance((int) dataLen);
                return new CarBlock(cid, null, sectionOffset, dataOffset, (int) dataLen);
            }
            // a block over half the buffer would make refills move more than they read: read it out
        }
        byte[] data = new byte[(int) dataLen];
        int got = in.readFully(data, 0, data.length);
        if (got < data.length) {
            throw truncated(dataOffset + got, sectionOffset);
        }
        if (options.verifyHashes()) {
            verify(cid, data, 0, data.length, sectionOffset);
        }
        return new CarBlock(cid, withData ? data : null, sectionOffset, dataOffset, data.length);
    }

    /** Reads every remaining block, discarding it (verifying hashes if configured); returns the count. */
    public long skipAll() {
        long n = 0;
        while (next(false) != null) {
            n++;
        }
        return n;
    }

    /** The remaining blocks, once. */
    @Override
    public Iterator<CarBlock> iterator() {
        if (iterated) {
            throw new IllegalStateException("a CarReader can be iterated once");
        }
        iterated = true;
        return new Iterator<>() {
            private CarBlock pending;

            @Override
            public boolean hasNext() {
                if (pending == null) {
                    pending = CarReader.this.next();
                }
                return pending != null;
            }

            @Override
            public CarBlock next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                CarBlock b = pending;
                pending = null;
                return b;
            }
        };
    }

    @Override
    public void close() {
        in.close();
    }

    private void verify(Cid cid, byte[] data, int off, int len, long sectionOffset) {
        Multihash mh = cid.multihash();
        long code = mh.code();
        boolean ok;
        if (code == Multicodec.SHA2_256 || code == Multicodec.SHA2_512 || code == Multicodec.SHA2_256_TRUNC254_PADDED) {
            // hot path: a per-thread digest instead of a provider lookup per block
            MessageDigest md = DIGESTS.get()[code == Multicodec.SHA2_512 ? 1 : 0];
            md.reset();
            md.update(data, off, len);
            int n = md.getDigestLength();
            try {
                md.digest(scratchDigest, 0, n);
            } catch (java.security.DigestException e) {
                throw new IllegalStateException(e);
            }
            if (code == Multicodec.SHA2_256_TRUNC254_PADDED) {
                scratchDigest[31] &= 0x3F;
            }
            byte[] expected = mh.digest();
            ok = expected.length == n && Arrays.equals(scratchDigest, 0, n, expected, 0, n);
        } else if (Multihash.isSupported(code)) {
            ok = mh.matches(off == 0 && len == data.length ? data : Arrays.copyOfRange(data, off, off + len));
        } else {
            throw new IpldException(Reason.UNSUPPORTED, "block " + cid + " at offset " + sectionOffset
                    + " uses hash function " + Multicodec.name(code) + ", which cannot be verified");
        }
        if (!ok) {
            throw new IpldException(Reason.HASH_MISMATCH, "block at offset " + sectionOffset
                    + " does not hash to its CID " + cid);
        }
    }

    private static IpldException truncated(long endOffset, long sectionOffset) {
        return new IpldException(Reason.TRUNCATED, "CAR ends inside a block section at offset " + endOffset
                + " (section starts at offset " + sectionOffset + ")");
    }

    /** Reads a varint; returns -1 on a clean end of input before its first byte when {@code eofOk}. */
    private long readVarint(String what, long offset, boolean eofOk) {
        int have = in.ensure(Varint.MAX_BYTES);
        if (have == 0) {
            if (eofOk) {
                return -1;
            }
            throw new IpldException(Reason.TRUNCATED, "CAR ends at offset " + offset + " before the " + what);
        }
        byte[] b = in.buffer();
        int p = in.bufferPos();
        long v;
        try {
            v = Varint.decode(b, p, p + have);
        } catch (IpldException e) {
            if (e.reason() == Reason.TRUNCATED) {
                throw new IpldException(Reason.TRUNCATED, "CAR ends inside the " + what + " varint at offset " + offset, e);
            }
            throw new IpldException(Reason.BAD_VARINT, "bad " + what + " varint at offset " + offset + ": " + e.getMessage(), e);
        }
        in.advance(Varint.size(v));
        return v;
    }

    private CarHeaderCodec.Decoded readHeaderMap(long offset) {
        long len = readVarint("header length", offset, false);
        if (len == 0) {
            throw new IpldException(Reason.BAD_CAR, "empty CAR header at offset " + offset);
        }
        if (len > options.maxHeaderSize()) {
            throw new IpldException(Reason.TOO_LARGE, "CAR header at offset " + offset + " claims " + len
                    + " bytes, over the " + options.maxHeaderSize() + "-byte header limit");
        }
        long start = in.position();
        byte[] h = new byte[(int) len];
        int got = in.readFully(h, 0, h.length);
        if (got < h.length) {
            throw new IpldException(Reason.TRUNCATED, "CAR ends inside its header at offset " + (start + got));
        }
        return CarHeaderCodec.decode(h, start);
    }

    private CarHeader.V2 readV2Header() {
        byte[] b = new byte[40];
        long start = in.position();
        int got = in.readFully(b, 0, 40);
        if (got < 40) {
            throw new IpldException(Reason.TRUNCATED, "CARv2 ends inside its header at offset " + (start + got));
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long hi = bb.getLong();
        long lo = bb.getLong();
        long dataOffset = bb.getLong();
        long dataSize = bb.getLong();
        long indexOffset = bb.getLong();
        if (dataOffset < V2_HEADER_END || dataSize < 0 || dataOffset + dataSize < dataOffset) {
            throw new IpldException(Reason.BAD_CAR, "CARv2 header at offset " + start + " has a bad data offset "
                    + dataOffset + " or size " + dataSize);
        }
        if (indexOffset != 0 && indexOffset < dataOffset + dataSize) {
            throw new IpldException(Reason.BAD_CAR, "CARv2 header at offset " + start + " puts the index at "
                    + indexOffset + ", inside the data");
        }
        return new CarHeader.V2(hi, lo, dataOffset, dataSize, indexOffset);
    }

    /** Positional reads over a file channel, exposed as a stream. */
    private static final class ChannelStream extends InputStream {
        private final FileChannel ch;
        private final boolean owned;
        private long pos;

        ChannelStream(FileChannel ch, boolean owned) {
            this.ch = ch;
            this.owned = owned;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int r = ch.read(ByteBuffer.wrap(b, off, len), pos);
            if (r > 0) {
                pos += r;
            }
            return r;
        }

        @Override
        public void close() throws IOException {
            if (owned) {
                ch.close();
            }
        }
    }
}
