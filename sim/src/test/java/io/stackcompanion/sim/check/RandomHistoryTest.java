package io.stackcompanion.sim.check;

import io.stackcompanion.sim.check.Linearizability.Outcome;
import io.stackcompanion.sim.check.Linearizability.Verdict;
import io.stackcompanion.sim.history.Operation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property: a history made from a sequential run of registers, each operation's interval drawn
 * around the instant it took effect (so intervals overlap), some replies lost, lines shuffled, is
 * linearizable; and the same history with one GET changed to a value never written is not, with
 * that GET blocked. Seeded: the same histories on every run.
 */
class RandomHistoryTest {
    private static final String[] VALUES = {"a", "b", "c"};

    /** A history of {@code n} operations on two keys; instants 100 ns apart, intervals up to 150 ns either side. */
    static List<Operation> sequentialRun(Random r, int n) {
        TreeMap<String, String> registers = new TreeMap<>();
        List<Operation> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long at = 1_000 + 100L * i;
            long invoke = at - r.nextInt(150);
            Long ret = r.nextInt(10) == 0 ? null : at + r.nextInt(150);
            String client = "c" + r.nextInt(4);
            String key = "k" + r.nextInt(2);
            String state = registers.get(key);
            String value = VALUES[r.nextInt(VALUES.length)];
            int line = i + 1;
            switch (r.nextInt(3)) {
                case 0 -> {
                    registers.put(key, value);
                    ops.add(Operation.put(line, client, key, value, invoke, ret));
                }
                case 1 -> ops.add(Operation.get(line, client, key, state, invoke, ret));
                default -> {
                    String expected = r.nextBoolean() ? state : VALUES[r.nextInt(VALUES.length)];
                    boolean applied = Objects.equals(state, expected);
                    if (applied) {
                        registers.put(key, value);
                    }
                    ops.add(Operation.cas(line, client, key, expected, value, invoke, ret, applied));
                }
            }
        }
        return ops;
    }

    @Test
    void historiesOfASequentialRunAreLinearizable() {
        for (long seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            List<Operation> ops = sequentialRun(r, 4 + r.nextInt(20));
            Collections.shuffle(ops, r);
            Verdict v = new Linearizability().check(ops);
            assertThat(v.outcome()).as("seed %d: %s", seed, v).isEqualTo(Outcome.LINEARIZABLE);
            assertThat(new Linearizability(Linearizability.DEFAULT_MAX_STEPS, Linearizability.Initial.UNKNOWN).check(ops).outcome())
                    .as("seed %d, any value before", seed).isEqualTo(Outcome.LINEARIZABLE);
        }
    }

    @Test
    void aGetChangedToAValueNeverWrittenIsFound() {
        int mutated = 0;
        for (long seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            List<Operation> ops = new ArrayList<>(sequentialRun(r, 4 + r.nextInt(20)));
            List<Integer> gets = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i).kind() == Operation.Kind.GET && ops.get(i).completed()) {
                    gets.add(i);
                }
            }
            if (gets.isEmpty()) {
                continue;
            }
            int i = gets.get(r.nextInt(gets.size()));
            Operation g = ops.get(i);
            ops.set(i, Operation.get(g.line(), g.client(), g.key(), "never-written", g.invoke(), g.returned()));
            Verdict v = new Linearizability().check(ops);
            assertThat(v.outcome()).as("seed %d", seed).isEqualTo(Outcome.NOT_LINEARIZABLE);
            assertThat(v.failures()).singleElement().satisfies(k -> assertThat(k.blocked().line()).isEqualTo(g.line()));
            mutated++;
        }
        assertThat(mutated).isGreaterThan(200);
    }
}
