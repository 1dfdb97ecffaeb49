package venus.retrieval.gateway.bitswap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import venus.retrieval.gateway.GatewayException;
import venus.retrieval.gateway.bitswap.BitswapMessage.Block;
import venus.retrieval.gateway.bitswap.BitswapMessage.Entry;
import venus.retrieval.gateway.bitswap.BitswapMessage.Presence;
import venus.retrieval.gateway.bitswap.BitswapMessage.PresenceType;
import venus.retrieval.gateway.bitswap.BitswapMessage.WantType;
import venus.retrieval.ipld.Cid;
import venus.retrieval.ipld.Multicodec;
import venus.retrieval.ipld.Multihash;

class BitswapCodecTest {
    private static final byte[] HELLO = "hello world\n".getBytes(StandardCharsets.US_ASCII);
    private static final Cid HELLO_CID = Cid.of(Multicodec.RAW, HELLO);
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void wireExamplesOfTheSpecNotes() {
        String cid = HEX.formatHex(HELLO_CID.bytes());
        assertEquals("01551220a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447", cid);
        // client want-have, priority 1, sendDontHave
        byte[] want = BitswapServer.frame(BitswapMessage.wants(List.of(Entry.wantHave(HELLO_CID)), false));
        assertEquals("300a2e0a2c0a24" + cid + "100120012801", HEX.formatHex(want));
        // server DONT_HAVE, empty wantlist kept
        byte[] dontHave = BitswapServer.frame(new BitswapMessage(List.of(), false, List.of(), List.of(),
                List.of(new Presence(HELLO_CID, PresenceType.DONT_HAVE)), 0));
        assertEquals("2c0a0022280a24" + cid + "1001", HEX.formatHex(dontHave));
        // server HAVE: type 0 omitted
        byte[] have = BitswapServer.frame(new BitswapMessage(List.of(), false, List.of(), List.of(),
                List.of(new Presence(HELLO_CID, PresenceType.HAVE)), 0));
        assertEquals("2a0a0022260a24" + cid, HEX.formatHex(have));
        // server block with its prefix
        byte[] block = BitswapServer.frame(new BitswapMessage(List.of(), false, List.of(), List.of(Block.of(HELLO_CID, HELLO)), List.of(), 0));
        assertEquals("180a001a140a0401551220120c68656c6c6f20776f726c640a", HEX.formatHex(block));
    }

    @Test
    void roundTripOfEveryField() {
        Cid v0 = Cid.v0(Multihash.compute(Multicodec.SHA2_256, new byte[] {1, 2, 3}));
        BitswapMessage m = new BitswapMessage(
                List.of(new Entry(HELLO_CID, -5, false, WantType.HAVE, true), Entry.cancel(v0), new Entry(v0, Integer.MAX_VALUE, false, WantType.BLOCK, false)),
                true, List.of(new byte[] {9, 8}), List.of(Block.of(HELLO_CID, HELLO), Block.of(v0, new byte[] {1, 2, 3})),
                List.of(new Presence(v0, PresenceType.HAVE), new Presence(HELLO_CID, PresenceType.DONT_HAVE)), 12345);
        BitswapMessage back = BitswapCodec.decode(BitswapCodec.encode(m));
        assertEquals(m.wantlist(), back.wantlist());
        assertTrue(back.full());
        assertEquals(1, back.rawBlocks().size());
        assertArrayEquals(new byte[] {9, 8}, back.rawBlocks().get(0));
        assertEquals(HELLO_CID, back.blocks().get(0).cid());
        assertEquals(v0, back.blocks().get(1).cid());
        assertArrayEquals(HELLO, back.blocks().get(0).data());
        assertEquals(m.presences(), back.presences());
        assertEquals(12345, back.pendingBytes());
    }

