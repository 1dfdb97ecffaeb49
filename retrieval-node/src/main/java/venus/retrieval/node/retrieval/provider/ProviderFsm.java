package venus.retrieval.node.retrieval.provider;

import java.util.EnumMap;
import java.util.Map;
import venus.retrieval.node.retrieval.datatransfer.DealStatus;

/**
 * The provider deal state machine, after go-fil-markets {@code providerstates/provider_fsm.go}
 * (filecoin-retrieval.md §3.7), as one table: (state, event) → (next state, action). The
 * provider looks every event up here, persists the new state, then performs the action; a pair
 * missing from the table is an illegal event and changes nothing.
 */
public final class ProviderFsm {
    /** Deal states; {@link #status()} is the go-fil-markets DealStatus number. */
    public enum State {
        NEW(DealStatus.NEW),
        FUNDS_NEEDED_UNSEAL(DealStatus.FUNDS_NEEDED_UNSEAL),
        ONGOING(DealStatus.ONGOING),
        FUNDS_NEEDED(DealStatus.FUNDS_NEEDED),
        FUNDS_NEEDED_LAST_PAYMENT(DealStatus.FUNDS_NEEDED_LAST_PAYMENT),
        COMPLETED(DealStatus.COMPLETED),
        REJECTED(DealStatus.REJECTED),
        CANCELLED(DealStatus.CANCELLED),
        ERRORED(DealStatus.ERRORED),
        /**
         * The transfer was cut off (connection lost, the client cancelled the graphsync request,
         * or the provider restarted) but the deal stands: funds, bytes sent and the current
         * interval are on disk, and the client may restart the channel (DT Restart) or cancel it.
         * Not terminal. Its number is Ongoing's: the deal is in progress from the client's view.
         */
        AWAITING_RESTART(DealStatus.ONGOING);

        private final int status;

        State(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }

        public boolean terminal() {
            return this == COMPLETED || this == REJECTED || this == CANCELLED || this == ERRORED;
        }
    }

    /** What happened. */
    public enum Event {
        /** Proposal valid, nothing owed up front: accept, send blocks. */
        ACCEPTED,
        /** Proposal valid, the unseal price is owed first: accept paused, ask for it (DealResponse 7). */
        ACCEPTED_UNSEAL_DUE,
        /** Proposal refused (price, selector, CID, piece): DT reject, graphsync ends 32. */
        REJECTED,
        /** Queued bytes reached the data limit with money owed: pause after this block, ask (DealResponse 10). */
        DATA_LIMIT_REACHED,
        /** A voucher was stored but something is still owed: say how much. */
        PAYMENT_PARTIAL,
        /** A voucher was stored and nothing is owed now. */
        PAYMENT_COMPLETE,
        /** A free deal's graphsync response finished (20/21): DealResponse 15 at once, as Boost. */
        TRANSFER_DONE_FREE,
        /**
         * A paid deal's graphsync response finished and everything sent is paid already: the
         * finalization round still runs (Complete paused), then DealResponse 15, as go-fil-markets.
         */
        TRANSFER_DONE_SETTLED,
        /** A paid deal's graphsync response finished and bytes are unpaid: final payment round (DealResponse 14). */
        TRANSFER_DONE_OWING,
        /** A voucher was refused (signature, channel, nonce, funds, store): fail, stop sending. */
        VOUCHER_REFUSED,
        /** The client sent DT Cancel or a graphsync cancel. */
        CLIENT_CANCELLED,
        /** The graphsync response failed or its connection was lost. */
        TRANSFER_FAILED,
        /** The node restarted while the deal was in flight: its graphsync request is gone, the deal can restart. */
        PROVIDER_RESTARTED,
        /** The graphsync request went away without an ending (connection lost, requester cancelled): the deal can restart. */
        INTERRUPTED,
        /** The client restarted the channel (DT Restart) and nothing is owed: send from where it left off. */
        RESTARTED,
        /** The client restarted the channel and the unseal price is not fully paid: start paused, ask for it. */
        RESTARTED_UNSEAL_DUE,
        /** The client restarted the channel and a passed interval is unpaid: start paused, ask for it (DealResponse 10). */
        RESTARTED_FUNDS_DUE,
        /** An interrupted deal was not restarted within the provider's restart window. */
        RESTART_EXPIRED,
        /**
         * A deal waiting for the client's payment (unseal, interval or last) got none that settles
         * it within the provider's window: fail it, so unpaid deals do not pile up in memory.
         */
        PAYMENT_EXPIRED
    }

