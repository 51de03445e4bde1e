package io.stackcompanion.sim;

import io.stackcompanion.sim.check.Linearizability;
import io.stackcompanion.sim.history.Operation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A long counter-example stays readable: the end of the order and the first operations that cannot come next. */
class DstReportTest {
    @Test
    void aLongOrderShowsItsEndAndSaysHowManyCameBefore() {
        List<Operation> ops = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ops.add(Operation.put(i + 1, "c1", "k", "v" + i, 1_000_000L * i, 1_000_000L * i + 500_000));
        }
        for (int i = 0; i < 23; i++) {
            ops.add(Operation.get(26 + i, "c" + (i + 2), "k", "v3", 30_000_000, 31_000_000L));
        }
        String report = DstMain.report(new Linearizability().check(ops), 0);
        assertThat(report).contains("        (5 earlier operations; --json lists them)\n     6. c1 PUT k \"v5\" -> ok")
                .contains("    25. c1 PUT k \"v24\" -> ok  (line 25, +24.000 ms..+24.500 ms)\n        => \"v24\"\n  cannot come next:\n"
                        + "    c2 GET k -> \"v3\"  (line 26, +30.000 ms..+31.000 ms)\n        it reads \"v3\", but the key holds \"v24\"\n")
                .contains("    (3 more operations; --json lists them)\n")
                .doesNotContain("line 46,");
    }
}
