package venus.retrieval.node.retrieval.provider;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import venus.retrieval.node.retrieval.provider.ProviderFsm.Action;
import venus.retrieval.node.retrieval.provider.ProviderFsm.Event;
import venus.retrieval.node.retrieval.provider.ProviderFsm.State;

/** The transition table, fed events without a network. */
class ProviderFsmTest {
    static State run(State s, Event... events) {
        for (Event e : events) {
            ProviderFsm.Transition t = ProviderFsm.next(s, e);
            assertThat(t).as(s + " + " + e).isNotNull();
            s = t.next();
        }
        return s;
    }

    @Test
    void freeAndPaidHappyPaths() {
        assertThat(run(State.NEW, Event.ACCEPTED, Event.TRANSFER_DONE_FREE)).isEqualTo(State.COMPLETED);
        assertThat(run(State.NEW, Event.ACCEPTED_UNSEAL_DUE, Event.PAYMENT_PARTIAL, Event.PAYMENT_COMPLETE,
                Event.DATA_LIMIT_REACHED, Event.PAYMENT_COMPLETE, Event.TRANSFER_DONE_OWING, Event.PAYMENT_COMPLETE))
                .isEqualTo(State.COMPLETED);
        assertThat(ProviderFsm.next(State.NEW, Event.ACCEPTED).action()).isEqualTo(Action.ACCEPT);
        assertThat(ProviderFsm.next(State.ONGOING, Event.DATA_LIMIT_REACHED).action()).isEqualTo(Action.PAUSE_ASK_PAYMENT);
        assertThat(ProviderFsm.next(State.FUNDS_NEEDED, Event.PAYMENT_COMPLETE).action()).isEqualTo(Action.RESUME);
        assertThat(ProviderFsm.next(State.FUNDS_NEEDED_LAST_PAYMENT, Event.PAYMENT_COMPLETE).action()).isEqualTo(Action.SEND_COMPLETED);
    }

    @Test
    void endOfTransferFreeSettledOrOwing() {
        // free (Boost): one Complete + 15; paid: the finalization round (§3.8 A.10) before 14 or 15
        assertThat(ProviderFsm.next(State.ONGOING, Event.TRANSFER_DONE_FREE))
                .isEqualTo(new ProviderFsm.Transition(State.COMPLETED, Action.SEND_COMPLETED));
        assertThat(ProviderFsm.next(State.ONGOING, Event.TRANSFER_DONE_SETTLED))
                .isEqualTo(new ProviderFsm.Transition(State.COMPLETED, Action.FINALIZE_COMPLETED));
        assertThat(ProviderFsm.next(State.ONGOING, Event.TRANSFER_DONE_OWING))
                .isEqualTo(new ProviderFsm.Transition(State.FUNDS_NEEDED_LAST_PAYMENT, Action.ASK_LAST_PAYMENT));
        // the final voucher: partial asks again (Complete + 14), complete finishes
        assertThat(ProviderFsm.next(State.FUNDS_NEEDED_LAST_PAYMENT, Event.PAYMENT_PARTIAL))
                .isEqualTo(new ProviderFsm.Transition(State.FUNDS_NEEDED_LAST_PAYMENT, Action.ASK_REMAINING));
        assertThat(ProviderFsm.next(State.FUNDS_NEEDED_LAST_PAYMENT, Event.PAYMENT_COMPLETE))
                .isEqualTo(new ProviderFsm.Transition(State.COMPLETED, Action.SEND_COMPLETED));
        // the graphsync response ends once: a paused deal or a finished one cannot end again
        for (Event e : new Event[] {Event.TRANSFER_DONE_FREE, Event.TRANSFER_DONE_SETTLED, Event.TRANSFER_DONE_OWING}) {
            for (State s : new State[] {State.NEW, State.FUNDS_NEEDED, State.FUNDS_NEEDED_UNSEAL, State.FUNDS_NEEDED_LAST_PAYMENT,
                    State.COMPLETED}) {
                assertThat(ProviderFsm.next(s, e)).as(s + " + " + e).isNull();
            }
        }
    }

    @Test
    void everyLiveStateCanBeCancelledFailedOrRestarted() {
        for (State s : State.values()) {
            if (s.terminal()) {
                // lassie cancels after success: a no-op, never an error
                assertThat(ProviderFsm.next(s, Event.CLIENT_CANCELLED)).isEqualTo(new ProviderFsm.Transition(s, Action.NONE));
                assertThat(ProviderFsm.next(s, Event.PAYMENT_COMPLETE)).isNull();
                continue;
            }
            assertThat(ProviderFsm.next(s, Event.CLIENT_CANCELLED).next()).isEqualTo(State.CANCELLED);
            assertThat(ProviderFsm.next(s, Event.TRANSFER_FAILED).next()).isEqualTo(State.ERRORED);
            // a deal never accepted cannot resume; an accepted one waits for the client's restart
            assertThat(ProviderFsm.next(s, Event.PROVIDER_RESTARTED).next())
                    .isEqualTo(s == State.NEW ? State.ERRORED : State.AWAITING_RESTART);
        }
    }

