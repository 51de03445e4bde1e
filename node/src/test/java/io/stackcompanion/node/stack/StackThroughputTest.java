package io.stackcompanion.node.stack;

import io.stackcompanion.node.core.CoreInput;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Prints (does not assert) how many 300-byte frames per second one node link carries. */
class StackThroughputTest {

    /** CPU time so far of Node1's and Node2's node-stack io threads. */
    private static long ioThreadsCpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("Node1-node-io") || t.getName().equals("Node2-node-io")) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

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
            long cpuBefore = ioThreadsCpuNanos();
            long start = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                n1.send(to, payload);
            }
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            Await.until("all frames arrived", () -> received.get() == frames);
            double seconds = (System.nanoTime() - start) / 1e9;
            double ioCpuSeconds = (ioThreadsCpuNanos() - cpuBefore) / 1e9;
            // Wall time depends on how busy the machine is; CPU time of the two io threads much less so.
            System.out.printf("node stack throughput: %d frames of 300 bytes in %.2f s (sending took %.2f s) = %.0f frames/s (%.1f MB/s);"
                            + " io threads used %.2f s CPU = %.0f frames per CPU-second%n",
                    frames, seconds, sendSeconds, frames / seconds, frames * 304 / seconds / 1e6, ioCpuSeconds, frames / ioCpuSeconds);
            assertThat(n2.connectedPeers()).containsExactly("Node1");
        }
    }
}
