package io.stackcompanion.replay;

import io.stackcompanion.node.tools.RecordingMain;
import io.stackcompanion.recorder.EventCursor;
import io.stackcompanion.recorder.RecordedEvent;
import io.stackcompanion.recorder.Recorder;
import io.stackcompanion.recorder.RecordingClock;
import io.stackcompanion.recorder.RecordingReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A measurement, not part of the suite (its name is not a test's, so {@code ./mvnw verify} does not
 * run it): the fixture pool's recordings written {@code -Dcopies=N} times over (default 232, about a
 * million events), 25 s apart, by the real recorder; then {@code recording.sh timeline} on it and the
 * page opened in headless Chromium. Prints, and writes to {@code target/timeline-scale.txt}: events,
 * page size, the time to write the page, to open it (navigation to the first drawing) and to redraw
 * everything; and the DST history view of a long client history ({@code -Doperations=N}) likewise. Run
 * (Chromium and chromium-driver installed, nothing else running):
 * <pre>./mvnw -q -o -pl replay -am test -Dtest=TimelineScaleMeasurement -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class TimelineScaleMeasurement {
    private static final long APART_NANOS = 25_000_000_000L;

    @TempDir
    Path tmp;

    @Test
    void aMillionEventsPoolOpensInChromium() throws Exception {
        int copies = Integer.getInteger("copies", 232);
        Path fixture = RecordingFixtures.unpack("format3-pool.tgz", Files.createDirectories(tmp.resolve("fixture")));
        Path big = tmp.resolve("big");
        long events = 0;
        for (Path nodeDir : list(fixture.resolve("data"))) {
            String node = nodeDir.getFileName().toString();
            for (String stack : List.of("node", "client")) {
                Path from = nodeDir.resolve("recorder").resolve(stack);
                List<RecordedEvent> all = new ArrayList<>();
                RecordingReader reader = RecordingReader.open(from);
                try (reader; EventCursor c = reader.iterator()) {
                    while (c.hasNext()) {
                        all.add(c.next());
                    }
                }
                long span = all.get(all.size() - 1).timeNanos() - all.get(0).timeNanos();
                assertThat(span).as(node + " " + stack + " spans less than the copies' spacing").isLessThan(APART_NANOS);
                try (Recorder out = Recorder.open(big.resolve("data").resolve(node).resolve("recorder").resolve(stack), reader.metadata(),
                        RecordingClock.system())) {
                    for (int i = 0; i < copies; i++) {
                        for (RecordedEvent e : all) {
                            out.append(e.timeNanos() + i * APART_NANOS, e.kind(), e.peers(), e.payload());
                            events++;
                        }
                    }
                }
            }
        }
        Files.copy(fixture.resolve("pool_genesis.json"), big.resolve("pool_genesis.json"));
        Path page = tmp.resolve("timeline.html");
        long t0 = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RecordingMain.run(new String[] {"timeline", big.toString(), "--out", page.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        double writeSeconds = (System.nanoTime() - t0) / 1e9;
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();

        ChromeDriver browser = Browser.start(tmp);
        try {
            double openSeconds = open(browser, page, "TL");
            Object phases = js(browser, "return JSON.stringify(TL.phases) + ' readyMs ' + TL.readyMs");
            double redraw = ((Number) js(browser, "const t = performance.now(); TL.fit(); return performance.now() - t;")).doubleValue() / 1000;
            String summary = String.format(java.util.Locale.ROOT,
                    "%,d events (%d copies of the fixture pool), page %.1f MB, written in %.1f s, opened in %.1f s (%s), redraw of everything %.2f s; "
                            + "load average at the end %s",
                    events, copies, Files.size(page) / 1e6, writeSeconds, openSeconds, phases, redraw,
                    Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.println(summary);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "timeline-scale.txt"), summary + "\n");
        } finally {
            browser.quit();
        }
    }

    /**
     * The DST history view ({@code dst.sh check --html}) of a long client history: {@code -Doperations=N}
     * (default 20,000) PUTs and GETs of 8 clients on 16 keys, each client one at a time, linearizable.
     */
    @Test
    void aLongClientHistoryOpensInChromium() throws Exception {
        int operations = Integer.getInteger("operations", 20_000);
        StringBuilder lines = new StringBuilder();
        java.util.Map<String, String> value = new java.util.TreeMap<>();
        long t = 1_000_000;
        for (int i = 0; i < operations; i++) {
            String client = "c" + (i % 8);
            String key = "k" + (i * 7 % 16);
            if (i % 3 == 0) {
                String v = client + "-v" + i;
                lines.append("{\"client\":\"").append(client).append("\",\"op\":\"PUT\",\"key\":\"").append(key)
                        .append("\",\"input\":{\"value\":\"").append(v).append("\"},\"output\":null,\"invoke\":").append(t)
                        .append(",\"return\":").append(t + 500_000).append("}\n");
                value.put(key, v);
            } else {
                String v = value.get(key);
                lines.append("{\"client\":\"").append(client).append("\",\"op\":\"GET\",\"key\":\"").append(key)
                        .append("\",\"input\":{},\"output\":{\"value\":").append(v == null ? "null" : "\"" + v + "\"")
                        .append("},\"invoke\":").append(t).append(",\"return\":").append(t + 500_000).append("}\n");
            }
            t += 1_000_000;
        }
        Path history = Files.writeString(tmp.resolve("history.jsonl"), lines);
        Path page = tmp.resolve("history.html");
        long t0 = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = io.stackcompanion.sim.DstMain.run(new String[] {"check", history.toString(), "--html", page.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        double checkSeconds = (System.nanoTime() - t0) / 1e9;
        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
        ChromeDriver browser = Browser.start(tmp);
        try {
            double openSeconds = open(browser, page, "HV");
            String summary = String.format(java.util.Locale.ROOT,
                    "history of %,d operations: checked and page written in %.1f s, page %.1f MB, opened in %.1f s; load average at the end %s",
                    operations, checkSeconds, Files.size(page) / 1e6, openSeconds, Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.println(summary);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "history-scale.txt"), summary + "\n");
        } finally {
            browser.quit();
        }
    }

    /** Seconds from navigating to {@code page} until its object {@code api} (TL, HV) says it is ready, without an error. */
    private static double open(ChromeDriver browser, Path page, String api) {
        long start = System.nanoTime();
        browser.get(page.toUri().toString());
        new WebDriverWait(browser, Duration.ofSeconds(300))
                .until(d -> js(browser, "return window." + api + " && (" + api + ".ready || " + api + ".error !== null) ? true : false"));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(js(browser, "return " + api + ".error")).as("the page's own error").isNull();
        return seconds;
    }

    private static Object js(ChromeDriver browser, String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }
}
