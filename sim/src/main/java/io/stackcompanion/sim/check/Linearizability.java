package io.stackcompanion.sim.check;

import io.stackcompanion.sim.history.Operation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides whether a client history of PUT, GET and CAS is linearizable: whether every operation can
 * be given one instant between its invoke and its return such that, in that order, each result is
 * what one register per key would give. Keys are independent registers, so each key is checked on
 * its own (P-compositionality). Per key this is the Wing–Gong–Lowe search with Lowe's memoization,
 * as Porcupine's {@code checkSingle}: walk the invokes and returns in time order, linearize an
 * invoked operation if the register accepts it and the pair (set of linearized operations, state)
 * was never reached before, and backtrack on meeting the return of an operation not yet linearized.
 * An operation with no agreed reply returns at +infinity with any output (Jepsen, Porcupine): it may
 * take effect at any time after its invoke, or never (then it is placed last). A GET with no reply
 * changes nothing and is left out.
 *
 * <p>The search is exponential in the worst case, so it is bounded per key ({@code maxSteps} and a
 * memory bound on the memo): past it the key's verdict is {@link Outcome#UNKNOWN}, never a hang.
 * The verdict is deterministic: no clock is read.
 *
 * <p>A counter-example is the furthest the search got: the earliest return that no order of the
 * operations before it can pass (the blocked operation; the history up to there is the smallest
 * prefix that is not linearizable), the longest order found up to it, and the operations that
 * could come next but cannot (with why, where the register says no).
 */
public final class Linearizability {
    /** Search steps per key before giving up with {@link Outcome#UNKNOWN}. */
    public static final long DEFAULT_MAX_STEPS = 5_000_000;
    /** Bound on the memo, in 64-bit words of linearized-set bitsets (2^25 words: 256 MiB). */
    static final long MAX_MEMO_WORDS = 1L << 25;

    public enum Outcome { LINEARIZABLE, NOT_LINEARIZABLE, UNKNOWN }

    /**
     * A key's value before the history: {@code ABSENT} (a fresh pool, or keys no one used), or
     * {@code UNKNOWN} (a pool used before): then the history is linearizable if it is for some one
     * value, tried among absent, every value the key's GETs read or CASes expect, and a value the
     * history never names.
     */
    public enum Initial { ABSENT, UNKNOWN }

    /** One operation of an order, with the key's state after it. */
    public record Step(Operation op, String stateAfter) {
    }

    /** An operation that cannot come next, and why (null: the register takes it, but then nothing orders the rest). */
    public record Candidate(Operation op, String why) {
    }

    /**
     * One key's verdict. When not linearizable: {@code blocked} (whose return no order passes),
     * {@code order} (the longest order found before that return) and {@code candidates} (the
     * operations invoked before it and not in the order, {@code blocked} among them). When unknown,
     * {@code reason} says which bound was reached.
     */
    public record KeyVerdict(String key, Outcome outcome, int operations, long steps, String initialState,
                             Operation blocked, List<Step> order, List<Candidate> candidates, String reason) {
    }

    /** The verdict of a whole history: not linearizable if any key is not, else unknown if any key is unknown. */
    public record Verdict(Outcome outcome, int operations, int unknownOutcome, Initial initial, List<KeyVerdict> keys) {
        public List<KeyVerdict> failures() {
            return keys.stream().filter(k -> k.outcome() == Outcome.NOT_LINEARIZABLE).toList();
        }

        public List<KeyVerdict> unknowns() {
            return keys.stream().filter(k -> k.outcome() == Outcome.UNKNOWN).toList();
        }
    }

    private final long maxSteps;
    private final Initial initial;

    public Linearizability() {
        this(DEFAULT_MAX_STEPS);
    }

    public Linearizability(long maxSteps) {
        this(maxSteps, Initial.ABSENT);
    }

