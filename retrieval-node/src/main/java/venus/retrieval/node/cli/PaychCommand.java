package venus.retrieval.node.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import venus.retrieval.node.repo.Repo;
import venus.retrieval.paych.Address;
import venus.retrieval.paych.PaychException;
import venus.retrieval.paych.SignedVoucher;
import venus.retrieval.paych.TokenAmount;
import venus.retrieval.paych.VoucherStore;
import venus.retrieval.paych.Wallet;

/** {@code vrn paych ...}: payment channels and vouchers. */
@Command(name = "paych", mixinStandardHelpOptions = true, description = "Payment channels and vouchers.",
        subcommands = {PaychCommand.Voucher.class, PaychCommand.DevCreate.class, PaychCommand.DevStatus.class})
public final class PaychCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(Vrn.out());
    }

    /** {@code vrn paych dev-create AMOUNT --to ADDR --chain API}: a channel on a devnet node's dev ledger. */
    @Command(name = "dev-create", mixinStandardHelpOptions = true,
            description = "Create a payment channel on a devnet node's embedded ledger (its API/rpc/v1), funded with AMOUNT "
                    + "from the faucet, from this repo's wallet to --to. Prints the channel's f2 address.")
    static final class DevCreate implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Parameters(paramLabel = "AMOUNT", description = "Channel funds: FIL or \"N attoFIL\".")
        String amount;

        @Option(names = "--to", required = true, paramLabel = "ADDR", description = "The payee (the node's payment address).")
        String to;

        @Option(names = "--chain", required = true, paramLabel = "API",
                description = "The devnet node's API: TOKEN:http://HOST:PORT (its write token) or TOKEN:/ip4/HOST/tcp/PORT/http.")
        String chain;

        @Option(names = "--from", paramLabel = "ADDR", description = "Payer (default: the wallet's default address).")
        String from;

        @Option(names = "--json", description = "Print {\"channel\",\"channelId\"}.")
        boolean json;

        @Override
        public Integer call() {
            Repo r = Repo.open(repo.path());
            Address payer = from == null ? Wallet.open(r.dir()).defaultAddress() : Address.parse(from);
            venus.retrieval.paych.chain.LotusChainApi api = venus.retrieval.paych.chain.LotusChainApi.fromApiInfo(chain, java.time.Duration.ofSeconds(30));
            com.fasterxml.jackson.databind.JsonNode res = api.call("VrnDevCreateChannel", payer.toString(), Address.parse(to).toString(),
                    TokenAmount.parse(amount).toAttoString());
            if (json) {
                Vrn.out().println("{\"channel\":" + Json.quote(res.path("Channel").asText()) + ",\"channelId\":" + Json.quote(res.path("ChannelID").asText()) + "}");
            } else {
                Vrn.out().println(res.path("Channel").asText());
            }
            return 0;
        }
    }

    /** {@code vrn paych dev-status CHANNEL --chain API}: a channel's on-chain state. */
    @Command(name = "dev-status", mixinStandardHelpOptions = true,
            description = "Show a payment channel's chain state (balance, parties, redeemed, settling, lanes) through a Lotus-compatible API.")
    static final class DevStatus implements Callable<Integer> {
        @Parameters(paramLabel = "CHANNEL", description = "Payment channel address.")
        String channel;

        @Option(names = "--chain", required = true, paramLabel = "API", description = "TOKEN:http://HOST:PORT or TOKEN:/ip4/HOST/tcp/PORT/http.")
        String chain;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Override
        public Integer call() {
            venus.retrieval.paych.chain.LotusChainApi api = venus.retrieval.paych.chain.LotusChainApi.fromApiInfo(chain, java.time.Duration.ofSeconds(30));
            Address ch = Address.parse(channel);
            venus.retrieval.paych.chain.PaychState s = api.stateReadState(ch);
            long head = api.chainHead();
            SortedMap<Long, venus.retrieval.paych.chain.PaychState.LaneState> lanes = api.laneStates(s);
            if (json) {
                ObjectNode o = Json.MAPPER.createObjectNode();
                o.put("channel", ch.toString()).put("head", head).put("balance", s.balance().toAttoString())
                        .put("from", s.from().toString()).put("to", s.to().toString()).put("toSend", s.toSend().toAttoString())
                        .put("settlingAt", s.settlingAt()).put("minSettleHeight", s.minSettleHeight());
                ArrayNode l = o.putArray("lanes");
                lanes.forEach((lane, st) -> l.addObject().put("lane", lane).put("redeemed", st.redeemed().toAttoString()).put("nonce", st.nonce()));
                Vrn.out().println(o);
            } else {
                Vrn.out().println("channel:     " + ch + " (head " + head + ")");
                Vrn.out().println("balance:     " + s.balance());
                Vrn.out().println("from -> to:  " + s.from() + " -> " + s.to());
                Vrn.out().println("redeemed:    " + s.toSend());
                Vrn.out().println("settling at: " + (s.settling() ? Long.toString(s.settlingAt()) : "not settling"));
                lanes.forEach((lane, st) -> Vrn.out().println("lane " + lane + ":      " + st.redeemed() + " (nonce " + st.nonce() + ")"));
            }
            return 0;
        }
    }

    /** {@code vrn paych voucher ...}. */
    @Command(name = "voucher", mixinStandardHelpOptions = true, description = "Create, check and list vouchers.",
            subcommands = {Create.class, Check.class, ListVouchers.class})
    static final class Voucher implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(Vrn.out());
        }
    }

    /** {@code vrn paych voucher create CHANNEL AMOUNT [--lane N] [--from ADDR]}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Sign a voucher on CHANNEL for the lane's new cumulative AMOUNT (like lotus: the total the lane pays, "
                    + "not an increment); prints it as unpadded base64url. Offline: the channel's funds are not checked.")
    static final class Create implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Parameters(index = "0", paramLabel = "CHANNEL", description = "Payment channel address (f2… or f0…).")
        String channel;

        @Parameters(index = "1", paramLabel = "AMOUNT", description = "Cumulative lane amount: FIL (\"0.5\", \"0.5 FIL\") or \"N attoFIL\".")
        String amount;

        @Option(names = "--lane", defaultValue = "0", description = "Lane (default 0).")
        long lane;

        @Option(names = "--from", paramLabel = "ADDR", description = "Signing address (default: the wallet's default).")
        String from;

        @Option(names = "--json", description = "Print the voucher's Lotus JSON form plus \"voucher\" (base64url).")
        boolean json;

        @Override
        public Integer call() {
            Repo r = Repo.open(repo.path());
            Address ch = Address.parse(channel);
            TokenAmount amt = TokenAmount.parse(amount);
            if (lane < 0) {
                throw new CliException("--lane must be between 0 and 2^63-1");
            }
            Wallet wallet = Wallet.open(r.dir());
            Address signer = from == null ? wallet.defaultAddress() : Address.parse(from);
            try (VoucherStore store = VoucherStore.open(r.dir())) {
                SignedVoucher last = store.created(ch).get(lane);
                long nonce = 1;
                if (last != null) {
                    if (!amt.greaterThan(last.amount())) {
                        throw new CliException("lane " + lane + " already has a voucher for " + last.amount()
                                + "; the amount is cumulative and must exceed it");
                    }
                    nonce = last.nonce() + 1;
                }
                if (amt.signum() <= 0) {
                    throw new CliException("amount must be positive");
                }
                SignedVoucher sv = SignedVoucher.of(ch, lane, nonce, amt).sign(wallet, signer);
                store.putCreated(sv);
                if (json) {
                    ObjectNode o = sv.toLotusJson();
                    o.put("voucher", sv.toBase64Url());
                    Vrn.out().println(o);
                } else {
                    Vrn.out().println(sv.toBase64Url());
                }
            }
            return 0;
        }
    }

    /** {@code vrn paych voucher check VOUCHER [--signer ADDR] [--json]}: offline signature check. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Verify a voucher's signature offline (no repo, no chain, no acceptance policy). Exits non-zero when "
                    + "it does not verify or, with --signer, when another key signed it.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "VOUCHER", description = "The voucher's CBOR as standard base64 or unpadded base64url.")
        String voucher;

        @Option(names = "--signer", paramLabel = "ADDR", description = "The expected signer's key address (f1… or t1…).")
        String signer;

        @Option(names = "--json", description = "Print the Lotus JSON form with f addresses plus \"signer\".")
        boolean json;

        @Override
        public Integer call() {
            SignedVoucher sv = SignedVoucher.fromBase64(voucher);
            Address expected = signer == null ? null : Address.parse(signer);
            if (expected != null && expected.protocol() == Address.Protocol.ID) {
                throw new CliException("--signer must be a key address (f1…); an ID address needs a chain node to resolve");
            }
            Address recovered;
            try {
                recovered = sv.recoverSigner();
            } catch (PaychException e) {
                throw new CliException("voucher signature does not verify: " + e.getMessage());
            }
            if (expected != null && !expected.equals(recovered)) {
                throw new CliException("voucher is signed by " + recovered + ", not " + expected);
            }
            if (json) {
                ObjectNode o = sv.toLotusJson();
                o.put("signer", recovered.toString());
                Vrn.out().println(o);
            } else {
                Vrn.out().println("valid voucher signed by " + recovered + ": channel " + sv.channel() + " lane " + sv.lane()
                        + " nonce " + sv.nonce() + " amount " + sv.amount());
            }
            return 0;
        }
    }

    /** {@code vrn paych voucher list CHANNEL}: stored vouchers (best received per lane, last created per lane). */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the vouchers stored for CHANNEL: the best received per lane and the last created per lane.")
    static final class ListVouchers implements Callable<Integer> {
        @Mixin
        RepoOption repo;

        @Parameters(paramLabel = "CHANNEL", description = "Payment channel address.")
        String channel;

        @Option(names = "--json", description = "Print a JSON array.")
        boolean json;

        @Override
        public Integer call() {
            Repo r = Repo.open(repo.path());
            Address ch = Address.parse(channel);
            try (VoucherStore store = VoucherStore.open(r.dir())) {
                ArrayNode arr = Json.MAPPER.createArrayNode();
                print(arr, "received", store.bestReceived(ch));
                print(arr, "created", store.created(ch));
                if (json) {
                    Vrn.out().println(arr);
                }
            }
            return 0;
        }

        private void print(ArrayNode arr, String direction, SortedMap<Long, SignedVoucher> vouchers) {
            for (Map.Entry<Long, SignedVoucher> e : vouchers.entrySet()) {
                SignedVoucher sv = e.getValue();
                if (json) {
                    arr.addObject().put("direction", direction).put("lane", sv.lane()).put("nonce", sv.nonce())
                            .put("amount", sv.amount().toAttoString()).put("voucher", sv.toBase64Url());
                } else {
                    Vrn.out().println(direction + " lane " + sv.lane() + " nonce " + sv.nonce() + " amount " + sv.amount()
                            + " " + sv.toBase64Url());
                }
            }
        }
    }
}
