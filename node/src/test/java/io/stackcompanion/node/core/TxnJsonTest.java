package io.stackcompanion.node.core;

import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Result;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A ledger leaf written by hand is Jackson's, byte for byte (transaction hashes and ledger roots depend on it). */
class TxnJsonTest {
    private static final String[] SPICE = {"\"", "\\", "\n", "\u0001", "\u007f", "é", "\uD83D\uDE00"};

    private static String string(Random rnd) {
        StringBuilder s = new StringBuilder();
        for (int i = rnd.nextInt(12); i > 0; i--) {
            s.append(rnd.nextInt(30) == 0 ? SPICE[rnd.nextInt(SPICE.length)] : (char) (0x20 + rnd.nextInt(0x5F)));
        }
        return s.toString();
    }

    private static String maybe(Random rnd) {
        return rnd.nextInt(8) == 0 ? null : string(rnd);
    }

    @Test
    void writesJacksonsLedgerLeavesAndThePlainOnesByHand() {
        Random rnd = new Random(7);
        int byHand = 0;
        for (int i = 0; i < 10_000; i++) {
            Operation op = switch (rnd.nextInt(4)) {
                case 0 -> Operation.put(string(rnd), string(rnd));
                case 1 -> Operation.get(string(rnd));
                case 2 -> Operation.cas(string(rnd), string(rnd), string(rnd));
                default -> null;
            };
            Result result = switch (rnd.nextInt(3)) {
                case 0 -> null;
                case 1 -> Result.ofGet(maybe(rnd));
                default -> Result.ofCas(rnd.nextBoolean());
            };
            Txn t = new Txn(rnd.nextLong(), rnd.nextInt(1000), rnd.nextLong(), maybe(rnd), rnd.nextInt(3) - 1, op, maybe(rnd), result);
            byte[] jackson = Codec.toBytes(t);
            assertThat(t.toJson()).as("%s as %s", t, new String(jackson, StandardCharsets.UTF_8)).isEqualTo(jackson);
            byte[] hand = t.plainJson();
            if (hand != null) {
                byHand++;
                assertThat(hand).isEqualTo(jackson);
            }
        }
        assertThat(byHand).as("leaves written by hand").isGreaterThan(3_000);
    }
}
