package io.stackcompanion.node.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class QuorumsTest {
    @ParameterizedTest(name = "n={0}")
    @CsvSource({
            // n, f, propagate (f+1), prepare (n-f-1), commit (n-f), reply (f+1)
            "1, 0, 1, 0, 1, 1",
            "4, 1, 2, 2, 3, 2",
            "7, 2, 3, 4, 5, 3",
            "10, 3, 4, 6, 7, 4",
    })
    void quorumsForThreeFPlusOneNodes(int n, int f, int propagate, int prepare, int commit, int reply) {
        Quorums q = new Quorums(n);
        assertThat(q.f()).isEqualTo(f);
        assertThat(q.propagate()).isEqualTo(propagate);
        assertThat(q.prepare()).isEqualTo(prepare);
        assertThat(q.commit()).isEqualTo(commit);
        assertThat(q.reply()).isEqualTo(reply);
        // Any two commit quorums share an honest node: 2(n-f) - n > f.
        assertThat(2 * q.commit() - n).isGreaterThan(f);
    }
}
