package io.stackcompanion.node.core;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RejectionsTest {
    private static final long SECOND = 1_000_000_000L;

    private final Logger logger = (Logger) LoggerFactory.getLogger(Rejections.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    /** The core's clock: nothing here reads the machine's. */
    private final AtomicLong now = new AtomicLong(1_796_000_000L * SECOND);
    private final Rejections rejections = new Rejections(now::get);

    @BeforeEach
    void listen() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(lines);
        lines.stop();
    }

    private List<String> warnings() {
        return lines.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void theFirstRejectionOfASenderAndReasonIsLoggedThenOneLinePerMinuteOfCoreTimeWithTheCount() {
        for (int i = 1; i <= 5; i++) {
            rejections.reject("Node1", "equivocation", "primary {} sent a second, different PRE-PREPARE for {}:{}; ignored",
                    "Node1", 0, i);
            now.addAndGet(SECOND);
        }
        rejections.reject("Node1", "forged-view-change", "{} sent a VIEW_CHANGE for view {} {}; ignored", "Node1", 1,
                "in the name of Node3");
        rejections.reject("Node4", "equivocation", "primary {} sent a second, different PRE-PREPARE for {}:{}; ignored",
                "Node4", 4, 1);
        assertThat(warnings()).containsExactly(
                "rejected Node1 equivocation: primary Node1 sent a second, different PRE-PREPARE for 0:1; ignored",
                "rejected Node1 forged-view-change: Node1 sent a VIEW_CHANGE for view 1 in the name of Node3; ignored",
                "rejected Node4 equivocation: primary Node4 sent a second, different PRE-PREPARE for 4:1; ignored");

        // A minute after the first line (core time), the next one says how many came since.
        now.addAndGet(55 * SECOND); // 60 s after the first equivocation line
        rejections.reject("Node1", "equivocation", "primary {} sent a second, different PRE-PREPARE for {}:{}; ignored",
                "Node1", 0, 6);
        rejections.reject("Node1", "equivocation", "primary {} sent a second, different PRE-PREPARE for {}:{}; ignored",
                "Node1", 0, 7);
        now.addAndGet(59 * SECOND);
        rejections.reject("Node1", "equivocation", "primary {} sent a second, different PRE-PREPARE for {}:{}; ignored",
                "Node1", 0, 8);
        now.addAndGet(SECOND);
        rejections.reject("Node1", "equivocation", "primary {} sent a second, different PRE-PREPARE for {}:{}; ignored",
                "Node1", 0, 9);

        assertThat(warnings()).hasSize(5).endsWith(
                "rejected Node1 equivocation: 5 since the last line (6 in all), the latest: primary Node1 sent a second, "
                        + "different PRE-PREPARE for 0:6; ignored",
                "rejected Node1 equivocation: 3 since the last line (9 in all), the latest: primary Node1 sent a second, "
                        + "different PRE-PREPARE for 0:9; ignored");
        assertThat(rejections.counts()).isEqualTo(Map.of(
                "Node1", Map.of("equivocation", 9L, "forged-view-change", 1L),
                "Node4", Map.of("equivocation", 1L)));
    }

    @Test
    void countsComeSortedBySenderThenReasonWhateverTheOrderTheyCameIn() {
        rejections.reject("Node4", "malformed", "x");
        rejections.reject(Rejections.CLIENTS, "malformed", "x");
        rejections.reject("Node2", "new-view-does-not-follow", "x");
        rejections.reject("Node2", "bad-view-change-signature", "x");

        assertThat(rejections.counts().keySet()).containsExactly("Node2", "Node4", "clients");
        assertThat(rejections.counts().get("Node2").keySet()).containsExactly("bad-view-change-signature", "new-view-does-not-follow");
        assertThat(new Rejections(now::get).counts()).isEmpty();
    }
}
