package io.stackcompanion.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventKeyTest {

    private static final long[] EDGES = {0, 1, 127, 128, 255, 256, 65_535, 65_536, Integer.MAX_VALUE,
        1L << 31, 1L << 32, (1L << 32) + 1, 1L << 55, 1L << 56, Long.MAX_VALUE - 1, Long.MAX_VALUE};

    @Test
    void byteOrderIsTimeThenSequenceOrderAcrossEdgeValues() {
        List<EventKey> keys = new ArrayList<>();
        for (long time : EDGES) {
            for (long seq : EDGES) {
                keys.add(new EventKey(time, seq));
            }
        }
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            keys.add(new EventKey(random.nextLong() >>> 1, random.nextLong() >>> 1));
        }
        for (EventKey a : keys.subList(0, 300)) {
            for (EventKey b : keys) {
                assertThat(Integer.signum(Arrays.compareUnsigned(a.toBytes(), b.toBytes())))
                        .as("%s vs %s", a, b)
                        .isEqualTo(Integer.signum(a.compareTo(b)));
            }
        }
    }

    @Test
    void roundTripsAndIsSixteenBytes() {
        for (long time : EDGES) {
            EventKey key = new EventKey(time, Long.MAX_VALUE - time);
            assertThat(key.toBytes()).hasSize(16);
            assertThat(EventKey.fromBytes(key.toBytes())).isEqualTo(key);
        }
    }

    @Test
    void rejectsNegativePartsAndWrongLengths() {
        assertThatThrownBy(() -> new EventKey(-1, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> new EventKey(0, Long.MIN_VALUE)).isInstanceOf(IllegalArgumentException.class);
        byte[] negativeTime = new byte[16];
        negativeTime[0] = (byte) 0x80;
        assertThatThrownBy(() -> EventKey.fromBytes(negativeTime)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventKey.fromBytes(new byte[15])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("15");
        assertThat(EventKey.firstAt(-5)).isEqualTo(new EventKey(0, 0));
    }

    @Test
    void eventKindCodesAreStableAndUnique() {
        assertThat(EventKind.INCOMING.code()).isEqualTo(1);
        assertThat(EventKind.UNCLEAN_STOP.code()).isEqualTo(9);
        for (EventKind kind : EventKind.values()) {
            assertThat(EventKind.fromCode(kind.code())).isEqualTo(kind);
        }
        assertThat(EventKind.fromCode(200)).isNull();
        assertThat(EventKind.fromCode(0)).isNull();
    }
}