    public Linearizability(long maxSteps, Initial initial) {
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps " + maxSteps);
        }
        this.maxSteps = maxSteps;
        this.initial = initial;
    }

    public Verdict check(List<Operation> history) {
        Map<String, List<Operation>> byKey = new TreeMap<>();
        int unknown = 0;
        for (Operation op : history) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            if (!op.completed()) {
                unknown++;
            }
        }
        List<KeyVerdict> keys = new ArrayList<>();
        for (Map.Entry<String, List<Operation>> e : byKey.entrySet()) {
            keys.add(checkKey(e.getKey(), e.getValue()));
        }
        Outcome outcome = keys.stream().anyMatch(k -> k.outcome() == Outcome.NOT_LINEARIZABLE) ? Outcome.NOT_LINEARIZABLE
                : keys.stream().anyMatch(k -> k.outcome() == Outcome.UNKNOWN) ? Outcome.UNKNOWN : Outcome.LINEARIZABLE;
        return new Verdict(outcome, history.size(), unknown, initial, List.copyOf(keys));
    }

    /** An invoke or a return, in the doubly linked list the search lifts operations out of. */
    private static final class Entry {
        final int id;
        final int position; // in time order, for the furthest return reached
        final Entry match;  // the return of an invoke; null for a return
        Entry prev;
        Entry next;

        Entry(int id, int position, Entry match) {
            this.id = id;
            this.position = position;
            this.match = match;
        }
    }

    /** A memo entry: which operations are linearized, and the state they leave. */
    private record Memo(long[] linearized, String state) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Memo m && Arrays.equals(linearized, m.linearized) && Objects.equals(state, m.state);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(linearized) + Objects.hashCode(state);
        }
    }

    private record Call(Entry entry, String stateBefore) {
    }

    KeyVerdict checkKey(String key, List<Operation> all) {
        List<Operation> ops = all.stream().filter(o -> o.completed() || o.kind() != Operation.Kind.GET).toList();
        if (initial == Initial.ABSENT) {
            return search(key, ops, null, maxSteps).verdict();
        }
        // One search per value the key may have held before. Only a GET's read or an applied CAS's
        // expected value pins it, and only if invoked before the first completed write returned (what
        // starts after that sees that write or a later one); for the rest, a value the history never
        // names fits every "not equal" at least as well as any named one.
        long firstWrite = ops.stream().filter(o -> o.completed() && (o.kind() == Operation.Kind.PUT || o.applied() == Boolean.TRUE))
                .mapToLong(Operation::returned).min().orElse(Long.MAX_VALUE);
        TreeSet<String> observed = new TreeSet<>();
        Set<String> named = new HashSet<>();
        for (Operation op : ops) {
            named.add(op.value());
            named.add(op.read());
            named.add(op.expected());
            if (op.invoke() <= firstWrite && op.read() != null) {
                observed.add(op.read());
            }
            if (op.invoke() <= firstWrite && op.applied() == Boolean.TRUE && op.expected() != null) {
                observed.add(op.expected());
            }
        }
        String neverNamed = "(a value the history never names)";
        while (named.contains(neverNamed)) {
            neverNamed += "'";
        }
        List<String> initials = new ArrayList<>();
        initials.add(null);
        initials.addAll(observed);
        initials.add(neverNamed);
        long steps = 0;
        Search furthest = null;
        for (String value : initials) {
            Search s = search(key, ops, value, maxSteps - steps);
            steps += s.verdict().steps();
            if (s.verdict().outcome() != Outcome.NOT_LINEARIZABLE) {
                return withSteps(s.verdict(), steps);
            }
            if (furthest == null || s.frontier() > furthest.frontier()) {
                furthest = s;
            }
        }
        return withSteps(furthest.verdict(), steps);
    }

    private static KeyVerdict withSteps(KeyVerdict k, long steps) {
        return new KeyVerdict(k.key(), k.outcome(), k.operations(), steps, k.initialState(), k.blocked(), k.order(),
                k.candidates(), k.reason());
    }

    /** A verdict, and for a counter-example the position (in time order) of the return no order passed. */
    private record Search(KeyVerdict verdict, int frontier) {
    }

    private Search search(String key, List<Operation> ops, String initialState, long budget) {
        int n = ops.size();
        // Time order; at equal times invokes first (the operations overlap), then by line: deterministic.
        record Event(int id, boolean isReturn, long time) {
        }
        List<Event> events = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            Operation op = ops.get(i);
            events.add(new Event(i, false, op.invoke()));
            events.add(new Event(i, true, op.completed() ? op.returned() : Long.MAX_VALUE));
        }
        events.sort(Comparator.comparingLong(Event::time).thenComparing(Event::isReturn)
                .thenComparingInt(e -> ops.get(e.id()).line()).thenComparingInt(Event::id));
        Entry head = new Entry(-1, -1, null);
        Entry[] returns = new Entry[n];
        Entry[] byPosition = new Entry[2 * n];
        for (int p = 2 * n - 1; p >= 0; p--) {
            Event ev = events.get(p);
            Entry e = ev.isReturn() ? new Entry(ev.id(), p, null) : new Entry(ev.id(), p, returns[ev.id()]);
            if (ev.isReturn()) {
                returns[ev.id()] = e;
            }
            byPosition[p] = e;
        }
        Entry last = head;
        for (Entry e : byPosition) {
            last.next = e;
            e.prev = last;
            last = e;
        }

        int words = (n + 63) / 64;
        long[] linearized = new long[words];
        Set<Memo> memo = new HashSet<>();
        List<Call> calls = new ArrayList<>();
        String state = initialState;
        long steps = 0;
        int furthest = -1;
        List<Call> furthestCalls = List.of();
        Entry entry = head.next;
        while (head.next != null) {
            if (++steps > budget) {
                return unknown(key, n, steps - 1, "the search took more than " + maxSteps + " steps (--max-steps)");
            }
            if (entry.match != null) {
                Object next = Register.step(state, ops.get(entry.id));
                if (next != Register.ILLEGAL) {
                    linearized[entry.id >>> 6] |= 1L << entry.id;
                    if (memo.add(new Memo(linearized.clone(), (String) next))) {
                        if ((long) memo.size() * words > MAX_MEMO_WORDS) {
                            return unknown(key, n, steps, "the search remembered more than " + MAX_MEMO_WORDS * 8 / (1 << 20)
                                    + " MiB of states");
                        }
                        calls.add(new Call(entry, state));
                        state = (String) next;
                        lift(entry);
                        entry = head.next;
                    } else {
                        linearized[entry.id >>> 6] &= ~(1L << entry.id);
                        entry = entry.next;
                    }
                } else {
                    entry = entry.next;
                }
            } else {
                // The return of an operation not yet linearized: this order cannot go on.
                if (entry.position > furthest || entry.position == furthest && calls.size() > furthestCalls.size()) {
                    furthest = entry.position;
                    furthestCalls = List.copyOf(calls);
                }
                if (calls.isEmpty()) {
                    return new Search(counterExample(key, ops, initialState, byPosition, furthest, furthestCalls, steps), furthest);
                }
                Call top = calls.remove(calls.size() - 1);
                entry = top.entry();
                state = top.stateBefore();
                linearized[entry.id >>> 6] &= ~(1L << entry.id);
                unlift(entry);
                entry = entry.next;
            }
        }
        return new Search(new KeyVerdict(key, Outcome.LINEARIZABLE, n, steps, initialState, null, List.of(), List.of(), null), -1);
    }

    private static Search unknown(String key, int n, long steps, String reason) {
        return new Search(new KeyVerdict(key, Outcome.UNKNOWN, n, steps, null, null, List.of(), List.of(), reason), -1);
    }

    private static KeyVerdict counterExample(String key, List<Operation> ops, String initialState, Entry[] byPosition,
                                             int furthest, List<Call> calls, long steps) {
        Operation blocked = ops.get(byPosition[furthest].id);
        List<Step> order = new ArrayList<>();
        Set<Integer> ordered = new HashSet<>();
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            String after = i + 1 < calls.size() ? calls.get(i + 1).stateBefore() : stateAfter(c, ops);
            order.add(new Step(ops.get(c.entry().id), after));
            ordered.add(c.entry().id);
        }
        String state = order.isEmpty() ? initialState : order.get(order.size() - 1).stateAfter();
        List<Candidate> candidates = new ArrayList<>();
        for (int p = 0; p < furthest; p++) {
            Entry e = byPosition[p];
            if (e.match != null && !ordered.contains(e.id)) {
                Operation op = ops.get(e.id);
                candidates.add(new Candidate(op, Register.whyNot(state, op)));
            }
        }
        return new KeyVerdict(key, Outcome.NOT_LINEARIZABLE, ops.size(), steps, initialState, blocked, List.copyOf(order),
                List.copyOf(candidates), null);
    }

    private static String stateAfter(Call c, List<Operation> ops) {
        return (String) Register.step(c.stateBefore(), ops.get(c.entry().id));
    }

    private static void lift(Entry entry) {
        entry.prev.next = entry.next;
        entry.next.prev = entry.prev;
        Entry match = entry.match;
        match.prev.next = match.next;
        if (match.next != null) {
            match.next.prev = match.prev;
        }
    }

    private static void unlift(Entry entry) {
        Entry match = entry.match;
        match.prev.next = match;
        if (match.next != null) {
            match.next.prev = match;
        }
        entry.prev.next = entry;
        entry.next.prev = entry;
    }
}