    /** What the provider does after persisting the new state. */
    public enum Action {
        NONE,
        /** DT New response Acpt, not paused, DealResponse 6. */
        ACCEPT,
        /** DT New response Acpt, paused, DealResponse 7 with PaymentOwed = unseal price. */
        ACCEPT_PAUSED_ASK_UNSEAL,
        /** DT New response not accepted, DealResponse 9/16/17; graphsync 32. */
        REJECT,
        /** Pause after the block (DT Update Paus on it) and send VoucherResult DealResponse 10 on the DT stream. */
        PAUSE_ASK_PAYMENT,
        /** VoucherResult with the current state's status and what is still owed. */
        ASK_REMAINING,
        /** Unpause graphsync carrying VoucherResult (Paus false). */
        RESUME,
        /** DT Complete Paus=true (no VRes), then DT Complete Paus=true with DealResponse 14 and what is owed (§3.8 A.10). */
        ASK_LAST_PAYMENT,
        /** DT Complete Paus=true (no VRes), then DT Complete (Paus false) with DealResponse 15. */
        FINALIZE_COMPLETED,
        /** DT Complete (Paus false) with DealResponse 15. */
        SEND_COMPLETED,
        /** DealResponse 17 Acpt=false on the DT stream; cancel the graphsync response (35). */
        FAIL,
        /** Cancel the graphsync response quietly. */
        STOP,
        /** DT Restart response Acpt, not paused, no VRes (go-data-transfer's accepted restart); blocks flow. */
        ACCEPT_RESTART,
        /** DT Restart response Acpt, paused, VRes DealResponse (7 or 10) with what is owed; graphsync starts paused. */
        ACCEPT_RESTART_PAUSED_ASK
    }

    /** A row's right side. */
    public record Transition(State next, Action action) {}

    private static final Map<State, Map<Event, Transition>> TABLE = new EnumMap<>(State.class);

