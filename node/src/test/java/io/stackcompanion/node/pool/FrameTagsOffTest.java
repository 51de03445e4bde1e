package io.stackcompanion.node.pool;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.message.Status;
import io.stackcompanion.node.stack.NodeStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Node stacks without frame tags ({@link NodeStack#withoutFrameTags()}, what the benchmark measures
 * the tags against): nodes made so link and order among themselves, and a node of the real kind
 * refuses every one of them, naming both handshake versions, so a pool can never mix the two.
 */
class FrameTagsOffTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> UNTAGGED = List.of("Node1", "Node2", "Node3");

    @RegisterExtension
    final LocalPoolExtension pools = new LocalPoolExtension();

    private final Logger stackLog = (Logger) LoggerFactory.getLogger(NodeStack.class);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void listen() {
        log.start();
        stackLog.addAppender(log);
    }

    @AfterEach
    void stopListening() {
        stackLog.detachAppender(log);
    }

    @Test
    void nodesWithoutFrameTagsOrderAmongThemselvesAndATaggedNodeRefusesThem() throws Exception {
        LocalPool pool = pools.create(4, NodeConfig.defaults());
        for (String n : UNTAGGED) {
            pool.start(n, NodeStack.withoutFrameTags());
        }
        pool.start("Node4"); // tagged, as every production node; Node1-3 dial it (genesis order)
        LocalPool.await(TIMEOUT, "Node1-3 linked to each other", () -> UNTAGGED.stream().allMatch(n ->
                pool.status(n).map(s -> s.connected().containsAll(UNTAGGED.stream().filter(o -> !o.equals(n)).toList())).orElse(false)));
        for (String n : UNTAGGED) {
            LocalPool.await(TIMEOUT, "Node4 refuses " + n, () -> warned("node stack of " + n, "Node4",
                    "refused the link: handshake version 200 (a benchmark's node without frame tags), this node speaks 3"));
        }

        // 3 of 4 nodes are a quorum (f = 1): the untagged ones order, and their ledgers agree.
        LocalPool.orderAll(List.of(pool.newClient(), pool.newClient()), 60);
        LocalPool.await(TIMEOUT, "Node1-3 at ledger size 60", () -> UNTAGGED.stream()
                .allMatch(n -> pool.status(n).map(Status::ledgerSize).orElse(-1L) == 60));
        List<String> roots = UNTAGGED.stream().map(n -> pool.status(n).orElseThrow().ledgerRoot()).toList();
        assertThat(roots).containsOnly(roots.get(0));
        Status tagged = pool.status("Node4").orElseThrow();
        assertThat(tagged.connected()).as("the tagged node linked with none of them").isEmpty();
        assertThat(tagged.ledgerSize()).isZero();
        assertThat(pool.failures()).isEmpty();
    }

    private boolean warned(String... parts) {
        synchronized (log) {
            return log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).map(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> java.util.Arrays.stream(parts).allMatch(m::contains));
        }
    }
}
