package venus.retrieval.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.Wallet;

/**
 * {@code vrn fetch URL --channel CH [-o FILE]}: an HTTP GET that pays a paid gateway's 402 answers
 * by itself (docs/paid-gateway.md): it reads the quote, signs a voucher on CHANNEL for what is
 * owed (cumulative per lane, remembered in the repo like {@code vrn paych voucher create}) and
 * retries with it, then with the credit token it got back.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = "GET a URL from a (paid) vrn gateway, paying 402 quotes with vouchers on --channel. Writes the body to -o FILE or stdout.")
public final class FetchCommand implements Callable<Integer> {
    private static final int MAX_ROUNDS = 4;

    @Mixin
    RepoOption repo;

    @Parameters(paramLabel = "URL", description = "The gateway URL, e.g. http://127.0.0.1:8080/ipfs/bafy…")
    String url;

    @Option(names = "--channel", paramLabel = "ADDR", description = "The payment channel to pay with (its To must be the gateway's payee).")
    String channel;

    @Option(names = "--lane", defaultValue = "0", description = "Voucher lane (default 0).")
    long lane;

    @Option(names = "--from", paramLabel = "ADDR", description = "Signing address (default: the wallet's default).")
    String from;

    @Option(names = "--max", paramLabel = "AMOUNT", description = "Refuse to pay more than this in total (FIL or \"N attoFIL\").")
    String max;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the body here (default: stdout).")
    Path output;

    @Override
    public Integer call() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        TokenAmount limit = max == null ? null : TokenAmount.parse(max);
        TokenAmount paid = TokenAmount.ZERO;
        String voucher = null;
        String token = null;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).GET();
            if (voucher != null) {
                b.header("X-Vrn-Voucher", voucher);
            }
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<InputStream> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (resp.statusCode() == 402) {
                JsonNode quote;
                try (InputStream in = resp.body()) {
                    quote = Json.MAPPER.readTree(in);
                }
                // INSUFFICIENT_CREDIT after a voucher: it was credited (e.g. a deposit for a response too
                // large to price without credit) and the quote now names the exact rest: pay that too.
                if (quote.has("error") && voucher != null
                        && !"INSUFFICIENT_CREDIT".equals(quote.get("error").path("reason").asText())) {
                    throw new CliException("payment refused: " + quote.get("error").path("reason").asText() + ": "
                            + quote.get("error").path("message").asText());
                }
                if (quote.path("creditToken").isTextual()) {
                    token = quote.get("creditToken").asText();
                }
                if (channel == null) {
                    throw new CliException("the gateway asks " + TokenAmount.ofAtto(quote.path("amount").asText("0"))
                            + " for this; pass --channel to pay");
                }
                TokenAmount owed = TokenAmount.ofAtto(quote.path("amount").asText("0"));
                if (limit != null && paid.add(owed).greaterThan(limit)) {
                    throw new CliException("the gateway asks " + owed + ", which would exceed --max " + limit);
                }
                voucher = payVoucher(owed);
                paid = paid.add(owed);
                continue;
            }
            if (resp.statusCode() / 100 != 2) {
                String text;
                try (InputStream in = resp.body()) {
                    text = new String(in.readNBytes(300), java.nio.charset.StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
                }
                throw new CliException("HTTP " + resp.statusCode() + " from " + url + (text.isEmpty() ? "" : ": " + text));
            }
            try (InputStream in = resp.body()) {
                write(in);
            }
            if (!paid.isZero()) {
                Vrn.err().println("vrn: paid " + paid + " (" + paid.toAttoString() + " attoFIL)");
            }
            return 0;
        }
        throw new CliException("the gateway still asks for payment after " + MAX_ROUNDS + " attempts");
    }

    /** Signs the next voucher on the lane, adding {@code owed} to its cumulative amount; remembers it first. */
    private String payVoucher(TokenAmount owed) {
        Repo r = Repo.open(repo.path());
        Wallet wallet = Wallet.open(r.dir());
        Address signer = from == null ? wallet.defaultAddress() : Address.parse(from);
        Address ch = Address.parse(channel);
        try (VoucherStore store = VoucherStore.open(r.dir())) {
            SignedVoucher last = store.created(ch).get(lane);
            long nonce = last == null ? 1 : last.nonce() + 1;
            TokenAmount total = last == null ? owed : last.amount().add(owed);
            SignedVoucher sv = SignedVoucher.of(ch, lane, nonce, total).sign(wallet, signer);
            // recorded before it is sent: a voucher that left this process counts as spent
            store.putCreated(sv);
            return sv.toBase64Url();
        }
    }

    private void write(InputStream in) throws IOException {
        if (output == null) {
            OutputStream out = Vrn.out();
            in.transferTo(out);
            out.flush();
            return;
        }
        Path tmp = output.resolveSibling(output.getFileName() + ".part");
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING);
    }
}
