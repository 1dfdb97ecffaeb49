package venus.retrieval.paych;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import venus.retrieval.ipld.IpldException;
import venus.retrieval.ipld.cbor.CborReader;
import venus.retrieval.ipld.cbor.CborWriter;

/**
 * A payment-channel voucher (go-state-types {@code paych.SignedVoucher}): the CBOR tuple of
 * exactly 11 elements — ChannelAddr, TimeLockMin, TimeLockMax, SecretHash, Extra, Lane, Nonce,
 * Amount, MinSettleHeight, Merges, Signature. {@code Amount} is cumulative per lane. The signed
 * message is the same tuple with Signature null ({@link #signingBytes()}).
 *
 * <p>Lane and nonce are uint64 on the wire; values above 2^63−1 are refused (the actor already
 * caps lanes there, and no payer reaches such nonces).
 *
 * @param channel the payment-channel actor address
 * @param timeLockMin the voucher is unusable before this epoch (0: none)
 * @param timeLockMax the voucher is unusable after this epoch (0: none)
 * @param secretHash blake2b-256 of a secret revealed at redemption; empty for none
 * @param extra a call the actor makes at redemption; null for none
 * @param lane the lane
 * @param nonce strictly increasing per lane
 * @param amount the cumulative amount this lane pays
 * @param minSettleHeight raises the channel's min settle height
 * @param merges lanes folded into this one (never accepted by this node)
 * @param signature the payer's signature; null while unsigned
 */
