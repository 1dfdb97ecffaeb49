package venus.retrieval.ipld.car;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.IpldException;

/**
 * The CAR header's dag-cbor form: {@code {"roots": [CID...], "version": N}} (a CARv2 pragma is the
 * same map with only {@code version: 2}). Only this fixed shape is accepted.
 */
final class CarHeaderCodec {
    /** A decoded header map; {@code roots} is null when the key is absent. */
    record Decoded(long version, List<Cid> roots) {}

    private CarHeaderCodec() {}

    /** Decodes a header whose bytes start at absolute {@code offset} (for error messages). */
    static Decoded decode(byte[] b, long offset) {
        Parser p = new Parser(b, offset);
        long entries = p.head(5, "header map");
        long version = -1;
        List<Cid> roots = null;
        for (long i = 0; i < entries; i++) {
            String key = p.text();
            if (key.equals("version") && version < 0) {
                version = p.head(0, "version");
            } else if (key.equals("roots") && roots == null) {
                long n = p.head(4, "roots array");
                if (n > b.length) {
                    throw p.bad("roots array longer than the header");
                }
                roots = new ArrayList<>((int) n);
                for (long j = 0; j < n; j++) {
                    roots.add(p.cid());
                }
            } else {
                throw p.bad("unexpected header key \"" + key + "\"");
            }
        }
        if (p.pos != b.length) {
            throw p.bad("trailing bytes after the header map");
        }
        if (version < 0) {
            throw p.bad("header has no version");
        }
        return new Decoded(version, roots);
    }

    /** Encodes a CARv1 header in canonical dag-cbor key order ("roots" sorts before "version"). */
    static byte[] encodeV1(List<Cid> roots) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + roots.size() * 40);
        head(out, 5, 2);
        text(out, "roots");
        head(out, 4, roots.size());
        for (Cid c : roots) {
            out.write(0xd8);   // tag(42): a CID link
            out.write(42);
            byte[] cb = c.bytes();
            head(out, 2, cb.length + 1L);
            out.write(0);      // the multibase identity prefix dag-cbor puts before binary CIDs
            out.write(cb, 0, cb.length);
        }
        text(out, "version");
        head(out, 0, 1);
        return out.toByteArray();
    }

    private static void text(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        head(out, 3, b.length);
        out.write(b, 0, b.length);
    }

    private static void head(ByteArrayOutputStream out, int major, long n) {
        int mt = major << 5;
        if (n < 24) {
            out.write(mt | (int) n);
        } else if (n < 0x100) {
            out.write(mt | 24);
            out.write((int) n);
        } else if (n < 0x10000) {
            out.write(mt | 25);
            out.write((int) (n >> 8));
            out.write((int) n);
        } else {
            out.write(mt | 26);
            for (int s = 24; s >= 0; s -= 8) {
                out.write((int) (n >> s));
            }
        }
    }

    private static final class Parser {
        final byte[] b;
        final long base;
        int pos;

        Parser(byte[] b, long base) {
            this.b = b;
            this.base = base;
        }

        IpldException bad(String what) {
            return new IpldException(IpldException.Reason.BAD_CAR, "bad CAR header at offset " + (base + pos) + ": " + what);
        }

        int u8() {
            if (pos >= b.length) {
                throw bad("header ends early");
            }
            return b[pos++] & 0xFF;
        }

        /** Reads a head of the expected major type (minimal length encoding) and returns its argument. */
        long head(int major, String what) {
            int ib = u8();
            if (ib >> 5 != major) {
                pos--;
                throw bad("expected " + what);
            }
            int ai = ib & 0x1F;
            long v;
            if (ai < 24) {
                return ai;
            } else if (ai == 24) {
                v = u8();
                if (v < 24) {
                    throw bad("non-minimal integer");
                }
            } else if (ai == 25) {
                v = (long) u8() << 8 | u8();
                if (v < 0x100) {
                    throw bad("non-minimal integer");
                }
            } else if (ai == 26) {
                v = 0;
                for (int i = 0; i < 4; i++) {
                    v = v << 8 | u8();
                }
                if (v < 0x10000) {
                    throw bad("non-minimal integer");
                }
            } else if (ai == 27) {
                v = 0;
                for (int i = 0; i < 8; i++) {
                    v = v << 8 | u8();
                }
                if (v >= 0 && v < 0x100000000L) {
                    throw bad("non-minimal integer");
                }
                if (v < 0) {
                    throw bad("integer too large");
                }
            } else {
                throw bad("indefinite or reserved length");
            }
            return v;
        }

        String text() {
            long n = head(3, "text key");
            if (n > b.length - pos) {
                throw bad("text runs past the header");
            }
            String s = new String(b, pos, (int) n, StandardCharsets.UTF_8);
            pos += (int) n;
            return s;
        }

        Cid cid() {
            if (u8() != 0xd8 || u8() != 42) {
                pos = Math.max(0, pos - 2);
                throw bad("root is not a CID (tag 42)");
            }
            long n = head(2, "CID bytes");
            if (n < 2 || n > b.length - pos) {
                throw bad("CID byte string of bad length " + n);
            }
            if (b[pos] != 0) {
                throw bad("CID bytes lack the 0x00 multibase prefix");
            }
            try {
                Cid c = Cid.decode(java.util.Arrays.copyOfRange(b, pos + 1, pos + (int) n));
                pos += (int) n;
                return c;
            } catch (IpldException e) {
                throw bad("bad root CID: " + e.getMessage());
            }
        }
    }
}
