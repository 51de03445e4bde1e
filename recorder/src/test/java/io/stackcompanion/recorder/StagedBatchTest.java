package io.stackcompanion.recorder;

import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The Java-built batch is byte for byte what RocksDB serialises for the same puts. */
class StagedBatchTest {
    static {
        RocksDB.loadLibrary();
    }

    @Test
    void theWireFormatEqualsRocksDbsOwnForTheSamePuts() throws Exception {
        Random random = new Random(42);
        // Lengths around the varint boundaries (127/128, 16383/16384) and empty values.
        int[] lengths = {0, 1, 16, 127, 128, 200, 16_383, 16_384, 70_000};
        StagedBatch staged = new StagedBatch();
        try (WriteBatch expected = new WriteBatch()) {
            for (int round = 0; round < 3; round++) {
                for (int length : lengths) {
                    byte[] key = new byte[16];
                    random.nextBytes(key);
                    byte[] value = new byte[length];
                    random.nextBytes(value);
                    staged.put(key, value);
                    expected.put(key, value);
                }
            }
            assertThat(staged.count()).isEqualTo(expected.count()).isEqualTo(27);
            assertThat(staged.toWireFormat()).isEqualTo(expected.data());
        }
    }

    @Test
    void clearStartsAnEmptyBatch() throws Exception {
        StagedBatch staged = new StagedBatch();
        staged.put(new byte[16], new byte[200]);
        staged.clear();
        try (WriteBatch empty = new WriteBatch()) {
            assertThat(staged.count()).isZero();
            assertThat(staged.toWireFormat()).isEqualTo(empty.data());
        }
    }
}
