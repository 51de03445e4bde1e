package io.stackcompanion.sim.check;

import io.stackcompanion.sim.check.Linearizability.KeyVerdict;
import io.stackcompanion.sim.check.Linearizability.Outcome;
import io.stackcompanion.sim.check.Linearizability.Verdict;
import io.stackcompanion.sim.history.Operation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Hand-written histories, each with the verdict a reader of it would give and the operations a counter-example must name. */
class LinearizabilityTest {
    /** A history written line by line, as in a file (line numbers from 1). */
    private static final class H {
        final List<Operation> ops = new ArrayList<>();

        H put(String client, String value, long invoke, Long ret) {
            return put(client, "k", value, invoke, ret);
        }

        H put(String client, String key, String value, long invoke, Long ret) {
            ops.add(Operation.put(ops.size() + 1, client, key, value, invoke, ret));
            return this;
        }

        H get(String client, String read, long invoke, Long ret) {
            ops.add(Operation.get(ops.size() + 1, client, "k", read, invoke, ret));
            return this;
        }

        H cas(String client, String expected, String value, Boolean applied, long invoke, Long ret) {
            ops.add(Operation.cas(ops.size() + 1, client, "k", expected, value, invoke, ret, applied));
            return this;
        }

        Verdict check() {
            return new Linearizability().check(ops);
        }
    }

    private static KeyVerdict onlyFailure(Verdict v) {
        assertThat(v.outcome()).as("verdict").isEqualTo(Outcome.NOT_LINEARIZABLE);
        assertThat(v.failures()).hasSize(1);
        return v.failures().get(0);
    }

    /** The lines of the operations a counter-example names: the blocked one, the order, those that cannot come next. */
    private static List<Integer> named(KeyVerdict k) {
        return Stream.concat(Stream.of(k.blocked()), Stream.concat(k.order().stream().map(Linearizability.Step::op),
                k.candidates().stream().map(Linearizability.Candidate::op))).map(Operation::line).distinct().sorted().toList();
    }

    @Test
    void sequentialPutGetAndCasAreLinearizable() {
        Verdict v = new H().get("c1", null, 0, 10L).put("c1", "a", 20, 30L).get("c2", "a", 40, 50L)
                .cas("c1", "a", "b", true, 60, 70L).cas("c2", "a", "c", false, 80, 90L).get("c1", "b", 100, 110L)
                .cas("c1", null, "z", false, 120, 130L).check();
        assertThat(v.outcome()).isEqualTo(Outcome.LINEARIZABLE);
        assertThat(v.operations()).isEqualTo(7);
    }

    @Test
    void concurrentOperationsMayTakeEffectInAnyOrderWithinTheirIntervals() {
        // The PUT spans both reads: before the first, after the second's... the register changes once.
        assertThat(new H().put("c1", "a", 0, 100L).get("c2", null, 10, 20L).get("c3", "a", 30, 40L).check().outcome())
                .isEqualTo(Outcome.LINEARIZABLE);
        // Two CAS race from the same value: one applies, the other does not, whichever was invoked first.
        assertThat(new H().put("c1", "a", 0, 10L).cas("c1", "a", "b", false, 20, 50L).cas("c2", "a", "c", true, 30, 60L)
                .get("c3", "c", 70, 80L).check().outcome()).isEqualTo(Outcome.LINEARIZABLE);
        // Reads that overlap two writes see them in one order.
        assertThat(new H().put("c1", "a", 0, 50L).put("c2", "b", 0, 50L).get("c3", "b", 10, 20L).get("c3", "a", 30, 60L)
                .check().outcome()).isEqualTo(Outcome.LINEARIZABLE);
        // Equal times overlap: a read returning at the instant a write is invoked may see it.
        assertThat(new H().put("c1", "a", 10, 20L).get("c2", "a", 0, 10L).check().outcome()).isEqualTo(Outcome.LINEARIZABLE);
    }

    @Test
    void anOperationWithNoReplyMayTakeEffectAnyTimeAfterItsInvokeOrNever() {
        assertThat(new H().put("c1", "a", 0, 10L).put("c2", "b", 20, null).get("c1", "a", 100, 110L).check().outcome())
                .as("never").isEqualTo(Outcome.LINEARIZABLE);
        assertThat(new H().put("c1", "a", 0, 10L).put("c2", "b", 20, null).get("c1", "a", 100, 110L)
                .get("c3", "b", 1_000, 1_010L).check().outcome()).as("long after its invoke").isEqualTo(Outcome.LINEARIZABLE);
        assertThat(new H().cas("c1", null, "x", null, 0, null).get("c2", "x", 50, 60L).get("c2", "x", 70, 80L).check().outcome())
                .as("a CAS with no reply that applied").isEqualTo(Outcome.LINEARIZABLE);
        Verdict v = new H().get("c1", null, 0, 10L).get("c2", null, 0, null).put("c3", "a", 20, null).check();
        assertThat(v.outcome()).isEqualTo(Outcome.LINEARIZABLE);
        assertThat(v.unknownOutcome()).isEqualTo(2);
    }

    @Test
    void anOperationWithNoReplyCannotTakeEffectBeforeItsInvoke() {
        KeyVerdict k = onlyFailure(new H().get("c1", "b", 0, 10L).put("c2", "b", 20, null).check());
        assertThat(k.blocked().line()).isEqualTo(1);
        assertThat(k.candidates()).extracting(c -> c.why()).containsExactly("it reads \"b\", but the key is absent");
    }

