package venus.retrieval.paych;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.Multibase;
import venus.retrieval.ipld.testing.Interop;

/**
 * Vouchers signed by our code verify with @zondax/filecoin-signing-tools, tampered ones and wrong
 * signers do not; addresses we print parse with @glif/filecoin-address to the same bytes.
 */
class VoucherInteropIT {
    @TempDir
    Path dir;

    @Test
    void ourVouchersAndAddressesInteroperate() throws Exception {
        Random random = new Random(7);
        List<String> lines = new ArrayList<>();
        List<Boolean> expectOk = new ArrayList<>();
        Address[] channels = {Address.parse("f2edcoyjd4utkafphh3ov6ongftldzsqpninngbla"), Address.id(1010), Address.actor(new byte[] {1, 2, 3})};
        for (int i = 0; i < 12; i++) {
            byte[] key = Secp256k1.generatePrivateKey();
            Address signer = Secp256k1.address(key);
            java.math.BigInteger amount = new java.math.BigInteger(1 + random.nextInt(120), random);
            SignedVoucher sv = SignedVoucher.of(channels[i % channels.length], random.nextInt(1000), 1 + random.nextInt(1_000_000),
                    new TokenAmount(amount));
            sv = sv.withSignature(new Signature(Signature.Type.SECP256K1, Secp256k1.sign(key, sv.signingBytes())));
            String b64 = Base64.getEncoder().encodeToString(sv.toCbor());
            lines.add("voucher " + b64 + " " + signer);
            expectOk.add(true);
            lines.add("voucher " + b64 + " " + signer.format(Address.Network.TESTNET));
            expectOk.add(true);
            // another key's address must not verify
            lines.add("voucher " + b64 + " " + Secp256k1.address(Secp256k1.generatePrivateKey()));
            expectOk.add(false);
            // the same signature over a tampered amount must not verify
            SignedVoucher tampered = SignedVoucher.of(sv.channel(), sv.lane(), sv.nonce(), sv.amount().add(TokenAmount.ofAtto(1)))
                    .withSignature(sv.signature());
            lines.add("voucher " + Base64.getEncoder().encodeToString(tampered.toCbor()) + " " + signer);
            expectOk.add(false);
            lines.add("address " + signer + " " + Multibase.hex(signer.bytes()));
            expectOk.add(true);
        }
        List<Address> addresses = List.of(Address.id(0), Address.id(Long.MAX_VALUE), Address.actor(new byte[] {9}),
                Address.bls(new byte[48]), Address.delegated(10, Multibase.unhex("000cd0f0a72e9912e58c9cf6eec60e3b2363b1b3")),
                Address.delegated(32, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
        for (Address a : addresses) {
            for (Address.Network n : Address.Network.values()) {
                lines.add("address " + a.format(n) + " " + Multibase.hex(a.bytes()));
                expectOk.add(true);
            }
        }
        Path file = dir.resolve("vouchers.txt");
        Files.write(file, lines, StandardCharsets.UTF_8);
        Interop.Result r = Interop.run(Duration.ofSeconds(90), "voucher-check.mjs", file.toString()).assertOk();
        List<String> out = r.stdout().lines().toList();
        assertThat(out).hasSameSizeAs(lines);
        for (int i = 0; i < lines.size(); i++) {
            if (expectOk.get(i)) {
                assertThat(out.get(i)).as(lines.get(i)).isEqualTo("ok");
            } else {
                assertThat(out.get(i)).as(lines.get(i)).startsWith("fail");
            }
        }
    }
}
