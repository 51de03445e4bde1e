package io.stackcompanion.replay;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * The replayed node's log: its own lines (the {@code io.stackcompanion} loggers) stamped with the
 * <em>recorded</em> time of the event being replayed, in the format of the live node's
 * {@code node.log}, and the event's index in place of the thread, so a replayed log lines up with
 * the original node's, line for line:
 *
 * <pre>
 * 2026-12-02 09:49:07.914 ERROR [#35] i.s.node.core.Ordering - PRE-PREPARE 0:1 from Node1 rejected: ...
 * </pre>
 *
 * Written to a file ({@code replay.sh --log FILE}) at the node's configured {@code LOG_LEVEL} (the
 * recorded one, or {@code --set LOG_LEVEL=...}), or else to stderr at WARN and up unless {@code --set
 * LOG_LEVEL} asks for more. Logging is global in a JVM: one replay log at a time.
 */
public final class ReplayLog implements AutoCloseable {
    /** The live node's {@code logback-node.xml} pattern, with recorded time and event index. */
    static final String PATTERN = "%recordedTime %-5level [#%eventIndex] %logger{20} - %msg%n";
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private static volatile long recordedNanos;
    private static volatile long eventIndex = -1;
    private static volatile ReplayLog current;

    private final Logger logger;
    private final Level levelBefore;
    private final boolean additiveBefore;
    private final Appender<ILoggingEvent> appender;
    /** The level asked for by {@code --set LOG_LEVEL}, or null: then the recorded one (to a file) or WARN. */
    private final String fixedLevel;
    private final boolean toFile;

    private ReplayLog(Path file, String fixedLevel) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Map<String, String> rules = new HashMap<>();
        rules.put("recordedTime", RecordedTime.class.getName());
        rules.put("eventIndex", EventIndex.class.getName());
        @SuppressWarnings("unchecked")
        Map<String, String> registry = (Map<String, String>) context.getObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY);
        if (registry == null) {
            context.putObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY, rules);
        } else {
            registry.putAll(rules);
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> out;
        if (file != null) {
            FileAppender<ILoggingEvent> f = new FileAppender<>();
            f.setFile(file.toString());
            f.setAppend(false);
            out = f;
        } else {
            ConsoleAppender<ILoggingEvent> c = new ConsoleAppender<>();
            c.setTarget("System.err");
            out = c;
        }
        out.setContext(context);
        out.setName("replay-log");
        out.setEncoder(encoder);
        out.start();
        this.appender = out;
        this.logger = context.getLogger("io.stackcompanion");
        this.levelBefore = logger.getLevel();
        this.additiveBefore = logger.isAdditive();
        this.fixedLevel = fixedLevel;
        this.toFile = file != null;
        logger.addAppender(out);
        logger.setAdditive(false);
        logger.setLevel(Level.toLevel(fixedLevel != null ? fixedLevel : toFile ? "INFO" : "WARN"));
    }

    /**
     * Sends the node's log to {@code file} (or stderr when null) in recorded time until closed.
     *
     * @param level {@code --set LOG_LEVEL}, or null to use the recorded level (to a file) or WARN (to stderr)
     */
    public static ReplayLog open(Path file, String level) {
        if (current != null) {
            throw new IllegalStateException("a replay log is already open");
        }
        ReplayLog log = new ReplayLog(file, level);
        current = log;
        return log;
    }

    /** The event about to be replayed: its recorded time and index stamp what it logs. */
    static void at(long timeNanos, long index) {
        recordedNanos = timeNanos;
        eventIndex = index;
    }

    /** At each recorded start: the node's configured level applies to a log file unless {@code --set} fixed one. */
    static void startedWith(String configuredLevel) {
        ReplayLog log = current;
        if (log != null && log.fixedLevel == null && log.toFile) {
            log.logger.setLevel(Level.toLevel(configuredLevel, Level.INFO));
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(levelBefore);
        logger.setAdditive(additiveBefore);
        current = null;
        eventIndex = -1;
    }

    /** {@code %recordedTime}: the recorded time of the event being replayed, as the live node.log prints its time. */
    public static final class RecordedTime extends ClassicConverter {
        @Override
        public String convert(ILoggingEvent event) {
            long n = recordedNanos;
            return eventIndex < 0 ? FORMAT.format(Instant.ofEpochMilli(event.getTimeStamp()))
                    : FORMAT.format(Instant.ofEpochSecond(0, n));
        }
    }

    /** {@code %eventIndex}: the merged event index being replayed ({@code -} outside the replay). */
    public static final class EventIndex extends ClassicConverter {
        @Override
        public String convert(ILoggingEvent event) {
            long i = eventIndex;
            return i < 0 ? "-" : Long.toString(i);
        }
    }
}
