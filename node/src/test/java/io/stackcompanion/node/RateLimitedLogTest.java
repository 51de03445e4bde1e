package io.stackcompanion.node;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitedLogTest {
    @Test
    void oneLinePerKeyAndIntervalThenTheCountOfThoseNotLogged() {
        Logger logger = (Logger) LoggerFactory.getLogger("rate-limited-log-test");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        AtomicLong now = new AtomicLong();
        RateLimitedLog log = new RateLimitedLog(logger, 10_000, now::get);

        for (int i = 0; i < 42; i++) {
            log.warn("10.0.0.7", "bad frame from {}: {}", "10.0.0.7:" + (40000 + i), "negative length prefix -1");
        }
        log.warn("10.0.0.8", "bad frame from {}: {}", "10.0.0.8:1", "negative length prefix -1");
        now.addAndGet(10_000_000_000L);
        IllegalStateException boom = new IllegalStateException("boom");
        log.warn("10.0.0.7", "error on connection to {}", "10.0.0.7:50000", boom);

        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "bad frame from 10.0.0.7:40000: negative length prefix -1",
                "bad frame from 10.0.0.8:1: negative length prefix -1",
                "error on connection to 10.0.0.7:50000 (41 more from 10.0.0.7 not logged in the last 10 s)");
        assertThat(lines.list.get(2).getThrowableProxy().getMessage()).isEqualTo("boom");
        assertThat(log.notLogged()).isEqualTo(41);
        logger.detachAppender(lines);
    }
}