    @Test
    void interruptedDealsWaitForARestartThenResumeWhereThePaymentsSay() {
        for (State s : new State[] {State.ONGOING, State.FUNDS_NEEDED_UNSEAL, State.FUNDS_NEEDED, State.FUNDS_NEEDED_LAST_PAYMENT}) {
            assertThat(ProviderFsm.next(s, Event.INTERRUPTED)).isEqualTo(new ProviderFsm.Transition(State.AWAITING_RESTART, Action.NONE));
        }
        assertThat(ProviderFsm.next(State.NEW, Event.INTERRUPTED)).isNull();
        assertThat(State.AWAITING_RESTART.terminal()).isFalse();
        for (State s : new State[] {State.AWAITING_RESTART, State.ONGOING, State.FUNDS_NEEDED_UNSEAL, State.FUNDS_NEEDED,
                State.FUNDS_NEEDED_LAST_PAYMENT}) {
            assertThat(ProviderFsm.next(s, Event.RESTARTED)).isEqualTo(new ProviderFsm.Transition(State.ONGOING, Action.ACCEPT_RESTART));
            assertThat(ProviderFsm.next(s, Event.RESTARTED_UNSEAL_DUE))
                    .isEqualTo(new ProviderFsm.Transition(State.FUNDS_NEEDED_UNSEAL, Action.ACCEPT_RESTART_PAUSED_ASK));
            assertThat(ProviderFsm.next(s, Event.RESTARTED_FUNDS_DUE))
                    .isEqualTo(new ProviderFsm.Transition(State.FUNDS_NEEDED, Action.ACCEPT_RESTART_PAUSED_ASK));
        }
        // finished deals never restart; a new one has nothing to restart
        for (State s : new State[] {State.NEW, State.COMPLETED, State.REJECTED, State.CANCELLED, State.ERRORED}) {
            for (Event e : new Event[] {Event.RESTARTED, Event.RESTARTED_UNSEAL_DUE, Event.RESTARTED_FUNDS_DUE}) {
                assertThat(ProviderFsm.next(s, e)).as(s + " + " + e).isNull();
            }
        }
        // while interrupted: a voucher is credited, a DT Cancel ends it, a refused voucher fails it
        assertThat(ProviderFsm.next(State.AWAITING_RESTART, Event.PAYMENT_COMPLETE).next()).isEqualTo(State.AWAITING_RESTART);
        assertThat(ProviderFsm.next(State.AWAITING_RESTART, Event.CLIENT_CANCELLED).next()).isEqualTo(State.CANCELLED);
        assertThat(ProviderFsm.next(State.AWAITING_RESTART, Event.VOUCHER_REFUSED).next()).isEqualTo(State.ERRORED);
        assertThat(ProviderFsm.next(State.AWAITING_RESTART, Event.DATA_LIMIT_REACHED)).isNull();
        // nobody came back within the provider's restart window
        assertThat(ProviderFsm.next(State.AWAITING_RESTART, Event.RESTART_EXPIRED))
                .isEqualTo(new ProviderFsm.Transition(State.ERRORED, Action.NONE));
        for (State s : State.values()) {
            if (s != State.AWAITING_RESTART) {
                assertThat(ProviderFsm.next(s, Event.RESTART_EXPIRED)).as(s.name()).isNull();
            }
        }
        // a paid deal cut off by a provider restart, then restarted, paid and finished
        assertThat(run(State.NEW, Event.ACCEPTED, Event.DATA_LIMIT_REACHED, Event.PAYMENT_COMPLETE, Event.DATA_LIMIT_REACHED,
                Event.PROVIDER_RESTARTED, Event.RESTARTED_FUNDS_DUE, Event.PAYMENT_COMPLETE, Event.TRANSFER_DONE_OWING,
                Event.PAYMENT_COMPLETE)).isEqualTo(State.COMPLETED);
    }

    @Test
    void aDealWaitingForAPaymentThatNeverComesFails() {
        for (State s : new State[] {State.FUNDS_NEEDED_UNSEAL, State.FUNDS_NEEDED, State.FUNDS_NEEDED_LAST_PAYMENT}) {
            assertThat(ProviderFsm.awaitingPayment(s)).as(s.name()).isTrue();
            // DealResponse 17 with the reason, graphsync cancelled, the deal leaves memory (terminal)
            assertThat(ProviderFsm.next(s, Event.PAYMENT_EXPIRED)).as(s.name())
                    .isEqualTo(new ProviderFsm.Transition(State.ERRORED, Action.FAIL));
        }
        // only a deal waiting for money can run out of time for it: a late timer changes nothing
        for (State s : State.values()) {
            if (!ProviderFsm.awaitingPayment(s)) {
                assertThat(ProviderFsm.next(s, Event.PAYMENT_EXPIRED)).as(s.name()).isNull();
            }
        }
        assertThat(ProviderFsm.awaitingPayment(State.AWAITING_RESTART)).isFalse(); // the restart window times that one
        assertThat(ProviderFsm.awaitingPayment(State.ONGOING)).isFalse();
        // paid once, then waiting again: it is the new wait that can expire
        assertThat(run(State.NEW, Event.ACCEPTED, Event.DATA_LIMIT_REACHED, Event.PAYMENT_COMPLETE, Event.DATA_LIMIT_REACHED,
                Event.PAYMENT_EXPIRED)).isEqualTo(State.ERRORED);
    }

    @Test
    void badVoucherFailsOnlyWhereVouchersAreExpected() {
        assertThat(ProviderFsm.next(State.FUNDS_NEEDED, Event.VOUCHER_REFUSED)).isEqualTo(new ProviderFsm.Transition(State.ERRORED, Action.FAIL));
        assertThat(ProviderFsm.next(State.NEW, Event.VOUCHER_REFUSED)).isNull();
        assertThat(ProviderFsm.next(State.NEW, Event.DATA_LIMIT_REACHED)).isNull();
    }
}