    @Test
    void aGetReturningAValueNeverWrittenIsRejectedAndNamed() {
        KeyVerdict k = onlyFailure(new H().put("c1", "a", 0, 10L).get("c2", "zz", 20, 30L).put("c1", "b", 40, 50L).check());
        assertThat(k.key()).isEqualTo("k");
        assertThat(k.blocked().line()).isEqualTo(2);
        assertThat(k.order()).extracting(s -> s.op().line()).containsExactly(1);
        assertThat(k.candidates()).extracting(c -> c.op().line() + ": " + c.why())
                .containsExactly("2: it reads \"zz\", but the key holds \"a\"");
    }

    @Test
    void aStaleReadAfterACompletedWriteIsRejectedAndNamed() {
        KeyVerdict k = onlyFailure(new H().put("c1", "a", 0, 10L).put("c1", "b", 20, 30L).get("c2", "a", 40, 50L).check());
        assertThat(k.blocked().line()).isEqualTo(3);
        assertThat(k.order()).extracting(s -> s.op().line() + "=" + s.stateAfter()).containsExactly("1=a", "2=b");
        assertThat(named(k)).containsExactly(1, 2, 3);
    }

    @Test
    void aCasThatSucceededTwiceFromTheSameExpectedValueIsRejectedAndBothAreNamed() {
        KeyVerdict k = onlyFailure(new H().put("c1", "a", 0, 10L).cas("c1", "a", "b", true, 20, 40L)
                .cas("c2", "a", "c", true, 25, 45L).check());
        assertThat(named(k)).contains(2, 3);
        assertThat(k.order()).extracting(s -> s.op().line()).contains(2);
        assertThat(k.blocked().line()).isEqualTo(3);
        assertThat(k.candidates()).extracting(c -> c.op().line() + ": " + c.why())
                .containsExactly("3: it applied, but the key holds \"b\", not the expected \"a\"");
    }

    @Test
    void aReadThatGoesBackInTimeIsRejectedAndNamed() {
        // c2 saw b while the write of b was in flight; c3, after c2's read returned, sees a again.
        KeyVerdict k = onlyFailure(new H().put("c1", "a", 0, 10L).put("c1", "b", 20, 100L).get("c2", "b", 30, 40L)
                .get("c3", "a", 50, 60L).check());
        assertThat(k.blocked().line()).isEqualTo(4);
        assertThat(k.order()).extracting(s -> s.op().line()).containsExactly(1, 2, 3);
        assertThat(k.candidates()).extracting(c -> c.op().line()).containsExactly(4);
    }

    @Test
    void keysAreCheckedIndependentlyAndOnlyTheFailingOneIsReported() {
        H h = new H().put("c1", "x", "1", 0, 10L).put("c1", "y", "1", 0, 10L);
        h.ops.add(Operation.get(3, "c2", "x", "1", 20, 30L));
        h.ops.add(Operation.get(4, "c2", "y", "2", 20, 30L));
        Verdict v = h.check();
        assertThat(v.keys()).extracting(KeyVerdict::key).containsExactly("x", "y");
        assertThat(onlyFailure(v).key()).isEqualTo("y");
        assertThat(onlyFailure(v).blocked().line()).isEqualTo(4);
    }

    @Test
    void aSearchPastItsBoundIsUnknownNotAHang() {
        H h = new H();
        for (int i = 0; i < 12; i++) {
            h.put("c" + i, "v" + i, 0, 100L);
        }
        h.get("r", "v3", 200, 210L);
        Verdict v = new Linearizability(5).check(h.ops);
        assertThat(v.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(v.unknowns().get(0).reason()).contains("more than 5 steps");
        assertThat(new Linearizability().check(h.ops).outcome()).isEqualTo(Outcome.LINEARIZABLE);
    }

    @Test
    void withAnUnknownValueBeforeTheHistoryTheFirstReadsFixIt() {
        H old = new H().get("c1", "old", 0, 10L).cas("c2", "old", "a", true, 20, 30L).get("c1", "a", 40, 50L);
        assertThat(old.check().outcome()).as("absent before").isEqualTo(Outcome.NOT_LINEARIZABLE);
        Linearizability unknown = new Linearizability(Linearizability.DEFAULT_MAX_STEPS, Linearizability.Initial.UNKNOWN);
        assertThat(unknown.check(old.ops).outcome()).isEqualTo(Outcome.LINEARIZABLE);
        // A CAS that did not apply from "x" says the value was not "x"; one never named fits.
        assertThat(unknown.check(new H().cas("c1", "x", "y", false, 0, 10L).cas("c2", null, "z", false, 20, 30L).ops).outcome())
                .isEqualTo(Outcome.LINEARIZABLE);
        // Not a value read after a write completed: that read sees the write or a later one.
        assertThat(unknown.check(new H().put("c1", "a", 0, 10L).get("c2", "p", 20, 30L).ops).outcome())
                .isEqualTo(Outcome.NOT_LINEARIZABLE);
        // But one value throughout: two reads of different old values with no write between are not.
        Verdict twoOld = unknown.check(new H().get("c1", "p", 0, 10L).get("c2", "q", 20, 30L).ops);
        KeyVerdict k = onlyFailure(twoOld);
        assertThat(k.blocked().line()).isEqualTo(2);
        assertThat(k.initialState()).isEqualTo("p");
        assertThat(k.candidates()).extracting(c -> c.why()).containsExactly("it reads \"q\", but the key holds \"p\"");
    }

    @Test
    void anEmptyHistoryIsLinearizable() {
        assertThat(new Linearizability().check(List.of()).outcome()).isEqualTo(Outcome.LINEARIZABLE);
    }
}
