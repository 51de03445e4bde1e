package io.stackcompanion.node.core;

import io.stackcompanion.node.core.RequestBook.RequestState;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Request;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A request's life in the requests' book: received, finalised, in a batch, back in the queue, ordered. */
class RequestBookTest {

    private final RequestBook book = new RequestBook();

    private RequestState receive(long reqId) {
        return book.receive(new Request("client", reqId, Operation.put("k" + reqId, "v"), "sig"), "d" + reqId);
    }

    /** Receives requests 1, 2, 3 and finalises request i at {@code finalisedAt[i - 1]}, in the order given. */
    private List<RequestState> finalised(long... finalisedAt) {
        List<RequestState> requests = List.of(receive(1), receive(2), receive(3));
        for (int i = 0; i < finalisedAt.length; i++) {
            book.finalise(requests.get(i), finalisedAt[i]);
        }
        return requests;
    }

    private List<String> queued() {
        return book.queue().stream().map(r -> r.digest).toList();
    }

    @Test
    void finalisedRequestsWaitInFinalisationOrderUntilABatchTakesThem() {
        RequestState a = receive(1);
        RequestState b = receive(2);
        RequestState c = receive(3);
        assertThat(queued()).isEmpty(); // received is not finalised
        book.finalise(c, 10);
        book.finalise(a, 20);
        book.finalise(b, 30);
        assertThat(queued()).containsExactly("d3", "d1", "d2");
        assertThat(a.isFinalised()).isTrue();
        assertThat(a.finalisedAt()).isEqualTo(20);

        book.inBatch(List.of(c, a));
        assertThat(queued()).containsExactly("d2");
        assertThat(book.isInBatch("d3")).isTrue();
        assertThat(book.isInBatch("d2")).isFalse();
        assertThat(book.queued("d3")).isNull();
        assertThat(book.queued("d2")).isSameAs(b);
    }

    @Test
    void aCopyOfAHeldRequestFindsItsStateWithoutItsDigestButAnotherSignatureOrAnOrderedOneDoesNot() {
        RequestState held = receive(1);
        assertThat(book.heldAsIs(new Request("client", 1, Operation.put("k1", "v"), "sig"))).isSameAs(held);
        // same name, other signature or operation: not this request, its digest must be computed
        assertThat(book.heldAsIs(new Request("client", 1, Operation.put("k1", "v"), "other sig"))).isNull();
        assertThat(book.heldAsIs(new Request("client", 1, Operation.put("k1", "w"), "sig"))).isNull();
        assertThat(book.heldAsIs(new Request("client", 2, Operation.put("k1", "v"), "sig"))).isNull();
        book.finalise(held, 1);
        book.inBatch(List.of(held));
        book.ordered("d1");
        assertThat(book.heldAsIs(new Request("client", 1, Operation.put("k1", "v"), "sig"))).isNull();
    }

    @Test
    void discardedBatchesWaitAgainFirstInBatchOrder() {
        List<RequestState> r = finalised(1, 2, 3);
        RequestState a = r.get(0);
        RequestState b = r.get(1);
        book.inBatch(List.of(b, a));
        book.backToQueue(List.of(b, a));
        assertThat(queued()).containsExactly("d2", "d1", "d3");
        assertThat(book.isInBatch("d1")).isFalse();
    }

    @Test
    void aRequestInANewViewsBatchIsNotQueuedWhenItIsFinalisedLater() {
        RequestState a = receive(1);
        book.inBatch(List.of(a)); // a NEW_VIEW re-orders it before f+1 propagates came here
        book.finalise(a, 5);
        assertThat(queued()).isEmpty();
        assertThat(book.oldestFinalised()).contains(a);
    }

    @Test
    void anOrderedRequestIsForgottenAndItsWaitingClientsAreReturned() {
        RequestState a = receive(1);
        a.addClient("conn-2");
        a.addClient("conn-1");
        a.addClient("conn-2");
        book.finalise(a, 1);
        assertThat(book.ordered("d1")).containsExactly("conn-2", "conn-1");
        assertThat(book.get("d1")).isNull();
        assertThat(queued()).isEmpty();
        assertThat(book.size()).isZero();
        assertThat(book.ordered("d1")).isEmpty(); // twice (catch-up after ordering) is harmless
    }

    @Test
    void aReqIdNamesOneOperationUntilOrdered() {
        receive(1);
        Request other = new Request("client", 1, Operation.put("other", "v"), "sig");
        assertThat(book.clash(other, "another-digest")).contains("reqId 1 was already used");
        assertThat(book.clash(other, "d1")).isNull();
        book.ordered("d1");
        assertThat(book.clash(other, "another-digest")).isNull();
    }

    @Test
    void theOldestFinalisedIsFoundWhateverTheHashOrder() {
        List<RequestState> r = finalised(9, 7, 7);
        assertThat(book.oldestFinalised()).contains(r.get(1)); // a tie at 7: the smaller digest
    }

    /** What a peer's MESSAGE_REQUEST can still get after a request is ordered: the latest, within a count and a size. */
    @Test
    void orderedRequestsAreKnownForAWhileWithinACountAndASize() {
        RequestState first = receive(1);
        book.ordered(first.digest);
        assertThat(book.get("d1")).as("no longer waiting").isNull();
        assertThat(book.known("d1")).isEqualTo(first.request);
        assertThat(book.known("never")).isNull();

        String big = "x".repeat(60_000); // near the 64 KiB a value may hold
        for (long i = 2; i < 2 + 200; i++) {
            book.receive(new Request("client", i, Operation.put("k" + i, big), "sig"), "d" + i);
            book.ordered("d" + i);
        }
        assertThat(book.known("d1")).as("the oldest went first").isNull();
        assertThat(book.known("d201")).isNotNull();
        long kept = java.util.stream.LongStream.range(2, 202).filter(i -> book.known("d" + i) != null).count();
        assertThat(kept).as("big requests: bounded by bytes (16 MiB), not by the count").isBetween(100L, 140L);
    }
}