    @Test
    void absurdCidsAreRefused() {
        byte[] longCid = new byte[300];
        longCid[0] = 1;
        byte[] entry = new venus.retrieval.ipld.pb.ProtoWriter().bytes(1, longCid).toByteArray();
        byte[] wl = new venus.retrieval.ipld.pb.ProtoWriter().bytes(1, entry).toByteArray();
        byte[] msg = new venus.retrieval.ipld.pb.ProtoWriter().bytes(1, wl).toByteArray();
        GatewayException e = assertThrows(GatewayException.class, () -> BitswapCodec.decode(msg));
        assertTrue(e.getMessage().contains("300 bytes"), e.getMessage());
        byte[] junkCid = new venus.retrieval.ipld.pb.ProtoWriter().bytes(1, new byte[] {7, 7, 7}).toByteArray();
        byte[] msg2 = new venus.retrieval.ipld.pb.ProtoWriter().bytes(1, new venus.retrieval.ipld.pb.ProtoWriter().bytes(1, junkCid).toByteArray()).toByteArray();
        assertThrows(GatewayException.class, () -> BitswapCodec.decode(msg2));
    }

    @Test
    void framesSplitAnywhereAndOversizedLengthsFailEarly() {
        List<byte[]> frames = new ArrayList<>();
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        byte[] all = new byte[0];
        for (int i = 0; i < 5; i++) {
            Cid c = Cid.of(Multicodec.RAW, new byte[] {(byte) i});
            byte[] f = BitswapServer.frame(BitswapMessage.wants(List.of(Entry.wantBlock(c)), false));
            frames.add(f);
            byte[] n = new byte[all.length + f.length];
            System.arraycopy(all, 0, n, 0, all.length);
            System.arraycopy(f, 0, n, all.length, f.length);
            all = n;
        }
        BitswapFrameDecoder d = new BitswapFrameDecoder(alloc, 1 << 16);
        List<BitswapMessage> got = new ArrayList<>();
        for (byte b : all) {
            got.addAll(d.decode(Unpooled.wrappedBuffer(new byte[] {b})));
        }
        d.release();
        assertEquals(5, got.size());
        assertEquals(Cid.of(Multicodec.RAW, new byte[] {4}), got.get(4).wantlist().get(0).cid());

        BitswapFrameDecoder small = new BitswapFrameDecoder(alloc, 1 << 16);
        // a 5 MiB length prefix is refused before any body byte arrives
        GatewayException e = assertThrows(GatewayException.class, () -> small.decode(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x40})));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
        assertThrows(GatewayException.class, () -> small.decode(Unpooled.wrappedBuffer(new byte[] {1})));
        small.release();
    }

    /** Mutated valid messages decode or fail with our exception, nothing else. */
    @Property(tries = 2000, seed = "20261127")
    void mutatedMessagesFailCleanly(@ForAll long seed) {
        Random rnd = new Random(seed);
        Cid c = Cid.of(Multicodec.RAW, new byte[] {(byte) rnd.nextInt()});
        BitswapMessage m = new BitswapMessage(List.of(Entry.wantBlock(c), Entry.wantHave(HELLO_CID)), rnd.nextBoolean(), List.of(),
                List.of(Block.of(c, new byte[] {1})), List.of(new Presence(c, PresenceType.DONT_HAVE)), 3);
        byte[] b = BitswapCodec.encode(m);
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt();
        }
        if (rnd.nextBoolean()) {
            b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
        }
        try {
            BitswapCodec.decode(b);
        } catch (GatewayException e) {
            assertTrue(e.getMessage().startsWith("bitswap"), e.getMessage());
        }
    }

    @Property(tries = 500, seed = "20261128")
    void randomBytesFailCleanly(@ForAll byte[] junk) {
        BitswapFrameDecoder d = new BitswapFrameDecoder(ByteBufAllocator.DEFAULT, 1 << 16);
        try {
            d.decode(Unpooled.wrappedBuffer(junk));
        } catch (GatewayException e) {
            assertTrue(e.getMessage().startsWith("bitswap"), e.getMessage());
        } finally {
            d.release();
        }
    }
}
