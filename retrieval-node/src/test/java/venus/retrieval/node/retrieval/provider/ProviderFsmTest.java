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
        assertThat(run(State.NEW, Event.ACCEPTED, Event.TRANSFER_DONE_PAID)).isEqualTo(State.COMPLETED);
        assertThat(run(State.NEW, Event.ACCEPTED_UNSEAL_DUE, Event.PAYMENT_PARTIAL, Event.PAYMENT_COMPLETE,
                Event.DATA_LIMIT_REACHED, Event.PAYMENT_COMPLETE, Event.TRANSFER_DONE_OWING, Event.PAYMENT_COMPLETE))
                .isEqualTo(State.COMPLETED);
        assertThat(ProviderFsm.next(State.NEW, Event.ACCEPTED).action()).isEqualTo(Action.ACCEPT);
        assertThat(ProviderFsm.next(State.ONGOING, Event.DATA_LIMIT_REACHED).action()).isEqualTo(Action.PAUSE_ASK_PAYMENT);
        assertThat(ProviderFsm.next(State.FUNDS_NEEDED, Event.PAYMENT_COMPLETE).action()).isEqualTo(Action.RESUME);
        assertThat(ProviderFsm.next(State.FUNDS_NEEDED_LAST_PAYMENT, Event.PAYMENT_COMPLETE).action()).isEqualTo(Action.SEND_COMPLETED);
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
            assertThat(ProviderFsm.next(s, Event.PROVIDER_RESTARTED).next()).isEqualTo(State.ERRORED);
        }
    }

    @Test
    void badVoucherFailsOnlyWhereVouchersAreExpected() {
        assertThat(ProviderFsm.next(State.FUNDS_NEEDED, Event.VOUCHER_REFUSED)).isEqualTo(new ProviderFsm.Transition(State.ERRORED, Action.FAIL));
        assertThat(ProviderFsm.next(State.NEW, Event.VOUCHER_REFUSED)).isNull();
        assertThat(ProviderFsm.next(State.NEW, Event.DATA_LIMIT_REACHED)).isNull();
    }
}