public record SignedVoucher(Address channel, long timeLockMin, long timeLockMax, byte[] secretHash,
                            ModVerifyParams extra, long lane, long nonce, TokenAmount amount,
                            long minSettleHeight, List<Merge> merges, Signature signature) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FIELDS = 11;

    /** A call the actor makes at redemption: {@code [Actor, Method, Data]}. */
    public record ModVerifyParams(Address actor, long method, byte[] data) {
        public ModVerifyParams {
            Objects.requireNonNull(actor, "actor");
            data = data == null ? new byte[0] : data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ModVerifyParams m && m.actor.equals(actor) && m.method == method && Arrays.equals(m.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(actor, method, Arrays.hashCode(data));
        }
    }

    /** A lane folded into the voucher's lane: {@code [Lane, Nonce]}. */
    public record Merge(long lane, long nonce) {}

    /** Copies the arrays; refuses lanes and nonces past 2^63−1 ({@code BAD_VOUCHER}). */
    public SignedVoucher {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(amount, "amount");
        secretHash = secretHash == null ? new byte[0] : secretHash.clone();
        merges = merges == null ? List.of() : List.copyOf(merges);
        if (lane < 0 || nonce < 0) {
            throw new PaychException(PaychException.Reason.BAD_VOUCHER, "lane and nonce must be between 0 and 2^63-1");
        }
    }

    /** An unsigned voucher of the plain kind this node accepts: no time locks, secret, extra call or merges. */
    public static SignedVoucher of(Address channel, long lane, long nonce, TokenAmount amount) {
        return new SignedVoucher(channel, 0, 0, null, null, lane, nonce, amount, 0, List.of(), null);
    }

    @Override
    public byte[] secretHash() {
        return secretHash.clone();
    }

    /** This voucher carrying {@code sig}. */
    public SignedVoucher withSignature(Signature sig) {
        return new SignedVoucher(channel, timeLockMin, timeLockMax, secretHash, extra, lane, nonce, amount, minSettleHeight, merges, sig);
    }

    /** This voucher signed by {@code signer}'s key in {@code wallet}. */
    public SignedVoucher sign(Wallet wallet, Address signer) {
        return withSignature(wallet.sign(signer, signingBytes()));
    }

    /** The signed message: the tuple with Signature null. */
    public byte[] signingBytes() {
        return encode(false);
    }

    /** The CBOR tuple (the wire form). */
    public byte[] toCbor() {
        return encode(true);
    }

    /** The Lotus CLI form: unpadded base64url of the CBOR tuple. */
    public String toBase64Url() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(toCbor());
    }

    /**
     * Verifies the signature against {@code signer} (a key address).
     *
     * @throws PaychException UNSIGNED without a signature, else as {@link SignatureVerifier#verify}
     */
    public void verify(Address signer, SignatureVerifier verifier) {
        if (signature == null) {
            throw new PaychException(PaychException.Reason.UNSIGNED, "voucher is not signed");
        }
        verifier.verify(signer, signingBytes(), signature);
    }

    /** The f1 address that signed this voucher (secp256k1 signatures only). */
    public Address recoverSigner() {
        if (signature == null) {
            throw new PaychException(PaychException.Reason.UNSIGNED, "voucher is not signed");
        }
        return SignatureVerifier.recoverSigner(signingBytes(), signature);
    }

    /** Decodes the CBOR tuple; the bytes must be exactly one 11-element tuple. */
    public static SignedVoucher fromCbor(byte[] cbor) {
        try {
            CborReader r = new CborReader(cbor);
            int n = r.readArrayHeader();
            if (n != FIELDS) {
                throw bad("voucher must be a tuple of " + FIELDS + " elements, got " + n);
            }
            Address channel = Address.fromBytes(r.readBytes());
            long tmin = r.readInt();
            long tmax = r.readInt();
            byte[] secret = r.readBytes();
            ModVerifyParams extra = null;
            if (r.isNull()) {
                r.readNull();
            } else {
                if (r.readArrayHeader() != 3) {
                    throw bad("voucher Extra must be a tuple of 3 elements");
                }
                extra = new ModVerifyParams(Address.fromBytes(r.readBytes()), uint63(r.readUint(), "Extra.Method"), r.readBytes());
            }
            long lane = uint63(r.readUint(), "Lane");
            long nonce = uint63(r.readUint(), "Nonce");
            TokenAmount amount = new TokenAmount(r.readFilBigInt());
            long msh = r.readInt();
            int nm = r.readArrayHeader();
            Merge[] merges = new Merge[nm];
            for (int i = 0; i < nm; i++) {
                if (r.readArrayHeader() != 2) {
                    throw bad("voucher merge must be a tuple of 2 elements");
                }
                merges[i] = new Merge(uint63(r.readUint(), "Merge.Lane"), uint63(r.readUint(), "Merge.Nonce"));
            }
            Signature sig = null;
            if (r.isNull()) {
                r.readNull();
            } else {
                sig = Signature.fromBytes(r.readBytes());
            }
            r.expectEnd();
            return new SignedVoucher(channel, tmin, tmax, secret, extra, lane, nonce, amount, msh, List.of(merges), sig);
        } catch (IpldException e) {
            throw bad("voucher is not valid CBOR: " + e.getMessage());
        } catch (PaychException e) {
            if (e.reason() == PaychException.Reason.BAD_VOUCHER) {
                throw e;
            }
            throw bad("bad voucher: " + e.getMessage());
        }
    }

    /**
     * Decodes a voucher given as text: standard base64 (padded or not) or unpadded base64url, the
     * form the Lotus CLI prints.
     */
    public static SignedVoucher fromBase64(String text) {
        String s = text.strip();
        byte[] cbor;
        try {
            cbor = s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(s) : Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw bad("voucher is neither base64 nor base64url: " + e.getMessage());
        }
        return fromCbor(cbor);
    }

    /**
     * The Lotus JSON form (field names of go-state-types, addresses with the {@code f} prefix,
     * Amount as a decimal string, bytes as base64, Signature as {@code {"Type","Data"}}).
     */
    public ObjectNode toLotusJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("ChannelAddr", channel.toString());
        o.put("TimeLockMin", timeLockMin);
        o.put("TimeLockMax", timeLockMax);
        o.put("SecretHash", Base64.getEncoder().encodeToString(secretHash));
        if (extra == null) {
            o.putNull("Extra");
        } else {
            ObjectNode e = o.putObject("Extra");
            e.put("Actor", extra.actor().toString());
            e.put("Method", extra.method());
            e.put("Data", Base64.getEncoder().encodeToString(extra.data()));
        }
        o.put("Lane", lane);
        o.put("Nonce", nonce);
        o.put("Amount", amount.toAttoString());
        o.put("MinSettleHeight", minSettleHeight);
        ArrayNode m = o.putArray("Merges");
        for (Merge merge : merges) {
            m.addObject().put("Lane", merge.lane()).put("Nonce", merge.nonce());
        }
        if (signature == null) {
            o.putNull("Signature");
        } else {
            o.putObject("Signature").put("Type", signature.type().code())
                    .put("Data", Base64.getEncoder().encodeToString(signature.data()));
        }
        return o;
    }

    private byte[] encode(boolean withSignature) {
        CborWriter w = new CborWriter(128);
        w.writeArrayHeader(FIELDS);
        w.writeBytes(channel.bytes());
        w.writeInt(timeLockMin);
        w.writeInt(timeLockMax);
        w.writeBytes(secretHash);
        if (extra == null) {
            w.writeNull();
        } else {
            w.writeArrayHeader(3).writeBytes(extra.actor().bytes()).writeUint(extra.method()).writeBytes(extra.data);
        }
        w.writeUint(lane);
        w.writeUint(nonce);
        w.writeFilBigInt(amount.atto());
        w.writeInt(minSettleHeight);
        w.writeArrayHeader(merges.size());
        for (Merge m : merges) {
            w.writeArrayHeader(2).writeUint(m.lane()).writeUint(m.nonce());
        }
        if (withSignature && signature != null) {
            w.writeBytes(signature.bytes());
        } else {
            w.writeNull();
        }
        return w.toByteArray();
    }

    private static long uint63(long v, String field) {
        if (v < 0) {
            throw bad("voucher " + field + " exceeds 2^63-1");
        }
        return v;
    }

    private static PaychException bad(String message) {
        return new PaychException(PaychException.Reason.BAD_VOUCHER, message);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedVoucher v && Arrays.equals(v.toCbor(), toCbor());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toCbor());
    }

    @Override
    public String toString() {
        return "SignedVoucher{" + channel + " lane " + lane + " nonce " + nonce + " amount " + amount.toAttoString() + " attoFIL}";
    }
}