    static {
        State[] live = {State.NEW, State.FUNDS_NEEDED_UNSEAL, State.ONGOING, State.FUNDS_NEEDED, State.FUNDS_NEEDED_LAST_PAYMENT};
        row(State.NEW, Event.ACCEPTED, State.ONGOING, Action.ACCEPT);
        row(State.NEW, Event.ACCEPTED_UNSEAL_DUE, State.FUNDS_NEEDED_UNSEAL, Action.ACCEPT_PAUSED_ASK_UNSEAL);
        row(State.NEW, Event.REJECTED, State.REJECTED, Action.REJECT);
        row(State.ONGOING, Event.DATA_LIMIT_REACHED, State.FUNDS_NEEDED, Action.PAUSE_ASK_PAYMENT);
        row(State.ONGOING, Event.TRANSFER_DONE_FREE, State.COMPLETED, Action.SEND_COMPLETED);
        row(State.ONGOING, Event.TRANSFER_DONE_SETTLED, State.COMPLETED, Action.FINALIZE_COMPLETED);
        row(State.ONGOING, Event.TRANSFER_DONE_OWING, State.FUNDS_NEEDED_LAST_PAYMENT, Action.ASK_LAST_PAYMENT);
        row(State.ONGOING, Event.PAYMENT_COMPLETE, State.ONGOING, Action.NONE); // early payment: credit only
        row(State.ONGOING, Event.PAYMENT_PARTIAL, State.ONGOING, Action.NONE);
        for (State s : new State[] {State.FUNDS_NEEDED_UNSEAL, State.FUNDS_NEEDED, State.FUNDS_NEEDED_LAST_PAYMENT}) {
            row(s, Event.PAYMENT_PARTIAL, s, Action.ASK_REMAINING);
        }
        row(State.FUNDS_NEEDED_UNSEAL, Event.PAYMENT_COMPLETE, State.ONGOING, Action.RESUME);
        row(State.FUNDS_NEEDED, Event.PAYMENT_COMPLETE, State.ONGOING, Action.RESUME);
        row(State.FUNDS_NEEDED_LAST_PAYMENT, Event.PAYMENT_COMPLETE, State.COMPLETED, Action.SEND_COMPLETED);
        // the client neither paid nor cancelled within the window: DealResponse 17, graphsync cancelled
        for (State s : new State[] {State.FUNDS_NEEDED_UNSEAL, State.FUNDS_NEEDED, State.FUNDS_NEEDED_LAST_PAYMENT}) {
            row(s, Event.PAYMENT_EXPIRED, State.ERRORED, Action.FAIL);
        }
        for (State s : live) {
            if (s != State.NEW) {
                row(s, Event.VOUCHER_REFUSED, State.ERRORED, Action.FAIL);
                row(s, Event.INTERRUPTED, State.AWAITING_RESTART, Action.NONE);
            }
            row(s, Event.CLIENT_CANCELLED, State.CANCELLED, Action.STOP);
            row(s, Event.TRANSFER_FAILED, State.ERRORED, Action.STOP);
            // a deal never accepted has nothing to resume
            row(s, Event.PROVIDER_RESTARTED, s == State.NEW ? State.ERRORED : State.AWAITING_RESTART, Action.NONE);
        }
        // interrupted: payments are still credited; the client restarts or cancels
        row(State.AWAITING_RESTART, Event.PAYMENT_PARTIAL, State.AWAITING_RESTART, Action.NONE);
        row(State.AWAITING_RESTART, Event.PAYMENT_COMPLETE, State.AWAITING_RESTART, Action.NONE);
        row(State.AWAITING_RESTART, Event.VOUCHER_REFUSED, State.ERRORED, Action.FAIL);
        row(State.AWAITING_RESTART, Event.CLIENT_CANCELLED, State.CANCELLED, Action.NONE);
        row(State.AWAITING_RESTART, Event.TRANSFER_FAILED, State.ERRORED, Action.NONE);
        row(State.AWAITING_RESTART, Event.INTERRUPTED, State.AWAITING_RESTART, Action.NONE);
        row(State.AWAITING_RESTART, Event.PROVIDER_RESTARTED, State.AWAITING_RESTART, Action.NONE);
        row(State.AWAITING_RESTART, Event.RESTART_EXPIRED, State.ERRORED, Action.NONE);
        // a restart resumes any accepted, unfinished deal (also one whose old request the provider
        // still thinks alive: that request is cancelled); where it goes depends on what is owed
        for (State s : new State[] {State.AWAITING_RESTART, State.ONGOING, State.FUNDS_NEEDED_UNSEAL, State.FUNDS_NEEDED,
                State.FUNDS_NEEDED_LAST_PAYMENT}) {
            row(s, Event.RESTARTED, State.ONGOING, Action.ACCEPT_RESTART);
            row(s, Event.RESTARTED_UNSEAL_DUE, State.FUNDS_NEEDED_UNSEAL, Action.ACCEPT_RESTART_PAUSED_ASK);
            row(s, Event.RESTARTED_FUNDS_DUE, State.FUNDS_NEEDED, Action.ACCEPT_RESTART_PAUSED_ASK);
        }
        // lassie cancels after success; late cancels and failures of finished deals change nothing
        for (State s : new State[] {State.COMPLETED, State.REJECTED, State.CANCELLED, State.ERRORED}) {
            row(s, Event.CLIENT_CANCELLED, s, Action.NONE);
            row(s, Event.TRANSFER_FAILED, s, Action.NONE);
            row(s, Event.INTERRUPTED, s, Action.NONE);
        }
    }

    private static void row(State from, Event e, State to, Action a) {
        Transition prev = TABLE.computeIfAbsent(from, k -> new EnumMap<>(Event.class)).put(e, new Transition(to, a));
        if (prev != null) {
            throw new IllegalStateException("FSM row declared twice: " + from + " + " + e);
        }
    }

    private ProviderFsm() {}

    /** Whether a deal in {@code s} waits for the client's payment (and is failed if none comes in time). */
    public static boolean awaitingPayment(State s) {
        return s == State.FUNDS_NEEDED_UNSEAL || s == State.FUNDS_NEEDED || s == State.FUNDS_NEEDED_LAST_PAYMENT;
    }

    /** The transition for {@code event} in {@code state}, or null when the event is illegal there. */
    public static Transition next(State state, Event event) {
        Map<Event, Transition> m = TABLE.get(state);
        return m == null ? null : m.get(event);
    }

    /** The whole table (for docs and tests). */
    public static Map<State, Map<Event, Transition>> table() {
        return TABLE;
    }
}
