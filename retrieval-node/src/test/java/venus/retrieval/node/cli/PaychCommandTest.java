package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.testing.Vectors;

class PaychCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CH = "f2edcoyjd4utkafphh3ov6ongftldzsqpninngbla";

    @TempDir
    Path dir;

    @Test
    void walletNewListAndVoucherCreateCheckList() throws Exception {
        String repo = dir.resolve("repo").toString();
        assertThat(CliRun.of("init", "--repo", repo).exit()).isZero();
        CliRun list = CliRun.of("wallet", "list", "--repo", repo, "--json");
        assertThat(list.exit()).isZero();
        JsonNode keys = JSON.readTree(list.out());
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0).get("default").asBoolean()).isTrue();
        String payer = keys.get(0).get("address").asText();
        CliRun created = CliRun.of("wallet", "new", "--repo", repo);
        assertThat(created.exit()).isZero();
        String second = created.out().strip();
        assertThat(second).startsWith("f1").isNotEqualTo(payer);
        assertThat(CliRun.of("wallet", "list", "--repo", repo).out()).contains(payer + "  (default)", second);

        CliRun v1 = CliRun.of("paych", "voucher", "create", CH, "0.5", "--repo", repo);
        assertThat(v1.exit()).as(v1.err()).isZero();
        String voucher1 = v1.out().strip();
        CliRun v2 = CliRun.of("paych", "voucher", "create", CH, "700000000000000000 attoFIL", "--repo", repo, "--json");
        assertThat(v2.exit()).as(v2.err()).isZero();
        JsonNode j2 = JSON.readTree(v2.out());
        assertThat(j2.get("Nonce").asLong()).isEqualTo(2);
        assertThat(j2.get("Amount").asText()).isEqualTo("700000000000000000");
        CliRun lower = CliRun.of("paych", "voucher", "create", CH, "0.6", "--repo", repo);
        assertThat(lower.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(lower.err()).contains("cumulative");

        CliRun check = CliRun.of("paych", "voucher", "check", voucher1, "--signer", payer, "--json");
        assertThat(check.exit()).as(check.err()).isZero();
        JsonNode cj = JSON.readTree(check.out());
        assertThat(cj.get("signer").asText()).isEqualTo(payer);
        assertThat(cj.get("ChannelAddr").asText()).isEqualTo(CH);
        assertThat(cj.get("Amount").asText()).isEqualTo("500000000000000000");
        // the t form of the signer is the same key
        assertThat(CliRun.of("paych", "voucher", "check", voucher1, "--signer", "t" + payer.substring(1)).exit()).isZero();
        CliRun wrong = CliRun.of("paych", "voucher", "check", voucher1, "--signer", second);
        assertThat(wrong.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(wrong.err().lines()).hasSize(1);
        assertThat(wrong.err()).startsWith("vrn: voucher is signed by " + payer + ", not " + second);

        CliRun listed = CliRun.of("paych", "voucher", "list", CH, "--repo", repo, "--json");
        assertThat(listed.exit()).isZero();
        JsonNode lj = JSON.readTree(listed.out());
        assertThat(lj).hasSize(1);
        assertThat(lj.get(0).get("direction").asText()).isEqualTo("created");
        assertThat(lj.get(0).get("nonce").asLong()).isEqualTo(2);
    }

    @Test
    void checkRunsOfflineOnTheManifestVouchers() throws Exception {
        for (JsonNode v : Vectors.manifest().get("vouchers")) {
            String std = v.get("signedCborBase64").asText();
            String url = Base64.getUrlEncoder().withoutPadding().encodeToString(Base64.getDecoder().decode(std));
            String signer = v.get("signer").asText();
            boolean valid = !v.has("valid") || v.get("valid").asBoolean();
            for (String form : new String[] {std, url}) {
                CliRun r = CliRun.of("paych", "voucher", "check", form, "--signer", signer, "--json");
                assertThat(r.exit()).as(v.get("name").asText() + " " + r.err()).isEqualTo(valid ? 0 : Vrn.EXIT_FAILURE);
                if (valid) {
                    JsonNode j = JSON.readTree(r.out());
                    assertThat(j.get("signer").asText()).isEqualTo(signer);
                    assertThat(j.get("Signature")).isEqualTo(v.get("decoded").get("Signature"));
                } else {
                    assertThat(r.err().lines()).hasSize(1);
                }
            }
        }
    }

    @Test
    void badInputIsOneLine() {
        CliRun r = CliRun.of("paych", "voucher", "check", "not*base64");
        assertThat(r.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("base64");
        CliRun noRepo = CliRun.of("paych", "voucher", "create", CH, "1", "--repo", dir.resolve("none").toString());
        assertThat(noRepo.exit()).isEqualTo(Vrn.EXIT_FAILURE);
        assertThat(noRepo.err()).contains("vrn init");
        CliRun badSigner = CliRun.of("paych", "voucher", "check", "gA", "--signer", "f0123");
        assertThat(badSigner.exit()).isEqualTo(Vrn.EXIT_FAILURE);
    }
}
