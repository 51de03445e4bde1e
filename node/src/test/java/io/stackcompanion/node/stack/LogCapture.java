package io.stackcompanion.node.stack;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Collects what a class logs at WARN and above, so a test can wait for a refusal the operator would
 * read. A JUnit extension: {@code @RegisterExtension final LogCapture log = new LogCapture(X.class);}
 * listens from before each test to after it.
 */
final class LogCapture implements BeforeEachCallback, AfterEachCallback {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture(Class<?> type) {
        logger = (Logger) LoggerFactory.getLogger(type);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        synchronized (appender) {
            appender.list.clear();
        }
        appender.start();
        logger.addAppender(appender);
    }

    List<String> warnings() {
        synchronized (appender) {
            return appender.list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    boolean hasWarning(String... parts) {
        return warnings().stream().anyMatch(w -> java.util.Arrays.stream(parts).allMatch(w::contains));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        appender.stop();
    }
}
