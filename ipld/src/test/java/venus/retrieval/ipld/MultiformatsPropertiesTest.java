package venus.retrieval.ipld;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Round trips and hostile inputs for varint, multibase, multihash and CID (fixed seeds). */
class MultiformatsPropertiesTest {
    @Property(seed = "20261127", tries = 2000)
    void varintRoundTripsAndIsMinimal(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long v) {
        byte[] b = Varint.encode(v);
        assertThat(b.length).isEqualTo(Varint.size(v)).isLessThanOrEqualTo(Varint.MAX_BYTES);
        assertThat(Varint.decode(b)).isEqualTo(v);
        assertThat(Varint.decode(java.nio.ByteBuffer.wrap(b))).isEqualTo(v);
        // the last byte of a minimal encoding is non-zero unless the value is 0
        assertThat(b[b.length - 1] != 0 || v == 0).isTrue();
    }

    @Property(seed = "77", tries = 2000)
    void varintDecoderOnlyRaisesIpldException(@ForAll @Size(max = 12) byte[] junk) {
        try {
            long v = Varint.decode(junk);
            assertThat(Varint.encode(v)).isEqualTo(java.util.Arrays.copyOf(junk, Varint.size(v)));
        } catch (IpldException e) {
            assertThat(e.reason()).isIn(IpldException.Reason.BAD_VARINT, IpldException.Reason.TRUNCATED);
        }
    }

    @Property(seed = "31337", tries = 1000)
    void multibaseRoundTripsInEveryBase(@ForAll @Size(max = 80) byte[] data, @ForAll Multibase.Base base) {
        assertThat(Multibase.decode(Multibase.encode(base, data))).isEqualTo(data);
    }

    @Property(seed = "4242", tries = 1000)
    void cidRoundTripsThroughBinaryAndEveryBase(@ForAll("cids") Cid cid, @ForAll Multibase.Base base) {
        assertThat(Cid.decode(cid.bytes())).isEqualTo(cid);
        assertThat(Cid.parse(cid.toString())).isEqualTo(cid);
        Cid viaBase = Cid.parse(cid.toString(base));
        // a CIDv0 keeps its bare base58btc form; in any other base it is written as its v1 equivalent
        boolean staysV0 = cid.version() == 0 && base == Multibase.Base.BASE58_BTC;
        assertThat(viaBase).isEqualTo(staysV0 ? cid : cid.toV1());
        assertThat(viaBase.multihash()).isEqualTo(cid.multihash());
    }

    /** Mutated binary and string CIDs either parse to something that round-trips or fail as BAD_CID. */
    @Property(seed = "99", tries = 3000)
    void mutatedCidsFailOnlyWithBadCid(@ForAll("cids") Cid cid, @ForAll int at, @ForAll byte value, @ForAll boolean truncate) {
        byte[] b = cid.bytes();
        int i = Math.floorMod(at, b.length);
        if (truncate) {
            b = java.util.Arrays.copyOf(b, i);
        } else {
            b[i] = value;
        }
        try {
            Cid c = Cid.decode(b);
            assertThat(Cid.decode(c.bytes())).isEqualTo(c);
        } catch (IpldException e) {
            assertThat(e.reason()).isEqualTo(IpldException.Reason.BAD_CID);
        }
        String s = cid.toString();
        char[] chars = s.toCharArray();
        chars[Math.floorMod(at, chars.length)] = (char) (' ' + Math.floorMod(value, 95));
        try {
            Cid c = Cid.parse(new String(chars));
            assertThat(Cid.parse(c.toString())).isEqualTo(c);
        } catch (IpldException e) {
            assertThat(e.reason()).isEqualTo(IpldException.Reason.BAD_CID);
        }
    }

    @Provide
    Arbitrary<Cid> cids() {
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<Long> hash = Arbitraries.of(Multicodec.SHA2_256, Multicodec.SHA2_512, Multicodec.BLAKE2B_256, Multicodec.IDENTITY);
        Arbitrary<Long> codec = Arbitraries.of(Multicodec.RAW, Multicodec.DAG_PB, Multicodec.DAG_CBOR, Multicodec.DAG_JSON, Multicodec.LIBP2P_KEY);
        return Combinators.combine(data, hash, codec, Arbitraries.of(true, false)).as((d, h, c, v0) -> {
            if (v0) {
                return Cid.v0(Multihash.compute(Multicodec.SHA2_256, d));
            }
            return Cid.v1(c, Multihash.compute(h, d));
        });
    }
}
