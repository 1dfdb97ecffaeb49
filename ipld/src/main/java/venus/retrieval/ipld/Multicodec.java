package venus.retrieval.ipld;

import java.util.Map;

/** The multicodec codes this node uses, with their canonical names. */
public final class Multicodec {
    public static final long IDENTITY = 0x00;
    public static final long CBOR = 0x51;
    public static final long RAW = 0x55;
    public static final long DAG_PB = 0x70;
    public static final long DAG_CBOR = 0x71;
    public static final long LIBP2P_KEY = 0x72;
    public static final long DAG_JSON = 0x0129;
    public static final long JSON = 0x0200;
    public static final long CAR = 0x0202;
    public static final long SHA2_256 = 0x12;
    public static final long SHA2_512 = 0x13;
    public static final long BLAKE2B_256 = 0xb220;
    public static final long SHA2_256_TRUNC254_PADDED = 0x1012;
    public static final long FIL_COMMITMENT_UNSEALED = 0xf101;
    public static final long FIL_COMMITMENT_SEALED = 0xf102;
    /** FRC-0069 piece CID v2 multihash: fr32-sha256-trunc254-padbintree. */
    public static final long FR32_SHA256_TRUNC254_PADBINTREE = 0x1011;

    private static final Map<Long, String> NAMES = Map.ofEntries(
            Map.entry(IDENTITY, "identity"), Map.entry(CBOR, "cbor"), Map.entry(RAW, "raw"),
            Map.entry(DAG_PB, "dag-pb"), Map.entry(DAG_CBOR, "dag-cbor"), Map.entry(LIBP2P_KEY, "libp2p-key"),
            Map.entry(DAG_JSON, "dag-json"), Map.entry(JSON, "json"), Map.entry(CAR, "car"),
            Map.entry(SHA2_256, "sha2-256"), Map.entry(SHA2_512, "sha2-512"), Map.entry(BLAKE2B_256, "blake2b-256"),
            Map.entry(SHA2_256_TRUNC254_PADDED, "sha2-256-trunc254-padded"),
            Map.entry(FIL_COMMITMENT_UNSEALED, "fil-commitment-unsealed"),
            Map.entry(FIL_COMMITMENT_SEALED, "fil-commitment-sealed"),
            Map.entry(FR32_SHA256_TRUNC254_PADBINTREE, "fr32-sha256-trunc254-padbintree"));

    private Multicodec() {}

    /** The canonical name of a code, or {@code "0x…"} when the table does not know it. */
    public static String name(long code) {
        String n = NAMES.get(code);
        return n != null ? n : "0x" + Long.toHexString(code);
    }

    /** The code for a canonical name, or -1. */
    public static long code(String name) {
        for (Map.Entry<Long, String> e : NAMES.entrySet()) {
            if (e.getValue().equals(name)) {
                return e.getKey();
            }
        }
        return -1;
    }
}
