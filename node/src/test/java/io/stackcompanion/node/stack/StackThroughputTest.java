package io.stackcompanion.node.stack;

import io.stackcompanion.node.core.CoreInput;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Prints (does not assert) how many 300-byte frames per second one node link carries. */
class StackThroughputTest {

    @Test
    void printsFramesPerSecondBetweenTwoNodeStacks() {
        int frames = 200_000;
        try (TestPool pool = new TestPool(2)) {
            AtomicLong received = new AtomicLong();
            RecordingSink s1 = new RecordingSink();
            Consumer<CoreInput> counting = input -> {
                if (input instanceof CoreInput.Received) {
                    received.incrementAndGet();
                }
            };
            NodeStack n1 = pool.start("Node1", s1);
            NodeStack n2 = pool.start("Node2", counting);
            Await.until("linked", () -> s1.isConnected("Node2"));

            byte[] payload = new byte[300];
            List<String> to = List.of("Node2");
            long start = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                n1.send(to, payload);
            }
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            Await.until("all frames arrived", () -> received.get() == frames);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("node stack throughput: %d frames of 300 bytes in %.2f s (sending took %.2f s) = %.0f frames/s (%.1f MB/s)%n",
                    frames, seconds, sendSeconds, frames / seconds, frames * 304 / seconds / 1e6);
            assertThat(n2.connectedPeers()).containsExactly("Node1");
        }
    }
}
